"""What went wrong, as an exit code a scheduler can act on, and a message a person can act on.

| code | meaning | what to do |
|---|---|---|
| 0 | success | |
| 1 | new error findings (``check``, ``run``): the warehouse was published | read the findings |
| 2 | usage or input error: bad arguments, a missing input, ``--out`` overlapping the inputs or naming a file, a command run before the one it needs | fix the command |
| 3 | warehouse busy: another build, or a read-write session, holds it or wrote to it during the build | retry later |
| 4 | warehouse unreadable: not a DuckDB file, truncated or corrupt | do not retry: restore it or move it aside |
| 5 | environment: disk full, file size limit, permission denied, read-only location or warehouse | fix the machine, then retry |
| 6 | a stage failed: a dbt model or data test, the GX validation, writing the dashboard | read the message |
| 70 | internal error (a bug): a traceback is printed | report it |
| 130 | interrupted (Ctrl-C, SIGTERM): nothing published, the work copy removed | |
"""
from __future__ import annotations

import errno
import re

OK, NEW_ERRORS, USAGE, BUSY, UNREADABLE, ENVIRONMENT, STAGE_FAILED, INTERNAL, INTERRUPTED = 0, 1, 2, 3, 4, 5, 6, 70, 130


class XxgkError(Exception):
    """An expected failure: its message is for the person running the command."""

    exit_code = INTERNAL


class UsageError(XxgkError):
    exit_code = USAGE


class WarehouseBusy(XxgkError):
    """The warehouse cannot be written now; the message says who holds it and what to do."""

    exit_code = BUSY


class WarehouseUnreadable(XxgkError):
    exit_code = UNREADABLE


class EnvironmentProblem(XxgkError):
    exit_code = ENVIRONMENT


class StageFailed(XxgkError):
    exit_code = STAGE_FAILED


# errno values and DuckDB messages that mean "no room to write".
NO_ROOM_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}
NO_ROOM_WORDS = ("No space left on device", "File too large", "Disk quota exceeded")
NO_ACCESS_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS}
NO_ACCESS_WORDS = ("Permission denied", "Read-only file system")
# DuckDB's words for a file that is not (or no longer) a whole DuckDB database.
DAMAGED_WORDS = ("not a valid DuckDB database file", "Could not read enough bytes", "Corrupt", "corrupt",
                 "checksum", "Serialization Error", "database file with version number", "INTERNAL Error")


def no_room(text: str) -> bool:
    return any(w in text for w in NO_ROOM_WORDS)


def classify(exc: BaseException) -> XxgkError | None:
    """The expected failure an exception stands for (disk full, no access, damaged file), or None."""
    if isinstance(exc, XxgkError):
        return exc
    text = str(exc)
    if isinstance(exc, OSError) and exc.errno in NO_ROOM_ERRNOS or no_room(text):
        what = exc.strerror if isinstance(exc, OSError) and exc.strerror else _first_line(text)
        return EnvironmentProblem(f"no room to write ({what}). Nothing was published; free disk space "
                                  "(a build needs room for a second copy of the warehouse) and run again")
    if isinstance(exc, OSError) and exc.errno in NO_ACCESS_ERRNOS or any(w in text for w in NO_ACCESS_WORDS):
        return EnvironmentProblem(f"cannot write: {_first_line(text)}")
    if "duckdb" in type(exc).__module__ and any(w in text for w in DAMAGED_WORDS):
        return WarehouseUnreadable(f"the warehouse cannot be read: {_first_line(text)}. It is damaged (truncated "
                                   "or overwritten); restore it from a backup or move it aside; retrying will not help")
    return None


def no_room_line(text: str) -> str:
    """The first line of ``text`` that says there was no room to write."""
    return next((line.strip() for line in text.splitlines() if no_room(line)), _first_line(text))


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


# C0 and C1 controls, DEL, and the bidirectional overrides and isolates that reorder what a terminal shows.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_UNPRINTABLE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def printable(text: str, one_line: bool = False) -> str:
    """Text safe to print on a terminal: control characters (ANSI escapes included) and bidi overrides shown as
    escapes; a file name that is not UTF-8 shows its bytes as escapes too. ``one_line`` escapes line breaks and
    tabs as well (for a path in a one-line message).

    >>> printable("a\\x1b[31mb\\u202ec\\udcff")
    'a\\\\x1b[31mb\\\\u202ec\\\\xff'
    >>> printable("a\\nb", one_line=True)
    'a\\\\nb'
    """
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    pattern = _UNPRINTABLE_LINE if one_line else _UNPRINTABLE
    return pattern.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
