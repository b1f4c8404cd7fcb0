"""``xxgk versions`` and ``xxgk forget``: which content is current for an agency-year and why, and removing a source.

The current version is decided in dbt (int_report_versions: an analyst's pin, then the later signing date printed,
a 更正/修订 mark, the later first-seen time); ``versions`` only shows it. ``forget`` removes a source from ``raw.*``
and keeps it, bytes included, in ``meta.forgotten``: a later ingest does not read that content again, and the next
build and check start over, so the marts and the findings no longer show it.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from . import warehouse
from .errors import UsageError

FORGOTTEN = "meta.forgotten"
FORGOTTEN_COLUMNS = {
    "report_id": pl.String, "sha256": pl.String, "source_path": pl.String, "agency": pl.String, "year": pl.Int32,
    "status": pl.String, "size_bytes": pl.Int64, "raw_bytes": pl.Binary, "first_seen_at": pl.Datetime("us"),
    "forgotten_at": pl.Datetime("us"), "reason": pl.String,
}
_ID = re.compile(r"[0-9a-f]{16}|[0-9a-f]{64}")


@dataclass
class Version:
    report_id: str
    agency: str
    year: int
    is_current: bool
    source_path: str
    printed_date: object
    revision_mark: str | None
    first_seen_at: object
    status: str
    version_note: str


def versions(con: duckdb.DuckDBPyConnection, agency: str | None = None, year: int | None = None,
             every: bool = False) -> list[Version]:
    """The versions of each agency-year that has several (``every``: of every agency-year), current first.
    ``agency`` matches the canonical agency or any name its reports print, in part."""
    where, params = ["(n_versions > 1 or ?)"], [every]
    if agency:
        where.append("(agency like ? or printed_agency like ?)")
        params += [f"%{agency}%"] * 2
    if year is not None:
        where.append("year = ?")
        params.append(year)
    rows = con.execute(
        "select report_id, agency, year, is_current, source_path, printed_date, revision_mark, first_seen_at, status, "
        f"version_note from marts.dim_report where version_rank is not null and {' and '.join(where)} "
        "order by agency, year, version_rank", params).fetchall()
    return [Version(*r) for r in rows]


def describe(found: list[Version]) -> list[str]:
    """What ``xxgk versions`` prints: per agency-year its versions, current first (*), each with why."""
    lines, group = [], None
    for v in found:
        if (v.agency, v.year) != group:
            group = (v.agency, v.year)
            n = sum(1 for w in found if (w.agency, w.year) == group)
            lines.append(f"{v.agency} {v.year}: {n} version{'s' if n > 1 else ''}")
        signed = f"signed {v.printed_date}" if v.printed_date else "no signing date"
        mark = f", {v.revision_mark}" if v.revision_mark else ""
        seen = v.first_seen_at.strftime("%Y-%m-%d %H:%M:%S") if v.first_seen_at else "unknown"
        lines.append(f"  {'*' if v.is_current else ' '} {v.report_id}  {v.source_path}  ({v.status}, {signed}{mark}, "
                     f"first seen {seen})")
        lines.append(f"      {v.version_note}")
    return lines


def forget(con: duckdb.DuckDBPyConnection, targets: list[str], reason: str | None = None) -> list[tuple[str, str]]:
    """Remove the sources ``targets`` name (a report_id, a SHA-256, a file's path, or a folder: every source
    ingested from under it) from raw.*, keeping each in meta.forgotten; one transaction, all or nothing.
    Returns (report_id, source_path) of what was forgotten. A target that names nothing is a usage error."""
    sources = con.execute("select report_id, sha256, source_path from raw.report_sources").fetchall()
    chosen: dict[str, str] = {}
    missing = []
    for target in targets:
        hits = [(rid, path) for rid, sha, path in sources if _names(target, rid, sha, path)]
        if not hits:
            missing.append(target)
        chosen.update(hits)
    if missing:
        raise UsageError(f"nothing in the warehouse is {', '.join(missing)}: give a report_id (`xxgk versions` lists "
                         "them), a SHA-256, or the path of a file or folder as it was ingested; nothing was forgotten")
    ids = pl.DataFrame({"report_id": list(chosen)}, schema={"report_id": pl.String})  # noqa: F841 (DuckDB reads it)
    warehouse.create_table(con, FORGOTTEN, pl.DataFrame(schema=FORGOTTEN_COLUMNS))
    tables = [t for (t,) in con.execute(
        "select table_name from duckdb_columns() where schema_name = 'raw' and column_name = 'report_id' "
        "and table_name <> 'report_sources' order by 1").fetchall()]
    con.execute("begin transaction")
    try:
        con.execute(f"""
            insert into {FORGOTTEN} by name
            select s.report_id, s.sha256, s.source_path, r.agency, r.year, r.status, s.size_bytes, s.raw_bytes,
                   r.first_seen_at, ? as forgotten_at, ? as reason
            from raw.report_sources s left join raw.reports r using (report_id)
            where s.report_id in (select report_id from ids)""", [warehouse.now(), reason or ""])
        for table in [*tables, "report_sources"]:
            con.execute(f"delete from raw.{table} where report_id in (select report_id from ids)")
        con.execute("commit")
    except BaseException:
        warehouse.rollback(con)
        raise
    warehouse.refresh_agency_names(con)
    return sorted(chosen.items(), key=lambda item: item[1])


def _names(target: str, report_id: str, sha256: str, path: str) -> bool:
    if _ID.fullmatch(target):
        return target in (report_id, sha256)
    given, stored = os.path.abspath(target), os.path.abspath(path)
    return target == path or stored == given or stored.startswith(given.rstrip(os.sep) + os.sep)


def forgotten_hashes(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """SHA-256 → when it was forgotten, of the sources ``forget`` removed: an ingest does not read them again."""
    exists = con.execute("select count(*) from duckdb_tables() where schema_name = 'meta' and table_name = 'forgotten'"
                         ).fetchone()[0]
    if not exists:
        return {}
    return {sha: at.strftime("%Y-%m-%d %H:%M:%S") for sha, at in
            con.execute(f"select sha256, max(forgotten_at) from {FORGOTTEN} group by 1").fetchall()}


def forgotten_reason(when: str) -> str:
    """Why an ingest does not read a file whose content was forgotten (raw.skipped_files)."""
    return (f"forgotten by `xxgk forget` on {when}: not read again (meta.forgotten keeps it; delete its row there "
            "to read it again)")


def still_there(forgotten: list[tuple[str, str]]) -> list[str]:
    """The paths of forgotten sources that are still files: an ingest of their folder skips them (say so)."""
    return [path for _, path in forgotten if Path(path).is_file()]
