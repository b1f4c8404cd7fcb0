"""What a careless or hostile command line meets before anything is written: the published file keeps its
permissions, a read-only or foreign --db is refused, --workers is bounded, SIGTERM cleans up."""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from tests.support.corpus import as_user, corpus
from tests.support.samples import RAW
from tests.support.warehouses import xxgk
from xxgk import workers as files_module
from xxgk.ingest import ingest


@pytest.fixture(scope="module")
def seeds_warehouse(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("seeds") / "warehouse.duckdb"
    ingest([RAW], db, progress=False)
    return db


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _leftovers(folder: Path, name: str) -> list[str]:
    """xxgk's own files beside a --db: its lock file and work copies."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(f".{name}."))


@pytest.mark.e2e
@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another owner needs root")
@pytest.mark.parametrize("mode, owner, umask", [
    (0o640, (1234, 2345), 0o022),  # a group-restricted warehouse stays group-restricted
    (0o644, (0, 0), 0o077),  # a cron job with umask 077 does not lock the analysts out
    (0o660, (1234, 1234), 0o002),
])
def test_the_published_file_keeps_the_mode_owner_and_group_it_replaces(seeds_warehouse, tmp_path, mode, owner, umask):
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(seeds_warehouse, db)
    os.chown(db, *owner)
    db.chmod(mode)
    done = subprocess.run([sys.executable, "-m", "xxgk.cli", "ingest", str(corpus(tmp_path / "new", 2)), "--db",
                           str(db), "--quiet"], capture_output=True, text=True, preexec_fn=lambda: os.umask(umask))
    assert done.returncode == 0, done.stderr
    assert "2 loaded" in done.stdout
    st = db.stat()
    assert (stat.S_IMODE(st.st_mode), (st.st_uid, st.st_gid)) == (mode, owner)


@pytest.mark.e2e
def test_a_read_only_warehouse_is_refused_and_left_as_it_was(seeds_warehouse, tmp_path):
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(seeds_warehouse, db)
    db.chmod(0o444)
    before = _digest(db)
    done = xxgk("ingest", str(corpus(tmp_path / "new", 2)), "--db", str(db), "--quiet")  # as root: mode bits decide
    assert done.returncode == 5, done.stderr
    assert f"xxgk ingest: {db} is read-only (mode 0444)" in done.stderr and f"chmod u+w {db}" in done.stderr
    assert _digest(db) == before and stat.S_IMODE(db.stat().st_mode) == 0o444
    assert _leftovers(tmp_path, db.name) == []


@pytest.mark.e2e
def test_a_warehouse_the_user_may_not_write_is_refused(seeds_warehouse, tmp_path):
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(seeds_warehouse, db)
    db.chmod(0o644)
    os.chown(db, 4321, 4321) if os.geteuid() == 0 else None
    done = subprocess.run(as_user([sys.executable, "-m", "xxgk.cli", "build", "--db", str(db), "--quiet"]),
                          capture_output=True, text=True)
    assert done.returncode == 5 and "is read-only" in done.stderr, done.stderr


def _parquet(path: Path) -> None:
    pl.DataFrame({"a": [1, 2]}).write_parquet(path)


def _sqlite(path: Path) -> None:
    import sqlite3

    with sqlite3.connect(path) as con:
        con.execute("create table t (a)")


@pytest.mark.e2e
@pytest.mark.parametrize("make, what", [
    (_parquet, "a Parquet file"),
    (_sqlite, "an SQLite database"),
    (lambda p: p.write_bytes(b""), "empty"),
    (lambda p: p.write_text("agency,year\n甲,2020\n", encoding="utf-8"), "not a DuckDB file"),
])
@pytest.mark.parametrize("command", [["ingest", str(RAW)], ["build"], ["check"], ["dashboard"], ["versions"],
                                     ["forget", "0123456789abcdef"]])
def test_a_db_that_is_not_duckdb_is_named_for_what_it_is_and_nothing_is_left_beside_it(tmp_path, make, what,
                                                                                      command):
    db = tmp_path / "data.duckdb"
    make(db)
    before = _digest(db)
    out = ["--out", str(tmp_path / "site")] if command == ["dashboard"] else []
    done = xxgk(*command, "--db", str(db), *out)
    assert done.returncode == 4, done.stderr
    assert f"xxgk {command[0]}: {db} is not a readable DuckDB warehouse: it is {what}." in done.stderr
    assert "in-memory" not in done.stderr and "Traceback" not in done.stderr
    assert _digest(db) == before
    assert _leftovers(tmp_path, db.name) == []


@pytest.mark.e2e
@pytest.mark.parametrize("value, words", [("0", "0: give at least 1 parser process"),
                                          ("-1", "-1: give at least 1 parser process"),
                                          ("two", "'two' is not a whole number of parser processes")])
def test_workers_below_one_are_a_usage_error(tmp_path, value, words):
    done = xxgk("ingest", str(RAW), "--db", str(tmp_path / "w.duckdb"), f"--workers={value}")
    assert done.returncode == 2 and f"argument --workers: {words}" in done.stderr, done.stderr
    assert not (tmp_path / "w.duckdb").exists() and _leftovers(tmp_path, "w.duckdb") == []


@pytest.mark.e2e
def test_workers_beyond_the_cores_are_capped_with_a_note(tmp_path):
    many = 4 * os.cpu_count()  # not 10,000: before the cap, that many processes started (and took 8 GB)
    done = xxgk("ingest", str(RAW), "--db", str(tmp_path / "w.duckdb"), "--workers", str(many), "--quiet")
    assert done.returncode == 0, done.stderr
    assert f"ingest: --workers {many} capped at {os.cpu_count()}, the cores of this machine" in done.stderr
    assert "5 loaded" in done.stdout


@pytest.mark.parametrize("n_files, chunk_files, workers, started", [(5, 200, 64, None), (5, 2, 64, 3), (9, 2, 2, 2)])
def test_no_more_workers_start_than_there_are_chunks(tmp_path, monkeypatch, n_files, chunk_files, workers, started):
    pools = []

    class Recorded(files_module.ProcessPoolExecutor):
        def __init__(self, max_workers, **kw):
            pools.append(max_workers)
            super().__init__(max_workers=max_workers, **kw)

    monkeypatch.setattr(files_module, "ProcessPoolExecutor", Recorded)
    monkeypatch.setattr(files_module, "CHUNK_FILES", chunk_files)
    summary = ingest([corpus(tmp_path / "in", n_files)], tmp_path / "w.duckdb", workers=workers, progress=False)
    assert summary.counts["loaded"] == n_files
    assert pools == ([] if started is None else [started])  # one chunk is parsed in this process


@pytest.mark.e2e
def test_sigterm_removes_the_work_copy_and_publishes_nothing(seeds_warehouse, tmp_path):
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(seeds_warehouse, db)
    before = _digest(db)
    proc = subprocess.Popen([sys.executable, "-m", "xxgk.cli", "ingest", str(corpus(tmp_path / "new", 600)), "--db",
                             str(db), "--quiet", "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".warehouse.duckdb.work*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.5)  # into the parsing
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "xxgk ingest: terminated (SIGTERM); the published warehouse was left as it was, its work copy removed" \
        in err and "Traceback" not in err
    assert _digest(db) == before
    assert _leftovers(tmp_path, db.name) == [".warehouse.duckdb.lock"]  # the lock file of the warehouse stays
