"""The fixtures the tests share: the sample reports and the real ones, each ingested, built and checked once for the
whole run, and where the browser tests' screenshots go. Shared helpers that are not fixtures: tests/support."""
from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.samples import RAW, REAL
from tests.support.warehouses import copy_of
from xxgk.build import build
from xxgk.checks.run import run_checks
from xxgk.ingest import ingest


def _built(folder: Path, paths: list[Path]) -> Path:
    """A warehouse in ``folder`` of ``paths`` ingested and built with the dbt docs (``folder/target``)."""
    db = folder / "warehouse.duckdb"
    ingest(paths, db, progress=False)
    result = build(db, target_dir=folder / "target", docs=True, quiet=True)
    assert result.success, result.failures
    assert result.docs_path == folder / "target" / "static_index.html"
    return db


def _checked(built: Path, folder: Path) -> Path:
    """A copy in ``folder`` of the ``built`` warehouse (with its dbt folder) checked with the GX Data Docs, as
    `xxgk run` leaves one."""
    db = copy_of(built, folder / built.name)
    shutil.copytree(built.parent / "target", folder / "target")
    run_checks(db, built_in=folder / "target")
    return db


def _once(tmp_path_factory, name: str, make: Callable[[Path], Path]) -> Path:
    """What ``make`` returns from an empty folder ``name``, made once for the whole run: by pytest-xdist's first
    worker to ask, in the run's temporary folder they share, while the others wait on a lock and then read it.

    A made folder is marked done, so a worker that failed half-way leaves it to be made again, never half-read."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # pytest-N/, the parent of each worker's popen-gwN/
    folder, done = root / name, root / f"{name}.done"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            done.write_text(str(make(folder).relative_to(folder)))
    return folder / done.read_text()


@pytest.fixture(scope="session")
def samples_built(tmp_path_factory) -> Path:
    """The five sample reports (data/raw) ingested and built, never checked, once for the whole run: the state
    `xxgk check` meets first. Read it; a test that changes it works on a copy (``copy_of``)."""
    return _once(tmp_path_factory, "samples-built", lambda folder: _built(folder, [RAW]))


@pytest.fixture(scope="session")
def samples(samples_built, tmp_path_factory) -> Path:
    """The five sample reports ingested, built and checked, once for the whole run: the warehouse, its dbt docs
    beside it in target/. Read it; a test that changes it works on a copy."""
    return _once(tmp_path_factory, "samples", lambda folder: _checked(samples_built, folder))


@pytest.fixture(scope="session")
def real_reports(tmp_path_factory) -> Path:
    """The twelve real reports (tests/fixtures/real) ingested, built and checked, once for the whole run."""
    built = _once(tmp_path_factory, "real-built", lambda folder: _built(folder, sorted(REAL.glob("[0-9]*.*"))))
    return _once(tmp_path_factory, "real", lambda folder: _checked(built, folder))


def pytest_collection_modifyitems(items):
    """A test marked neither e2e nor slow is of the unit tier (`make test-fast`), doctests included."""
    for item in items:
        if not any(item.iter_markers("e2e")) and not any(item.iter_markers("slow")):
            item.add_marker(pytest.mark.unit)


def pytest_configure(config):
    """The browser tests' screenshots go to $XXGK_TEST_ARTEFACTS, else to one folder of the system's temporary
    directory emptied at the start of each run: pytest-xdist's workers inherit the setting from the controller, which
    names the folder in its summary."""
    if hasattr(config, "workerinput"):
        return
    if not os.environ.get("XXGK_TEST_ARTEFACTS"):
        folder = Path(tempfile.gettempdir()) / f"xxgk-test-artefacts-{os.getuid()}"
        shutil.rmtree(folder, ignore_errors=True)
        os.environ["XXGK_TEST_ARTEFACTS"] = str(folder)


@pytest.fixture(scope="session")
def artefacts() -> Path:
    """Where the browser tests' screenshots go (see pytest_configure)."""
    folder = Path(os.environ["XXGK_TEST_ARTEFACTS"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def pytest_terminal_summary(terminalreporter):
    if hasattr(terminalreporter.config, "workerinput"):
        return
    folder = Path(os.environ["XXGK_TEST_ARTEFACTS"])
    if shots := sorted(folder.glob("*.png")):
        terminalreporter.write_line(f"screenshots of the browser tests: {len(shots)} in {folder}")
