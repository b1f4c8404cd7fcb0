"""Warehouses made from report files, the command line as a scheduler runs it, and queries on a warehouse."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from xxgk.build import build
from xxgk.ingest import ingest


def q(db: Path, sql: str, *params) -> list[tuple]:
    """Rows of ``sql`` on ``db``, opened read-only and briefly, as analysts do."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def xxgk(*args, **kw) -> subprocess.CompletedProcess:
    """The command line, as a scheduler runs it."""
    return subprocess.run([sys.executable, "-m", "xxgk.cli", *args], capture_output=True, text=True, **kw)


def copy_of(db: Path, to: Path) -> Path:
    """A copy of the warehouse ``db`` at ``to``, for a test that changes a warehouse a fixture made once."""
    to.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(db, to)
    return to


def warehouse_from(tmp: Path, files: dict[str, str]) -> Path:
    """A warehouse ingested and built from report texts by file name."""
    raw = tmp / "raw"
    raw.mkdir()
    for name, text in files.items():
        (raw / name).write_text(text, encoding="utf-8")
    db = tmp / "warehouse.duckdb"
    ingest([raw], db, progress=False)
    assert build(db, docs=False, quiet=True).success
    return db


def findings(db: Path, where: str = "true") -> set[tuple]:
    """dq.findings as (agency, check, severity, table, row, column, expected, actual)."""
    return set(q(db, f"select agency, check_id, severity, table_id, row_key, col_key, expected, actual "
                     f"from dq.findings where {where}"))


# Every model a build writes, compared without the ingestion times (which differ between warehouses).
BUILT = ["intermediate.int_report_versions", "intermediate.int_current_reports", "intermediate.int_report_measures",
         "intermediate.int_identity_within_report", "intermediate.int_identity_across_years",
         "intermediate.int_narrative_readings", "marts.dim_report", "marts.dim_agency", "marts.fct_agency_year",
         "marts.fct_applications", "marts.fct_proactive_disclosure", "marts.fct_review_litigation"]


def table_rows(db: Path, table: str) -> list[tuple]:
    """A table's rows, without the ingestion times (which differ between any two warehouses)."""
    schema, name = table.split(".")
    with duckdb.connect(str(db), read_only=True) as con:
        columns = [c for (c,) in con.execute("select column_name from duckdb_columns() where schema_name = ? and "
                                             "table_name = ? order by column_index", [schema, name]).fetchall()]
        return con.execute(f"select {', '.join(c for c in columns if c not in ('ingested_at', 'first_seen_at'))} "
                           f"from {table} order by all").fetchall()
