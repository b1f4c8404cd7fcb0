"""Ingest files into the warehouse: discover, then read, hash and parse in chunks (optionally in a
process pool), then write.

Each chunk of files becomes Arrow tables where it was parsed, so the process that writes the
warehouse only inserts; content already in the warehouse is recognised by its hash and not parsed
again; at most a few chunks are in flight, so memory stays bounded however many files there are.
"""
from __future__ import annotations

import datetime as dt
import gc
import os
import signal
import sys
import threading
from collections import Counter, deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Iterable, Iterator

import pyarrow as pa
import pyarrow.compute as pc
from tqdm import tqdm

from . import store
from .report import ParsedReport, parse_source, report_id_for

EXTENSIONS = {".txt", ".html", ".htm", ".md", ".pdf", ".docx", ".doc", ".wps"}
# A real report parses in milliseconds; this only stops an input that would hold a worker hostage.
PARSE_SECONDS = 20
# Files a worker reads, parses and turns into Arrow tables at a time.
CHUNK_FILES = 200


class ParseTimeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise ParseTimeout


@dataclass
class IngestSummary:
    counts: Counter = field(default_factory=Counter)  # loaded / partial / rejected / unchanged
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (path, status, error)

    def line(self) -> str:
        c = self.counts
        return (f"{c['loaded']} loaded, {c['partial']} partial, {c['rejected']} rejected, "
                f"{c['unchanged']} unchanged (already in the warehouse)")


def discover(paths: Iterable[str | Path]) -> list[str]:
    """Files to ingest: the given files, and report files found recursively in given directories.

    Symlinks are not followed out of the directories given, so a link cannot pull in files
    from elsewhere on the machine.
    """
    found: list[str] = []
    for p in map(Path, paths):
        if p.is_dir():
            root = p.resolve()
            for dirpath, dirnames, filenames in os.walk(p, followlinks=False):
                dirnames.sort()
                for name in sorted(filenames):
                    if os.path.splitext(name)[1].lower() not in EXTENSIONS:
                        continue
                    f = os.path.join(dirpath, name)
                    # Linked directories are not walked, so only a linked file can lead outside.
                    if not os.path.islink(f) or Path(f).resolve().is_relative_to(root):
                        found.append(f)
        elif p.exists():
            found.append(str(p))
        else:
            raise FileNotFoundError(f"{p}: no such file or directory (give report files or folders of them)")
    return found


@dataclass
class Chunk:
    """What a worker hands back for a chunk of files."""

    files: list[tuple[str, str, str, str | None]]  # (path, sha256, status, error); sha256 '' when unreadable
    tables: dict[str, pa.Table]  # rows of the raw tables for the files to store


def read_chunk(paths: list[str], known: frozenset[str] | set[str] = frozenset()) -> Chunk:
    """Read, hash and parse files; content whose hash is in ``known`` is not parsed again.

    Never raises for a bad file, so one file cannot stop the batch.
    """
    rows, files, seen = store.ReportRows(), [], set()
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            files.append((path, "", "rejected", f"cannot read file: {exc.strerror or exc}"))
            continue
        rid, sha = report_id_for(data)
        if sha in known or sha in seen:
            files.append((path, sha, "unchanged", None))
            continue
        seen.add(sha)
        parsed = _parse_bounded(data)
        # Per file, so that "ingested since" (incremental builds and checks) is exact.
        rows.add(path, data, sha, rid, parsed, dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))
        files.append((path, sha, parsed.status, parsed.error))
    return Chunk(files, rows.to_arrow())


def _parse_bounded(data: bytes) -> ParsedReport:
    timed = threading.current_thread() is threading.main_thread()  # signals work in the main thread only
    if timed:
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, PARSE_SECONDS)
    try:
        return parse_source(data)
    except ParseTimeout:
        return ParsedReport("rejected", f"parsing took longer than {PARSE_SECONDS} s; the file is kept, not read")
    except Exception as exc:  # a parser bug must cost one file, not the batch
        return ParsedReport("rejected", f"internal parser error ({type(exc).__name__}: {exc}); please report it")
    finally:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)


# The hashes already in the warehouse, in a worker process: inherited when the pool forks, so a
# warehouse of a million reports is not pickled once per chunk.
_known_in_worker: frozenset[str] = frozenset()


def _init_worker(known: frozenset[str]) -> None:
    global _known_in_worker
    _known_in_worker = known
    # Parsing allocates millions of short-lived tuples; full collections that re-scan the
    # inherited objects (caches, the known hashes) cost a fifth of a worker's time.
    gc.freeze()
    gc.set_threshold(10_000, 50, 1_000)


def _read_chunk_in_worker(paths: list[str]) -> Chunk:
    return read_chunk(paths, _known_in_worker)


def _chunks(files: list[str], known: frozenset[str], workers: int) -> Iterator[Chunk]:
    """Chunks in file order; with workers, at most two per worker in flight (bounded memory)."""
    pieces = (files[i: i + CHUNK_FILES] for i in range(0, len(files), CHUNK_FILES))
    if workers <= 1:
        yield from (read_chunk(piece, known) for piece in pieces)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork"),
                             initializer=_init_worker, initargs=(known,)) as pool:
        in_flight: deque = deque()
        for piece in pieces:
            in_flight.append(pool.submit(_read_chunk_in_worker, piece))
            if len(in_flight) >= 2 * workers:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()


def ingest(paths: Iterable[str | Path], db_path: str | Path, workers: int = 1,
           progress: bool = True, batch_size: int = 2000) -> IngestSummary:
    """Ingest report files into ``db_path``; re-ingesting the same content is a no-op.

    Reports are written in transactions of about ``batch_size`` reports.
    """
    files = discover(paths)
    summary = IngestSummary()
    con = store.connect(db_path)
    try:
        store.ensure_schema(con)
        known = frozenset(store.known_hashes(con))
        written: set[str] = set()  # this run's content, which chunks parsed in parallel may repeat
        pending: list[dict[str, pa.Table]] = []
        n_pending = 0
        bar = tqdm(total=len(files), unit="file", desc="ingest", disable=not progress, file=sys.stderr)
        for chunk in _chunks(files, known, workers):
            bar.update(len(chunk.files))
            repeated = []
            for path, sha, status, error in chunk.files:
                if status != "unchanged" and sha in written:
                    repeated.append(sha[:16])
                    status = "unchanged"
                written.add(sha)
                summary.counts[status] += 1
                if status in ("partial", "rejected"):
                    summary.problems.append((path, status, error or ""))
            tables = _without_reports(chunk.tables, repeated) if repeated else chunk.tables
            pending.append(tables)
            n_pending += tables["reports"].num_rows
            if n_pending >= batch_size:
                _write(con, pending)
                pending, n_pending = [], 0
        _write(con, pending)
        bar.close()
    finally:
        con.close()
    return summary


def _without_reports(tables: dict[str, pa.Table], report_ids: list[str]) -> dict[str, pa.Table]:
    drop = pa.array(report_ids, pa.string())
    return {name: t.filter(pc.invert(pc.is_in(t["report_id"], value_set=drop))) for name, t in tables.items()}


def _write(con, pending: list[dict[str, pa.Table]]) -> None:
    if pending:
        store.write_tables(con, {name: pa.concat_tables([p[name] for p in pending]) for name in pending[0]})
