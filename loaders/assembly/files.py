"""Files → frames: read, hash and parse a chunk of files, the chunk becoming the polars frames of the raw
tables (frames.py). Bounded: a file too large or not regular is not read, a parse that runs too long or
fails costs that file only.

Nothing here opens the warehouse or starts a process: xxgk finds the files (xxgk/scan.py), parses chunks
in its workers (xxgk/workers.py) and inserts the frames (xxgk/ingest.py). Content the caller already holds
is recognised by its hash and not parsed again.
"""
from __future__ import annotations

import datetime as dt
import os
import signal
import stat
import threading
from dataclasses import dataclass

import polars as pl

from ..containers.decode import MAX_REPORT_BYTES
from .frames import ReportRows
from .report import ParsedReport, parse_source, report_id_for

# A real report parses in milliseconds; this only stops an input that would hold a worker hostage.
PARSE_SECONDS = 20
# A file larger than this is not one report: it is listed as skipped, never read into memory.
MAX_FILE_BYTES = MAX_REPORT_BYTES


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



def too_large(size: int) -> str:
    return (f"too large for one report: {size} bytes, over the {MAX_FILE_BYTES}-byte limit "
            "(several reports, or not a report?); not read")


def file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "named pipe"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISDIR, "folder")):
        if test(mode):
            return kind
    return "special file"




@dataclass
class Chunk:
    """What a worker hands back for a chunk of files."""

    # (path, sha256, status, error); sha256 '' when unreadable; status 'skipped' (error: why) when not read
    files: list[tuple[str, str, str, str | None]]
    frames: dict[str, pl.DataFrame]  # rows of the raw tables for the files to store
    ocr_pages: int = 0  # pages of these files read by OCR

    def __reduce__(self):
        # From a worker as Arrow tables in polars' own layout (string views, newest compat level): pickling
        # them copies buffers, a third of the cost of pickling polars frames, and the parent takes them back
        # without a copy. Nothing here needs polars' thread pool, which a forked worker does not have.
        tables = {name: frame.to_arrow(compat_level=pl.CompatLevel.newest()) for name, frame in self.frames.items()}
        return _chunk_from_arrow, (self.files, tables, self.ocr_pages)


def _chunk_from_arrow(files: list[tuple[str, str, str, str | None]], tables: dict, ocr_pages: int) -> Chunk:
    return Chunk(files, {name: pl.from_arrow(table, rechunk=False) for name, table in tables.items()}, ocr_pages)


def read_file(path: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; OSError otherwise. Opening never blocks (a
    path that became a named pipe since the scan), and no more than ``limit`` + 1 bytes are read."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular(f"not a regular file ({file_kind(st.st_mode)}): not read")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
        if len(data) > limit:
            raise NotRegular(too_large(max(st.st_size, len(data))))
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
    return Chunk(files, rows.to_frames(), rows.ocr_pages)


def reparse_chunk(stored: list[tuple[str, bytes, dt.datetime | None]]) -> Chunk:
    """Parse again contents already in the warehouse: (source_path as stored, raw bytes, first_seen_at). Their rows
    replace the ones an older parser wrote; the path and the first-seen time stay theirs."""
    from ..containers import ocr

    rows, files = ReportRows(), []
    # A stored report is parsed again whole: --no-ocr is about new files, and must not drop an OCR'd report's rows.
    enabled, ocr.ENABLED = ocr.ENABLED, True
    try:
        for path, data, first_seen_at in stored:
            rid, sha = report_id_for(data)
            files.append(_parse_into(rows, path, path, data, sha, rid, first_seen_at))
    finally:
        ocr.ENABLED = enabled
    return Chunk(files, rows.to_frames(), rows.ocr_pages)


def _parse_into(rows: ReportRows, path: str, shown: str, data: bytes, sha: str, rid: str,
                first_seen_at: dt.datetime | None = None) -> tuple[str, str, str, str | None]:
    """Parse one content into ``rows``; (path, sha256, status, error). Never raises for a bad file."""
    parsed = _parse_bounded(data)
    if parsed.status == "skipped":
        return path, sha, "skipped", parsed.error
    # Per file, so that "ingested since" (incremental builds and checks) is exact. It decides nothing
    # else: which version of a report is current is decided by evidence (int_report_versions).
    rows.add(shown, data, sha, rid, parsed, dt.datetime.now(dt.UTC).replace(tzinfo=None), first_seen_at)
    return path, sha, parsed.status, parsed.error


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
