"""``xxgk ingest``: the loaders' frames into ``raw.*``, in transactions, and a line in the run log.

The loaders (loaders/assembly/files.py) read and parse files into polars frames, in worker processes
(xxgk/workers.py); this process only inserts them. Content already in the warehouse is recognised by its hash and not
parsed again, so re-ingesting is a no-op.
"""
from __future__ import annotations

import sys
import uuid
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from tqdm import tqdm

from loaders.assembly.files import read_file, shown_path
from loaders.assembly.report import PARSER_VERSION, report_id_for

from . import warehouse
from .errors import UsageError
from .scan import scan
from .versions import forgotten_hashes, forgotten_reason
from .workers import chunks, in_pieces, reparsed_chunks

# Parsed chunks waiting to be written are written once they hold this many bytes (or batch_size reports).
PENDING_BYTES = 64 * 1024 * 1024
# Row-group merges the closing checkpoint may do: enough for every batch of a national run.
MERGES_AT_THE_END = 1_000_000


@dataclass
class IngestSummary:
    counts: Counter = field(default_factory=Counter)  # loaded / partial / rejected / unchanged
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (path, status, error)
    skipped: list[tuple[str, int | None, str]] = field(default_factory=list)  # (path, size, reason): not read
    reparsed: Counter = field(default_factory=Counter)  # parser version they had → reports parsed again

    def line(self) -> str:
        c = self.counts
        again = sum(self.reparsed.values())
        versions = ", ".join(f"{n} of version {v}" for v, n in sorted(self.reparsed.items(), key=str))
        return (f"{c['loaded']} loaded, {c['partial']} partial, {c['rejected']} rejected, "
                f"{c['unchanged']} unchanged (already in the warehouse), {len(self.skipped)} skipped "
                f"(not read, listed in raw.skipped_files)"
                + (f"; {again} re-parsed from their stored bytes by parser version {PARSER_VERSION} ({versions})"
                   if again else ""))


def ingest(paths: Iterable[str | Path], db_path: str | Path, workers: int = 1,
           progress: bool = True, batch_size: int = 2000, exclude: Iterable[str | Path] = (),
           reparse: bool = False) -> IngestSummary:
    """Ingest report files into ``db_path``; re-ingesting the same content is a no-op.

    Reports an older parser read (``parser_version``), or every report with ``reparse``, are first parsed again
    from the bytes the warehouse keeps. Reports are written in transactions of about ``batch_size`` reports (fewer
    when they are large). Every path passed over is in ``summary.skipped`` and in ``raw.skipped_files``.
    ``exclude``: the published warehouse when ``db_path`` is its work copy (its files are never read as input).
    """
    started = warehouse.now()
    found = scan(paths, exclude=[db_path, *exclude])
    summary = IngestSummary(skipped=[(shown_path(p), size, why) for p, size, why in found.skipped])
    con = warehouse.connect(db_path)
    try:
        # Each batch's commit checkpoints its reports as new row groups, and DuckDB's vacuum merges small row groups
        # into full ones, compressing every report text again at each merge (of 2, 4, 8… batches): 2.0 of the
        # writer's 4.3 s on 40,000 reports. So the batches are written without it, and merged once at the end.
        con.execute("set max_vacuum_tasks = 0")
        warehouse.ensure_schema(con)
        _reparse(con, summary, workers, progress, every=reparse)
        if summary.reparsed:
            warehouse.record_run(con, uuid.uuid4().hex, "reparse", started, True, None, None,
                                 sum(summary.reparsed.values()))
        forgotten = forgotten_hashes(con)
        known = frozenset(warehouse.known_hashes(con) | forgotten.keys())
        written: set[str] = set()  # this run's content, which chunks parsed in parallel may repeat
        pending: list[dict[str, pl.DataFrame]] = []
        n_pending = n_bytes = 0
        bar = tqdm(total=len(found.files), unit="file", desc="ingest", disable=not progress, file=sys.stderr)
        # One batch is written (by a thread: DuckDB works without the GIL) while the next is collected. Written
        # in line, a commit that checkpoints (seconds, on a large warehouse) left the workers idle once the few
        # chunks in flight were parsed. Batches are written one at a time, in order; a failed write stops the run.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="xxgk-writer") as writer:
            writing: Future | None = None
            ocr_pages = 0
            for chunk in chunks(found.files, known, workers):
                ocr_pages = _show_ocr_pages(bar, ocr_pages, chunk.ocr_pages)
                bar.update(len(chunk.files))
                repeated = []
                for path, sha, status, error in chunk.files:
                    if status == "unchanged" and sha in forgotten:
                        status, error = "skipped", forgotten_reason(forgotten[sha])
                    if status == "skipped":
                        summary.skipped.append((shown_path(path), None, error or ""))
                        continue
                    if status != "unchanged" and sha and sha in written:
                        repeated.append(sha[:16])
                        status = "unchanged"
                    written.add(sha)
                    summary.counts[status] += 1
                    if status in ("partial", "rejected"):
                        summary.problems.append((shown_path(path), status, error or ""))
                frames = _without_reports(chunk.frames, repeated) if repeated else chunk.frames
                # First seen now: one time for the whole ingest, so that which of two versions met together was
                # seen later is told by their paths, not by which worker parsed which first (int_report_versions).
                frames["reports"] = frames["reports"].with_columns(first_seen_at=pl.lit(started, pl.Datetime("us")))
                pending.append(frames)
                n_pending += frames["reports"].height
                n_bytes += sum(f.estimated_size() for f in frames.values())
                if n_pending >= batch_size or n_bytes >= PENDING_BYTES:
                    if writing is not None:
                        writing.result()
                    writing = writer.submit(_write, con, pending)
                    pending, n_pending, n_bytes = [], 0, 0
            if writing is not None:
                writing.result()
        _write(con, pending)
        bar.close()
        seen = [shown_path(p) for p, _ in found.files]
        warehouse.write_skipped(con, summary.skipped, seen, warehouse.now())
        n_new = sum(summary.counts[s] for s in ("loaded", "partial", "rejected"))
        if warehouse.refresh_agency_names(con):
            warehouse.record_run(con, uuid.uuid4().hex, "agencies", started, False, None, None, n_new)
        warehouse.record_run(con, uuid.uuid4().hex, "ingest", started, False, None, warehouse.newest_report(con),
                             n_new)
        # The one merge (a checkpoint vacuums every table). Uncapped: with DuckDB's default of 100 merges a
        # checkpoint, most of a national run's were left to whichever writer came next (the build).
        con.execute(f"set max_vacuum_tasks = {MERGES_AT_THE_END}")
        con.execute("checkpoint")
    finally:
        con.close()
    return summary


def nothing_to_ingest(paths: Iterable[str | Path], db_path: str | Path, exclude: Iterable[str | Path] = ()) -> bool:
    """True when ingesting ``paths`` would change nothing: every file's content is in the warehouse already and every
    path passed over is listed there as it would be again. Reads and hashes the files, parses none, and stops at the
    first new content; opens the warehouse read-only, so a scheduled run with nothing new copies nothing. ``exclude``:
    as for ``ingest``."""
    if not Path(db_path).exists():
        return False
    found = scan(paths, exclude=[db_path, *exclude])
    skipped = {(shown_path(p), why) for p, _, why in found.skipped}
    met = [shown_path(p) for p, _ in found.files] + [p for p, _ in skipped]
    with warehouse.connect(db_path, read_only=True) as con:
        if not warehouse.has_relation(con, "raw", "reports") or _stale(con):
            return False
        known = warehouse.known_hashes(con)
        forgotten = forgotten_hashes(con)
        recorded = set(con.execute("select path, reason from raw.skipped_files where path in (select unnest(?))",
                                   [met]).fetchall())
    for path, _ in found.files:
        try:
            sha = report_id_for(read_file(path))[1]
        except OSError:  # the ingest says what
            return False
        if sha in forgotten:  # skipped again, as the ingest says
            skipped.add((shown_path(path), forgotten_reason(forgotten[sha])))
        elif sha not in known:
            return False
    return recorded == skipped


def _stale(con) -> bool:
    """Reports an older parser read: the next ingest re-parses them."""
    return bool(con.execute("select count(*) from raw.reports where coalesce(try_cast(parser_version as integer), 0) "
                            "< ?", [int(PARSER_VERSION)]).fetchone()[0])


def _reparse(con, summary: IngestSummary, workers: int, progress: bool, every: bool) -> None:
    """Parse again, from their stored bytes, the reports an older parser read (or all of them, ``every``): their rows
    are replaced, a chunk per transaction, keeping the path and the time the content was first seen."""
    (newest,) = con.execute("select max(try_cast(parser_version as integer)) from raw.reports").fetchone()
    if newest is not None and newest > int(PARSER_VERSION):
        raise UsageError(f"reports in this warehouse were read by a newer parser (version {newest}; this xxgk's is "
                         f"{PARSER_VERSION}): ingest with that release, or a newer one")
    stale = con.execute("select s.report_id, s.size_bytes, r.parser_version from raw.report_sources s "
                        "join raw.reports r using (report_id) where ? "
                        "or coalesce(try_cast(r.parser_version as integer), 0) < ? order by s.report_id",
                        [every, int(PARSER_VERSION)]).fetchall()
    if not stale:
        return
    versions = {rid: version for rid, _, version in stale}
    pieces = list(in_pieces([(rid, size or 0) for rid, size, _ in stale]))

    def stored(piece: list[str]):  # read when the pool takes the piece: at most a few pieces' bytes are held
        rows = con.execute("select s.source_path, s.raw_bytes, r.first_seen_at from raw.report_sources s "
                           "join raw.reports r using (report_id) where s.report_id in (select unnest(?)) "
                           "order by s.report_id", [piece]).fetchall()
        return [(path, bytes(data), first_seen) for path, data, first_seen in rows]

    bar = tqdm(total=len(stale), unit="report", desc="re-parse", disable=not progress, file=sys.stderr)
    ocr_pages = 0
    try:
        for piece, chunk in zip(pieces, reparsed_chunks(map(stored, pieces), len(pieces), workers)):
            ocr_pages = _show_ocr_pages(bar, ocr_pages, chunk.ocr_pages)
            replaced = pl.DataFrame({"report_id": piece}, schema={"report_id": pl.String})  # noqa: F841
            con.execute("begin transaction")
            try:
                for name, frame in chunk.frames.items():
                    con.execute(f"delete from raw.{name} where report_id in (select report_id from replaced)")
                    if frame.height:
                        batch = frame.to_arrow(compat_level=pl.CompatLevel.newest())  # noqa: F841
                        con.execute(f"insert into raw.{name} by name select * from batch")
                con.execute("commit")
            except BaseException:
                warehouse.rollback(con)
                raise
            summary.reparsed.update(versions[rid] for rid in piece)
            bar.update(len(piece))
    finally:
        bar.close()


def _show_ocr_pages(bar: tqdm, so_far: int, pages: int) -> int:
    """Pages OCR'd so far, shown beside the bar: scanned pages take seconds each where a text report takes
    milliseconds, so a bar that stalls on them says why."""
    if pages:
        so_far += pages
        bar.set_postfix_str(f"{so_far} pages OCR'd", refresh=False)
    return so_far


def _without_reports(frames: dict[str, pl.DataFrame], report_ids: list[str]) -> dict[str, pl.DataFrame]:
    return {name: f.filter(~pl.col("report_id").is_in(report_ids)) for name, f in frames.items()}


def _write(con, pending: list[dict[str, pl.DataFrame]]) -> None:
    if pending:
        warehouse.write_frames(con, {name: pl.concat([p[name] for p in pending], rechunk=False)
                                     for name in pending[0]})
