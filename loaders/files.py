"""Files → frames: discover report files, then read, hash and parse them in chunks (optionally in a
process pool), each chunk becoming the polars frames of the raw tables (loaders/frames.py).

Nothing here opens the warehouse: ``xxgk.ingest`` inserts the frames. Content the caller already
holds is recognised by its hash and not parsed again; at most a few chunks are in flight, so memory
stays bounded however many files there are.
"""
from __future__ import annotations

import datetime as dt
import errno
import gc
import os
import signal
import stat
import threading
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Iterable, Iterator

import polars as pl

from .frames import ReportRows
from .children import die_with
from .metadata import further_reports, may_hold_several, printed_date
from .normalise import MAX_REPORT_BYTES, to_simplified
from .report import ParsedReport, parse_source, report_id_for

EXTENSIONS = {".txt", ".html", ".htm", ".md", ".pdf", ".docx", ".doc", ".wps"}
# A real report parses in milliseconds; this only stops an input that would hold a worker hostage.
PARSE_SECONDS = 20
# Files a worker reads, parses and turns into Arrow tables at a time, at most CHUNK_FILES files and
# CHUNK_BYTES of them (so 120 files of 18 MB are not one chunk of 2 GB).
CHUNK_FILES = 200
CHUNK_BYTES = 32 * 1024 * 1024
# A file larger than this is not one report: it is listed as skipped, never read into memory.
MAX_FILE_BYTES = MAX_REPORT_BYTES
# A folder holding this file is xxgk's own output (a dashboard): never read as input.
OUTPUT_MARKER = ".xxgk-output"


class ParseTimeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise ParseTimeout


def shown_path(path: str) -> str:
    """A path as stored and shown: a file name that is not UTF-8 keeps its bytes as escapes (\\xNN).

    >>> shown_path("a/" + chr(0xdcb0) + chr(0xdca1) + ".txt")  # GBK bytes b0 a1, decoded by os.fsdecode
    'a/\\\\xb0\\\\xa1.txt'
    """
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


@dataclass
class Scan:
    """What a set of paths holds: the files to read (path, size), and every path passed over, with why."""

    files: list[tuple[str, int]] = field(default_factory=list)
    skipped: list[tuple[str, int | None, str]] = field(default_factory=list)


def scan(paths: Iterable[str | Path], exclude: Iterable[str | Path] = ()) -> Scan:
    """Files to ingest: the given files, and report files found recursively in given folders; every other
    path met is listed as skipped with the reason (unsupported type, too large, not a regular file,
    unreadable folder, a link out of the folder or in a loop, xxgk's own output).

    Only regular files are read. Symbolic links are not followed out of the folders given, nor into
    folders, so a link cannot pull in files from elsewhere on the machine. ``exclude``: the warehouse,
    whose own files (work copy, lock, log) are never read even inside an input folder.
    """
    out = Scan()
    own = {os.path.realpath(e) for e in exclude}
    own_prefixes = tuple(f".{os.path.basename(e)}." for e in own)
    for p in map(str, paths):
        try:
            st = os.stat(p)
        except FileNotFoundError:
            if not os.path.lexists(p):
                raise FileNotFoundError(f"{p}: no such file or directory (give report files or folders of them)")
            out.skipped.append((p, None, "broken symbolic link"))
            continue
        except OSError as exc:
            out.skipped.append((p, None, _os_reason(exc)))
            continue
        if stat.S_ISDIR(st.st_mode):
            _walk(p, out, own, own_prefixes)
        else:
            _consider(p, st, out, own, own_prefixes, explicit=True)
    return out



def _walk(root: str, out: Scan, own: set[str], own_prefixes: tuple[str, ...]) -> None:
    real_root = Path(os.path.realpath(root))
    stack = [root]
    while stack:
        folder = stack.pop()
        if _is_own_output(folder):
            out.skipped.append((folder, None, "xxgk's own output (a dashboard folder): never read as input"))
            continue
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            out.skipped.append((folder, None, f"folder cannot be read: {_os_reason(exc)}"))
            continue
        subfolders = []
        for entry in entries:
            path = entry.path
            try:
                if entry.is_symlink():
                    try:
                        st = os.stat(path)
                    except OSError as exc:
                        out.skipped.append((path, None, "symbolic link loop" if exc.errno == errno.ELOOP else
                                            "broken symbolic link" if exc.errno == errno.ENOENT else _os_reason(exc)))
                        continue
                    target = os.path.realpath(path)
                    if not Path(target).is_relative_to(real_root):
                        out.skipped.append((path, None, f"symbolic link to {shown_path(target)}, outside the folder "
                                                        "given: not followed"))
                    elif stat.S_ISDIR(st.st_mode):
                        out.skipped.append((path, None, "symbolic link to a folder: not followed (its files are "
                                                        "read where they are)"))
                    else:
                        _consider(path, st, out, own, own_prefixes)
                elif entry.is_dir(follow_symlinks=False):
                    subfolders.append(path)
                else:
                    _consider(path, entry.stat(follow_symlinks=False), out, own, own_prefixes)
            except OSError as exc:
                out.skipped.append((path, None, _os_reason(exc)))
        stack.extend(reversed(subfolders))  # depth first, in name order


def _is_own_output(folder: str) -> bool:
    """A folder xxgk wrote: the marker `xxgk dashboard` leaves, or a dashboard's pages written before it did."""
    return os.path.exists(os.path.join(folder, OUTPUT_MARKER)) or all(
        os.path.exists(os.path.join(folder, name)) for name in ("index.html", "findings.html", "reports"))


def _consider(path: str, st: os.stat_result, out: Scan, own: set[str], own_prefixes: tuple[str, ...],
              explicit: bool = False) -> None:
    name = os.path.basename(path)
    # By name first: resolving every path of a national corpus would cost millions of system calls.
    if name.startswith(own_prefixes) or any(name in (os.path.basename(o), os.path.basename(o) + ".wal")
                                            for o in own) and os.path.realpath(path).removesuffix(".wal") in own:
        out.skipped.append((path, st.st_size, "the warehouse's own file: never read as input"))
    elif not stat.S_ISREG(st.st_mode):
        out.skipped.append((path, None, f"not a regular file ({_file_kind(st.st_mode)}): not read"))
    elif not explicit and os.path.splitext(name)[1].lower() not in EXTENSIONS:
        ext = os.path.splitext(name)[1].lower() or "no extension"
        out.skipped.append((path, st.st_size, f"unsupported type ({ext}); reports are read from "
                                              f"{', '.join(sorted(EXTENSIONS))}"))
    elif st.st_size > MAX_FILE_BYTES:
        out.skipped.append((path, st.st_size, _too_large(st.st_size)))
    else:
        out.files.append((path, st.st_size))


def _too_large(size: int) -> str:
    return (f"too large for one report: {size} bytes, over the {MAX_FILE_BYTES}-byte limit "
            "(several reports, or not a report?); not read")


def _file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "named pipe"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISDIR, "folder")):
        if test(mode):
            return kind
    return "special file"


def _os_reason(exc: OSError) -> str:
    return f"cannot be read: {exc.strerror or exc}"


@dataclass
class Chunk:
    """What a worker hands back for a chunk of files."""

    # (path, sha256, status, error); sha256 '' when unreadable; status 'skipped' (error: why) when not read
    files: list[tuple[str, str, str, str | None]]
    frames: dict[str, pl.DataFrame]  # rows of the raw tables for the files to store

    def __reduce__(self):
        # From a worker as Arrow tables in polars' own layout (string views, newest compat level): pickling
        # them copies buffers, a third of the cost of pickling polars frames, and the parent takes them back
        # without a copy. Nothing here needs polars' thread pool, which a forked worker does not have.
        tables = {name: frame.to_arrow(compat_level=pl.CompatLevel.newest()) for name, frame in self.frames.items()}
        return _chunk_from_arrow, (self.files, tables)


def _chunk_from_arrow(files: list[tuple[str, str, str, str | None]], tables: dict) -> Chunk:
    return Chunk(files, {name: pl.from_arrow(table, rechunk=False) for name, table in tables.items()})


def read_file(path: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; OSError otherwise. Opening never blocks (a
    path that became a named pipe since the scan), and no more than ``limit`` + 1 bytes are read."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular(f"not a regular file ({_file_kind(st.st_mode)}): not read")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
        if len(data) > limit:
            raise NotRegular(_too_large(max(st.st_size, len(data))))
        return data
    finally:
        os.close(fd)


class NotRegular(OSError):
    """A path the scan listed as a file that is not one to read (anymore): skipped with this reason."""


def read_chunk(paths: list[str], known: frozenset[str] | set[str] = frozenset()) -> Chunk:
    """Read, hash and parse files; content whose hash is in ``known`` is not parsed again.

    Never raises for a bad file, so one file cannot stop the batch.
    """
    rows, files, seen = ReportRows(), [], set()
    for path in paths:
        try:
            data = read_file(path)
        except NotRegular as exc:
            files.append((path, "", "skipped", str(exc)))
            continue
        except OSError as exc:
            files.append((path, "", "rejected", f"cannot read file: {exc.strerror or exc}"))
            continue
        rid, sha = report_id_for(data)
        if sha in known or sha in seen:
            files.append((path, sha, "unchanged", None))
            continue
        seen.add(sha)
        files.append(_parse_into(rows, path, shown_path(path), data, sha, rid))
    return Chunk(files, rows.to_frames())


def reparse_chunk(stored: list[tuple[str, bytes, dt.datetime | None]]) -> Chunk:
    """Parse again contents already in the warehouse: (source_path as stored, raw bytes, first_seen_at). Their rows
    replace the ones an older parser wrote; the path and the first-seen time stay theirs."""
    rows, files = ReportRows(), []
    for path, data, first_seen_at in stored:
        rid, sha = report_id_for(data)
        files.append(_parse_into(rows, path, path, data, sha, rid, first_seen_at))
    return Chunk(files, rows.to_frames())


def _parse_into(rows: ReportRows, path: str, shown: str, data: bytes, sha: str, rid: str,
                first_seen_at: dt.datetime | None = None) -> tuple[str, str, str, str | None]:
    """Parse one content into ``rows``; (path, sha256, status, error). Never raises for a bad file."""
    parsed = _parse_bounded(data)
    others = _further_reports(parsed)
    if others:
        n = len(others) + 1
        note = (f"the file holds {n} reports: {parsed.agency} {parsed.year} was read; "
                f"{'; '.join(others)} {'was' if n == 2 else 'were'} not: split the file and ingest each report")
        parsed.status, parsed.error = "partial", "; ".join(filter(None, [parsed.error, note]))
    # Per file, so that "ingested since" (incremental builds and checks) is exact. It decides nothing
    # else: which version of a report is current is decided by evidence (int_report_versions).
    rows.add(shown, data, sha, rid, parsed, dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
             printed_date=printed_date(parsed.normalised_text, parsed.year) if parsed.normalised_text else None,
             other_reports="; ".join(others) or None, first_seen_at=first_seen_at)
    return path, sha, parsed.status, parsed.error


def _further_reports(parsed: ParsedReport) -> list[str]:
    """The reports after the first in the same file (their identities), which the parser does not read."""
    text = parsed.normalised_text
    if parsed.status == "rejected" or not text or not may_hold_several(text):
        return []
    return further_reports(text, to_simplified(text) if parsed.script == "traditional" else None)


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


def _init_worker(known: frozenset[str], parent: int) -> None:
    global _known_in_worker
    _known_in_worker = known
    die_with(parent)  # a killed xxgk leaves no worker behind
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # xxgk's own handler (remove the work copy) is not a worker's
    # Parsing allocates millions of short-lived tuples; full collections that re-scan the
    # inherited objects (caches, the known hashes) cost a fifth of a worker's time.
    gc.freeze()
    gc.set_threshold(10_000, 50, 1_000)


def _read_chunk_in_worker(paths: list[str]) -> Chunk:
    return read_chunk(paths, _known_in_worker)


def in_pieces(files: list[tuple[str, int]]) -> Iterator[list[str]]:
    """Consecutive files (or stored reports: (id, size)) in pieces of at most CHUNK_FILES files and CHUNK_BYTES
    bytes (a single larger file, up to MAX_FILE_BYTES, is a piece of its own)."""
    piece: list[str] = []
    size = 0
    for path, n in files:
        if piece and (len(piece) >= CHUNK_FILES or size + n > CHUNK_BYTES):
            yield piece
            piece, size = [], 0
        piece.append(path)
        size += n
    if piece:
        yield piece


def chunks(files: list[tuple[str, int]], known: frozenset[str], workers: int) -> Iterator[Chunk]:
    """Chunks in file order; with workers, at most two per worker in flight (bounded memory). No more workers
    are started than there are chunks."""
    pieces = list(in_pieces(files))
    return _parsed(pieces, len(pieces), lambda piece: read_chunk(piece, known), _read_chunk_in_worker, workers, known)


def reparsed_chunks(stored: Iterable[list[tuple[str, bytes, dt.datetime | None]]], n_pieces: int,
                    workers: int) -> Iterator[Chunk]:
    """``reparse_chunk`` of each piece of stored contents, in order, as ``chunks`` parses files; ``stored`` may be
    lazy (each piece's bytes read from the warehouse when its turn comes), so at most a few pieces are held."""
    return _parsed(stored, n_pieces, reparse_chunk, reparse_chunk, workers, frozenset())


def _parsed(pieces: Iterable, n_pieces: int, here, in_worker, workers: int, known: frozenset[str]) -> Iterator[Chunk]:
    workers = min(workers, n_pieces)
    if workers <= 1:
        yield from (here(piece) for piece in pieces)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork"),
                             initializer=_init_worker, initargs=(known, os.getpid())) as pool:
        in_flight: deque = deque()
        for piece in pieces:
            in_flight.append(pool.submit(in_worker, piece))
            if len(in_flight) >= 2 * workers:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()
