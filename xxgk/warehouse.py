"""The warehouse: how it is opened, how it is written, and the run log every stage reads.

- ``connect``: every DuckDB connection the pipeline opens (ingest, dbt's profile, GX, the dashboard)
  gets the one memory setting, ``MEMORY_LIMIT``; files stay readable by DuckDB 1.5 clients.
- ``publishing``: readers never see a half-built file. DuckDB allows one writer or many readers per
  file, and an analyst's open read-only session would block a writer. So a build never writes the
  published file: it copies it to a private work file beside it, writes there, and swaps it in with
  an atomic rename. Readers that have the old file open keep reading the old inode (POSIX) until
  they reconnect; new readers get the new one. A build killed at any point (even SIGKILL) leaves the
  published warehouse exactly as it was; its work file is removed by the next build.

  The rename must never discard someone else's writes. While the copy is taken, and again while the
  rename happens, the build holds a read-only DuckDB connection to the published file: DuckDB then
  lets no writer open it. Between the two, a read-write session (DBeaver's default) may open it and
  write; so the file's identity, size and modification time (and its write-ahead log's) are compared
  before the rename, and a warehouse that changed, or that is open for writing at that moment, is
  not replaced: the build refuses with exit code 3 and the published warehouse keeps what was written.
- ``meta.runs``, the run log: one row per stage that finished (ingest, build, check; the dashboard of a run that
  wrote) with the project fingerprint it ran and its watermark, the newest report ingested when it started. A
  build reads the reports after its previous watermark, so do the checks after theirs (dbt reads the log as the
  source ``meta.runs``); a changed fingerprint makes the next stage start over.
- ``raw.*``: created from the loaders' frames (loaders/assembly/frames.py) and written a batch per transaction.
"""
from __future__ import annotations

import datetime as dt
import errno
import fcntl
import os
import re
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import duckdb
import polars as pl
import yaml

from loaders.assembly.frames import SCHEMA, empty

from .errors import NO_ROOM_ERRNOS, EnvironmentProblem, UsageError, WarehouseBusy, WarehouseUnreadable, classify

__all__ = ["connect", "publishing", "work_name", "stage_name", "open_published", "WarehouseBusy", "WarehouseChanged"]

# Files written here stay readable by DuckDB 1.5 clients (DBeaver, Evidence, MotherDuck).
STORAGE_VERSION = "v1.5.0"
# DuckDB's memory for every connection the pipeline opens (ingest, checks, GX, dbt, dashboard).
# Its default, 80% of RAM, is a cache it fills on a national corpus (9.8 GiB while ingesting a
# million reports); bounded, it spills to disk beside the file instead, at no measured cost to ingest.
MEMORY_LIMIT = os.environ.get("XXGK_DUCKDB_MEMORY", "3GB")
# The dbt project: its models, and the descriptions of the tables xxgk itself writes (models/staging/_sources.yml).
DBT_PROJECT = Path(os.environ.get("XXGK_DBT_PROJECT", Path(__file__).resolve().parents[1] / "dbt_project"))
RUNS = "meta.runs"
RUN_COLUMNS = {"run_id": pl.String, "stage": pl.String, "started_at": pl.Datetime("us"),
               "finished_at": pl.Datetime("us"), "is_full": pl.Boolean, "fingerprint": pl.String,
               "watermark": pl.Datetime("us"), "n_reports": pl.Int64}
# Reviewers' decisions (xxgk review): appended, never updated, so the history stays.
REVIEWS = "meta.reviews"
REVIEW_COLUMNS = {"finding_id": pl.String, "decision": pl.String, "note": pl.String, "reviewer": pl.String,
                  "reviewed_at": pl.Datetime("us")}


def connect(db_path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse (creating it, readable by DuckDB 1.5 clients, when missing).

    Memory is bounded by ``MEMORY_LIMIT``; DuckDB's own progress bar is off: it would draw into the
    command's output.
    """
    path = Path(db_path)
    config = {"memory_limit": MEMORY_LIMIT}
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
        config["storage_compatibility_version"] = STORAGE_VERSION
    con = duckdb.connect(str(path), read_only=read_only, config=config)
    con.execute("set enable_progress_bar = false")
    return con


def sql_literal(text: str) -> str:
    """A SQL string literal, for the statements DuckDB cannot parameterise (COMMENT ON).

    >>> sql_literal("GX's verdict")
    "'GX''s verdict'"
    """
    return "'" + text.replace("'", "''") + "'"


def now() -> dt.datetime:
    """UTC now, naive, as the warehouse stores times."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# A report's whole text, kept twice (its bytes and its normalised text), is most of what ingest writes. Left to
# choose, DuckDB weighs every method at each commit and, on texts that share much (agencies copy one another's
# reports; a re-published report repeats its first version), picks dictionary compression: on 10,000 seed-sized
# reports that was 3.3 of the writer's 6 core-seconds, and a file four times larger than with ZSTD, which it
# picks anyway for texts that share less. Naming ZSTD skips the weighing and keeps the file small either way.
COLUMN_COMPRESSION = {"raw.report_sources": {"raw_bytes": "zstd", "normalised_text": "zstd"}}


def create_table(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Create ``table`` with ``frame``'s columns if missing; a table an older xxgk wrote gets the columns it lacks,
    in the frame's order: the frames are the only definition of these tables, and a warehouse upgraded is the
    one built fresh, column for column. Columns the frame no longer has (history an older xxgk kept) stay, last.
    """
    schema, name = table.split(".")
    con.execute(f"create schema if not exists {schema}")
    typed = [(column, kind) for column, kind, *_ in con.execute("describe select * from frame").fetchall()]
    compression = COLUMN_COMPRESSION.get(table, {})

    def definition(columns: list[tuple[str, str]]) -> str:
        return ", ".join(f"{c} {k}" + (f" using compression {compression[c]}" if c in compression else "")
                         for c, k in columns)

    con.execute(f"create table if not exists {table} ({definition(typed)})")
    have = con.execute("select column_name, data_type from duckdb_columns() where schema_name = ? and table_name = ? "
                       "order by column_index", [schema, name]).fetchall()
    wanted = [c for c, _ in typed]
    if [c for c, _ in have if c in wanted] != wanted:
        # Written anew in the frame's order (once, when an upgrade adds columns): on the work copy, so a failure
        # half-way publishes nothing.
        kept = [(c, k) for c, k in have if c not in wanted]
        con.execute(f"create table {schema}.{name}__columns ({definition(typed + kept)})")
        con.execute(f"insert into {schema}.{name}__columns by name select * from {table}")
        con.execute(f"drop table {table}")
        con.execute(f"alter table {schema}.{name}__columns rename to {name}")
    describe(con, table, wanted)


@lru_cache(maxsize=1)
def source_docs() -> dict[str, tuple[str, dict[str, str]]]:
    """The descriptions of the tables xxgk writes itself, as the dbt project documents them (its sources, in any
    yml of its models; doc blocks resolved): "raw.reports" → (its description, {column: description}).

    >>> source_docs()["raw.report_cells"][1]["candidates"][:40]
    'an unresolved cell of a glued digit run:'
    """
    blocks = {m[1]: " ".join(m[2].split()) for m in re.finditer(r"{%\s*docs\s+(\w+)\s*%}(.*?){%\s*enddocs\s*%}",
                                                     "".join(p.read_text("utf-8") for p in
                                                             sorted((DBT_PROJECT / "models").rglob("*.md"))), re.S)}

    def text(description: str) -> str:
        return re.sub(r"{{\s*doc\('(\w+)'\)\s*}}", lambda m: blocks[m[1]], description or "").strip()

    sources = [source for path in sorted((DBT_PROJECT / "models").rglob("*.yml"))
               for source in (yaml.safe_load(path.read_text("utf-8")) or {}).get("sources", [])]
    return {f"{source['schema']}.{table['name']}": (text(table.get("description")),
                                                    {c["name"]: text(c.get("description")) for c in table.get("columns", [])})
            for source in sources for table in source["tables"]}


def describe(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> None:
    """Comment ``table`` and its ``columns`` with their descriptions (``source_docs``), so that analysts read them in
    ``duckdb_tables()`` and ``duckdb_columns()``."""
    description, column_docs = source_docs().get(table, ("", {}))
    if description:
        con.execute(f"comment on table {table} is {sql_literal(description)}")
    for name in columns:
        if column_docs.get(name):
            con.execute(f"comment on column {table}.{name} is {sql_literal(column_docs[name])}")


# The layout of the warehouse this xxgk writes: xxgk/migrations.py brings an older one to it.
SCHEMA_VERSION = 2
SCHEMA_TABLE = "meta.schema_version"
_SCHEMA_COLUMNS = {"version": pl.Int32, "applied_at": pl.Datetime("us"), "description": pl.String}


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """``raw.*``, the run log and the reviews, created from their frames; a warehouse created here is at
    SCHEMA_VERSION."""
    new = not has_relation(con, "raw", "reports")
    for name in SCHEMA:
        create_table(con, f"raw.{name}", empty(name))
    create_table(con, RUNS, pl.DataFrame(schema=RUN_COLUMNS))
    create_table(con, REVIEWS, pl.DataFrame(schema=REVIEW_COLUMNS))
    if new:
        record_schema_version(con, SCHEMA_VERSION, "created at this version")


def record_schema_version(con: duckdb.DuckDBPyConnection, version: int, description: str) -> None:
    """A line of ``meta.schema_version``: the warehouse is at ``version`` from now on."""
    create_table(con, SCHEMA_TABLE, pl.DataFrame(schema=_SCHEMA_COLUMNS))
    con.execute(f"insert into {SCHEMA_TABLE} values (?, ?, ?)", [version, now(), description])


def has_relation(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    """A table or view exists."""
    return bool(con.execute("select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                            [schema, name]).fetchone()[0])


def known_hashes(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {h for (h,) in con.execute("select sha256 from raw.report_sources").fetchall()}


def write_frames(con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame]) -> None:
    """Insert one batch of every raw table in one transaction: a report is wholly in or not at all. DuckDB reads
    each polars frame in place, as Arrow with polars' own string views (no conversion to Arrow's classic strings,
    which would copy every string of the batch once more)."""
    con.execute("begin transaction")
    try:
        for name, frame in frames.items():
            if frame.height:
                batch = frame.to_arrow(compat_level=pl.CompatLevel.newest())  # noqa: F841 (DuckDB scans it by name)
                con.execute(f"insert into raw.{name} by name select * from batch")
        con.execute("commit")
    except BaseException:
        rollback(con)
        raise


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back if a transaction is still open: a failed statement (disk full) may have ended it already, and a
    second error must not hide the first."""
    try:
        con.execute("rollback")
    except duckdb.Error:
        pass


def write_skipped(con: duckdb.DuckDBPyConnection, skipped: list[tuple[str, int | None, str]], seen: list[str],
                  at: dt.datetime) -> None:
    """Record the paths an ingest skipped; forget earlier skips of the paths it met (skipped again, or read)."""
    met = pl.DataFrame({"path": [p for p, _, _ in skipped] + list(seen)}, schema={"path": pl.String})  # noqa: F841 (read by SQL)
    rows = pl.DataFrame({"path": [p for p, _, _ in skipped], "size_bytes": [n for _, n, _ in skipped],
                         "reason": [r for _, _, r in skipped], "skipped_at": [at] * len(skipped)},
                        schema=SCHEMA["skipped_files"])
    con.execute("begin transaction")
    try:
        con.execute("delete from raw.skipped_files where path in (select path from met)")
        if rows.height:
            con.execute("insert into raw.skipped_files by name select * from rows")
        con.execute("commit")
    except BaseException:
        rollback(con)
        raise


def refresh_agency_names(con: duckdb.DuckDBPyConnection) -> bool:
    """Resolve every agency name the reports print (loaders/readers/agency.py: the name rules and the seeds), over the whole
    warehouse, into raw.agency_names. True when a name already there now stands for another agency (a report
    printing the name with its city came, an alias was added): the rows built from it must be built again."""
    from loaders.readers.agency import resolve

    names = dict(con.execute("select agency, count(*) from raw.reports where agency is not null group by 1").fetchall())
    resolved = resolve(names)
    frame = pl.DataFrame([(r.printed_name, r.agency_key, r.agency, r.resolved_by, r.note, names[r.printed_name])  # noqa: F841
                          for r in resolved], schema=SCHEMA["agency_names"], orient="row")
    before = {name: (key, agency) for name, key, agency in
              con.execute("select printed_name, agency_key, agency from raw.agency_names").fetchall()}
    changed = any(before.get(r.printed_name, (r.agency_key, r.agency)) != (r.agency_key, r.agency) for r in resolved)
    con.execute("begin transaction")
    try:
        con.execute("delete from raw.agency_names")
        con.execute("insert into raw.agency_names by name select * from frame")
        con.execute("commit")
    except BaseException:
        rollback(con)
        raise
    return changed


# Stages after which the next build and check start over: they changed rows already built (a name now stands for
# another agency, a source was forgotten, reports were re-parsed, the warehouse was migrated).
RESETS = ("agencies", "forget", "reparse", "migrate")


def reset_since(con: duckdb.DuckDBPyConnection, stage: str) -> list[str]:
    """The resetting stages (RESETS) the run log holds since the last run of ``stage``."""
    last = last_run(con, stage)
    if last is None:
        return []
    return [s for (s,) in con.execute(f"select distinct stage from {RUNS} where stage in ({', '.join('?' * len(RESETS))})"
                                      " and finished_at > ? order by 1", [*RESETS, last["finished_at"]]).fetchall()]


def last_run(con: duckdb.DuckDBPyConnection, stage: str) -> dict | None:
    """The latest finished run of ``stage`` in the run log, or None."""
    cur = con.execute(f"select * from {RUNS} where stage = ? order by finished_at desc limit 1", [stage])
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row)) if row else None


def newest_report(con: duckdb.DuckDBPyConnection) -> dt.datetime | None:
    """The watermark a stage starting now records: when the newest report in the warehouse was ingested."""
    return con.execute("select max(ingested_at) from raw.reports").fetchone()[0]


def record_run(con: duckdb.DuckDBPyConnection, run_id: str, stage: str, started_at: dt.datetime, is_full: bool,
               fingerprint: str | None, watermark: dt.datetime | None, n_reports: int) -> None:
    """Append a finished stage to the run log."""
    row = pl.DataFrame([{"run_id": run_id, "stage": stage, "started_at": started_at, "finished_at": now(),  # noqa: F841
                         "is_full": is_full, "fingerprint": fingerprint, "watermark": watermark,
                         "n_reports": n_reports}], schema=RUN_COLUMNS)
    con.execute(f"insert into {RUNS} by name select * from row")


class WarehouseChanged(WarehouseBusy):
    """The published warehouse was written by another process while the build ran."""


def work_name(db: Path) -> Path:
    """The private work file of a build of ``db``. One name for every build: the lock (``publishing``) lets one build
    of a warehouse run at a time, and dbt re-uses its parse of the project only for the same warehouse path.

    >>> work_name(Path("/srv/xxgk/warehouse.duckdb"))
    PosixPath('/srv/xxgk/.warehouse.duckdb.work')
    """
    return db.with_name(f".{db.name}.work")


def stage_name(work: Path) -> Path:
    """Where a build keeps its work copy as it was before a stage that may fail half-way (see pipeline._published)."""
    return work.with_name(f"{work.name}.stage")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM
    return True


def _remove_stale_work_files(db: Path) -> None:
    """Remove what a killed build left: called with the lock held, so no work file is another build's. Earlier
    xxgk named them by process (``.work-PID``): those too, once their process is gone."""
    pattern = re.compile(rf"^\.{re.escape(db.name)}\.work(-(\d+))?(\.wal|\.stage)?$")
    for f in db.parent.glob(f".{db.name}.work*"):
        m = pattern.match(f.name)
        if m and not (m.group(2) and _pid_alive(int(m.group(2)))):
            f.unlink(missing_ok=True)


def open_published(db: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published warehouse, its catalog read; while it is open no process can
    open the file for writing.

    Raises WarehouseBusy when a writer holds it, WarehouseUnreadable when it is not a whole DuckDB file,
    EnvironmentProblem when it cannot be read for lack of permission.
    """
    if not db.is_file():
        raise UsageError(f"{db} is not a file: give --db the path of a warehouse file (it is created if missing)")
    check_warehouse_file(db, writing=False)
    try:
        con = connect(db, read_only=True)
    except duckdb.Error as exc:
        raise _open_error(db, exc) from None
    try:
        con.execute("select count(*) from duckdb_tables()").fetchone()
        block_size, blocks = con.execute("select block_size, used_blocks from pragma_database_size() "
                                         "where database_name = current_database()").fetchone()
    except duckdb.Error as exc:
        con.close()
        raise _open_error(db, exc) from None
    # Its three headers and at least as many blocks as it uses: a shorter file was cut (a copy that ran out of
    # room…). Not its total blocks: a checkpoint cuts free blocks off the end of the file while the header
    # still counts them (a build that replaced a large table), and that file is whole. With a write-ahead
    # log the blocks it adds are counted too, before they are written, so the test is skipped.
    expected = 3 * 4096 + blocks * block_size
    if not Path(f"{db}.wal").exists() and db.stat().st_size < expected:
        con.close()
        raise WarehouseUnreadable(
            f"{db} is truncated: {db.stat().st_size} bytes where its blocks need {expected}. It was left untouched. "
            "Restore it from a backup, or move it aside to start a new warehouse; retrying will not help")
    return con


def _open_error(db: Path, exc: duckdb.Error) -> Exception:
    text = str(exc)
    if "Could not set lock" in text or "Conflicting lock" in text:
        holder = re.search(r"held in (.+?) \(PID (\d+)\)", text)
        who = f"{holder.group(1)} (PID {holder.group(2)})" if holder else "another process"
        return WarehouseBusy(
            f"{db} is open for writing by {who}. Close that session and run again; analysts should "
            f"open the warehouse read-only: duckdb -readonly {db}")
    known = classify(exc)
    if isinstance(known, EnvironmentProblem):
        return known
    detail = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return WarehouseUnreadable(
        f"{db} is not a readable DuckDB warehouse ({detail}). It was left untouched. Restore it from a backup, "
        "or move it aside to start a new warehouse; retrying will not help")


def _signature(db: Path) -> tuple:
    """What changes when anyone writes the file or its write-ahead log (no file is opened: opening and closing
    the database file would release this process's DuckDB lock on it)."""
    def one(path: Path):
        try:
            s = os.stat(path)
        except FileNotFoundError:
            return None
        return s.st_dev, s.st_ino, s.st_size, s.st_mtime_ns

    return one(db), one(Path(f"{db}.wal"))


# What a file that is not a DuckDB database usually is, by its first bytes (DuckDB's own say DUCK at offset 8).
_DUCKDB_MAGIC = (8, b"DUCK")
_OTHER_FORMATS = ((b"PAR1", "a Parquet file"), (b"SQLite format 3\0", "an SQLite database"),
                  (b"PK\x03\x04", "a ZIP archive (.xlsx, .docx…)"), (b"%PDF", "a PDF"), (b"\x1f\x8b", "a gzip file"),
                  (b"ARROW1", "an Arrow file"))


def check_warehouse_file(db: Path, writing: bool) -> None:
    """Refuse a --db that is not a DuckDB warehouse (exit 4), and one that is read-only when ``writing`` (exit 5),
    before anything is opened, locked or written beside it: DuckDB's own words for a Parquet file are "Cannot
    launch in-memory database in read-only mode!", and a lock file would be left beside it."""
    if not db.exists():
        return
    if db.is_dir():
        raise UsageError(f"{db} is a folder: give --db the path of a warehouse file (it is created if missing)")
    try:
        with open(db, "rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise EnvironmentProblem(f"cannot read {db}: {exc.strerror or exc}") from None
    at, magic = _DUCKDB_MAGIC
    if head[at: at + len(magic)] != magic:
        what = ("empty" if not head else
                next((f"{name}" for start, name in _OTHER_FORMATS if head.startswith(start)), "not a DuckDB file"))
        raise WarehouseUnreadable(
            f"{db} is not a readable DuckDB warehouse: it is {what}. It was left untouched. Give --db the "
            "warehouse file, or a path where no file is to start a new warehouse; retrying will not help")
    if writing and (not db.stat().st_mode & 0o222 or not os.access(db, os.W_OK)):
        raise EnvironmentProblem(
            f"{db} is read-only (mode {db.stat().st_mode & 0o777:04o}): xxgk does not replace a warehouse that "
            f"was made read-only. Make it writable (chmod u+w {db}) to build it, or give --db another path")


def _keep_ownership(work: Path, published: os.stat_result) -> None:
    """Give the work copy the mode, owner and group of the warehouse it replaces: a group-restricted warehouse
    stays so, and one a cron job (umask 077) rebuilds stays readable by the analysts who read it. Only root
    may give a file to another owner; anyone else keeps the group (of which they must be a member) and the
    mode, and becomes the owner."""
    try:
        os.chown(work, published.st_uid, published.st_gid)
    except PermissionError:
        try:
            os.chown(work, -1, published.st_gid)
        except PermissionError:
            raise EnvironmentProblem(
                f"cannot give the rebuilt warehouse the group of the one it replaces (gid {published.st_gid}): "
                "run the build as a member of that group; nothing was published") from None
    os.chmod(work, stat.S_IMODE(published.st_mode))


@contextmanager
def publishing(db_path: str | Path) -> Iterator[Path]:
    """Yield a private copy of the warehouse to write; publish it atomically if the block succeeds.

    Every connection to the work file must be closed when the block ends. Raises WarehouseBusy
    (another build, or a read-write session, holds the warehouse or wrote it meanwhile: nothing is
    published), WarehouseUnreadable, or EnvironmentProblem (the folder is not writable, the disk is
    full); the work file never outlives the block.
    """
    db = Path(db_path).resolve()
    check_warehouse_file(db, writing=True)
    lock_path = db.with_name(f".{db.name}.lock")
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
        lock = open(lock_path, "a+")
    except OSError as exc:
        raise EnvironmentProblem(
            f"cannot write in {db.parent}: {exc.strerror or exc}. A build writes a lock file and a work copy "
            "beside the warehouse: give --db a path in a writable folder") from None
    held = False
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            raise WarehouseBusy(f"another build of {db} is running (PID {lock.read().strip() or '?'}); "
                                "wait for it to finish") from None
        held = True
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        _remove_stale_work_files(db)
        work = work_name(db)
        work_wal = Path(f"{work}.wal")
        try:
            published = db.stat() if db.exists() else None
            before = _copy(db, work) if published else None
            yield work
            _fsync(work)
            if work_wal.exists():  # a connection was left open, or DuckDB could not checkpoint
                raise RuntimeError(f"{work_wal} still exists: a connection to the work file was not closed")
            if published:
                _keep_ownership(work, published)
            _swap(db, work, before)
        finally:
            work.unlink(missing_ok=True)
            work_wal.unlink(missing_ok=True)
            stage_name(work).unlink(missing_ok=True)
    finally:
        if held and not db.exists():  # nothing was published: no lock file left beside a path holding no warehouse
            lock_path.unlink(missing_ok=True)
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


def _copy(db: Path, work: Path) -> tuple:
    """Copy the published warehouse (and a write-ahead log a crashed writer left) to ``work``, with no writer
    able to start meanwhile; returns the signature it had."""
    con = open_published(db)
    try:
        before = _signature(db)
        wal = Path(f"{db}.wal")
        try:
            if wal.exists():  # part of the data, replayed when work opens
                shutil.copyfile(wal, f"{work}.wal")
            shutil.copyfile(db, work)  # last: closing it releases this process's lock on db (POSIX)
        except OSError as exc:
            raise classify(exc) if exc.errno in NO_ROOM_ERRNOS else EnvironmentProblem(
                f"cannot copy {db} to its work copy: {exc.strerror or exc}") from None
        return before
    finally:
        con.close()


def _swap(db: Path, work: Path, before: tuple | None) -> None:
    """Rename ``work`` over ``db`` unless ``db`` changed since it was copied or is open for writing now."""
    changed = (f"{db} was written by another process while this build ran (a read-write session, such as "
               "DBeaver's default?). Publishing would discard what it wrote, so nothing was published and the "
               "warehouse keeps it. Run the command again; analysts should open the warehouse read-only: "
               f"duckdb -readonly {db}")
    if before is None:
        if db.exists():
            raise WarehouseChanged(changed)
        os.replace(work, db)
        _fsync(db.parent)
        return
    if not db.exists():
        raise WarehouseChanged(f"{db} was removed while this build ran; nothing was published")
    try:
        con = open_published(db)  # no writer can open it until the rename is done
    except WarehouseBusy as exc:
        raise WarehouseChanged(f"{exc} (it was opened for writing while this build ran; nothing was published: "
                               "publishing would discard what that session writes)") from None
    try:
        if _signature(db) != before:
            raise WarehouseChanged(changed)
        Path(f"{db}.wal").unlink(missing_ok=True)  # unchanged since it was copied: its content is in work
        os.replace(work, db)
        _fsync(db.parent)
    finally:
        con.close()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
