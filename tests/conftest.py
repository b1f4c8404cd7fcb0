"""What the tests share: the sample reports, a warehouse built from files, and a query on one."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from xxgk.build import build
from xxgk.ingest import ingest

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


def q(db: Path, sql: str, *params) -> list[tuple]:
    """Rows of ``sql`` on ``db``, opened read-only and briefly, as analysts do."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def xxgk(*args, **kw) -> subprocess.CompletedProcess:
    """The command line, as a scheduler runs it."""
    return subprocess.run([sys.executable, "-m", "xxgk.cli", *args], capture_output=True, text=True, **kw)


def warehouse_from(tmp: Path, files: dict[str, str]) -> Path:
    """A warehouse ingested and built from report texts by file name."""
    raw = tmp / "raw"
    raw.mkdir()
    for name, text in files.items():
        (raw / name).write_text(text, encoding="utf-8")
    db = tmp / "warehouse.duckdb"
    ingest([raw], db, progress=False)
    assert build(db, target_dir=tmp / "target", docs=False, quiet=True).success
    return db


def findings(db: Path, where: str = "true") -> set[tuple]:
    """dq.findings as (agency, check, severity, table, row, column, expected, actual)."""
    return set(q(db, f"select agency, check_id, severity, table_id, row_key, col_key, expected, actual "
                     f"from dq.findings where {where}"))



_ARTEFACTS: list[Path] = []


@pytest.fixture(scope="session")
def artefacts(tmp_path_factory) -> Path:
    """Where the screenshots of the browser tests go, named in the run's summary: $XXGK_TEST_ARTEFACTS, else a folder
    of pytest's (it keeps its last three runs')."""
    folder = Path(os.environ["XXGK_TEST_ARTEFACTS"]) if os.environ.get("XXGK_TEST_ARTEFACTS") else \
        tmp_path_factory.mktemp("artefacts")
    folder.mkdir(parents=True, exist_ok=True)
    _ARTEFACTS.append(folder)
    return folder


def pytest_terminal_summary(terminalreporter):
    for folder in _ARTEFACTS:
        if shots := sorted(folder.glob("*.png")):
            terminalreporter.write_line(f"screenshots of the browser tests: {len(shots)} in {folder}")
