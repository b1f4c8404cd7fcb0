"""Every write to the warehouse goes through ``publishing``: readers never see a half-built file.

DuckDB allows one writer or many readers per file, and an analyst's open read-only session would
block a writer. So a build never writes the published file: it copies it to a private work file
beside it, writes there, and swaps it in with an atomic rename. Readers that have the old file open
keep reading the old inode (POSIX) until they reconnect; new readers get the new one. A build
killed at any point (even SIGKILL) leaves the published warehouse exactly as it was; its work file
is removed by the next build.
"""
from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from loaders import store


class WarehouseBusy(RuntimeError):
    """The warehouse cannot be written now; the message says who holds it and what to do."""


def _work_name(db: Path, pid: int) -> Path:
    return db.with_name(f".{db.name}.work-{pid}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM
    return True


def _remove_stale_work_files(db: Path) -> None:
    pattern = re.compile(rf"^\.{re.escape(db.name)}\.work-(\d+)(\.wal)?$")
    for f in db.parent.glob(f".{db.name}.work-*"):
        m = pattern.match(f.name)
        if m and not _pid_alive(int(m.group(1))):
            f.unlink(missing_ok=True)


def _refuse_if_open_for_writing(db: Path) -> None:
    if not db.exists():
        return
    try:
        store.connect(db, read_only=True).close()
    except duckdb.IOException as exc:
        holder = re.search(r"held in (.+?) \(PID (\d+)\)", str(exc))
        who = f"{holder.group(1)} (PID {holder.group(2)})" if holder else "another process"
        raise WarehouseBusy(
            f"{db} is open for writing by {who}. Close that session and run again; analysts should "
            f"open the warehouse read-only: duckdb -readonly {db}") from None


@contextmanager
def publishing(db_path: str | Path) -> Iterator[Path]:
    """Yield a private copy of the warehouse to write; publish it atomically if the block succeeds.

    Every connection to the work file must be closed when the block ends.
    """
    db = Path(db_path).resolve()
    db.parent.mkdir(parents=True, exist_ok=True)
    lock = open(db.with_name(f".{db.name}.lock"), "a+")
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            raise WarehouseBusy(f"another build of {db} is running (PID {lock.read().strip() or '?'}); "
                                "wait for it to finish") from None
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        _remove_stale_work_files(db)
        _refuse_if_open_for_writing(db)
        work = _work_name(db, os.getpid())
        wal, work_wal = Path(f"{db}.wal"), Path(f"{work}.wal")
        if db.exists():
            shutil.copyfile(db, work)
            if wal.exists():  # left by a writer that crashed: part of the data, replayed when work opens
                shutil.copyfile(wal, work_wal)
        try:
            yield work
            _fsync(work)
            if work_wal.exists():  # a connection was left open, or DuckDB could not checkpoint
                raise RuntimeError(f"{work_wal} still exists: a connection to the work file was not closed")
            wal.unlink(missing_ok=True)  # its content is in the work file already
            os.replace(work, db)
            _fsync(db.parent)
        finally:
            work.unlink(missing_ok=True)
            work_wal.unlink(missing_ok=True)
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
