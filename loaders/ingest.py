"""Ingest files into the warehouse: discover, hash, parse (optionally in a process pool), write."""
from __future__ import annotations

import os
import signal
import sys
import threading
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from tqdm import tqdm

from . import store
from .report import ParsedReport, parse_source, report_id_for

EXTENSIONS = {".txt", ".html", ".htm", ".md"}
# A real report parses in milliseconds; this only stops an input that would hold a worker hostage.
PARSE_SECONDS = 20


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


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Files to ingest: the given files, and report files found recursively in given directories.

    Symlinks are not followed out of the directories given, so a link cannot pull in files
    from elsewhere on the machine.
    """
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            root = p.resolve()
            for dirpath, dirnames, filenames in os.walk(p, followlinks=False):
                dirnames.sort()
                for name in sorted(filenames):
                    f = Path(dirpath) / name
                    if f.suffix.lower() in EXTENSIONS and f.resolve().is_relative_to(root):
                        found.append(f)
        elif p.exists():
            found.append(p)
        else:
            raise FileNotFoundError(f"{p}: no such file or directory (give report files or folders of them)")
    return found


def _read_and_parse(path: str) -> tuple[str, bytes, str, str, ParsedReport]:
    """Worker: everything for one file. Never raises, so one file cannot stop the batch."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return path, b"", "", "", ParsedReport("rejected", f"cannot read file: {exc.strerror or exc}")
    rid, sha = report_id_for(data)
    timed = threading.current_thread() is threading.main_thread()  # signals work in the main thread only
    if timed:
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, PARSE_SECONDS)
    try:
        parsed = parse_source(data)
    except ParseTimeout:
        parsed = ParsedReport("rejected", f"parsing took longer than {PARSE_SECONDS} s; the file is kept, not read")
    except Exception as exc:  # a parser bug must cost one file, not the batch
        parsed = ParsedReport("rejected", f"internal parser error ({type(exc).__name__}: {exc}); please report it")
    finally:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return path, data, sha, rid, parsed


def _parsed(paths: list[str], workers: int) -> Iterator[tuple[str, bytes, str, str, ParsedReport]]:
    if workers <= 1:
        yield from map(_read_and_parse, paths)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(_read_and_parse, paths, chunksize=16)


def ingest(paths: Iterable[str | Path], db_path: str | Path, workers: int = 1,
           progress: bool = True, batch_size: int = 500) -> IngestSummary:
    """Ingest report files into ``db_path``; re-ingesting the same content is a no-op."""
    files = [str(f) for f in discover(paths)]
    summary = IngestSummary()
    con = store.connect(db_path)
    try:
        store.ensure_schema(con)
        known = store.known_hashes(con)
        writer = store.BatchWriter(con, batch_size=batch_size)
        bar = tqdm(total=len(files), unit="file", desc="ingest", disable=not progress, file=sys.stderr)
        for path, data, sha, rid, parsed in _parsed(files, workers):
            bar.update(1)
            if sha and sha in known:
                summary.counts["unchanged"] += 1
                continue
            if not sha:  # unreadable file: nothing to keep but the error
                summary.counts["rejected"] += 1
                summary.problems.append((path, "rejected", parsed.error or ""))
                continue
            known.add(sha)
            writer.add(path, data, sha, rid, parsed)
            summary.counts[parsed.status] += 1
            if parsed.status != "loaded":
                summary.problems.append((path, parsed.status, parsed.error or ""))
        writer.flush()
        bar.close()
    finally:
        con.close()
    return summary
