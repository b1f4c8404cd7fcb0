"""What `xxgk run` says last: the few lines a person, or a scheduler's mail, reads."""
from __future__ import annotations

import argparse
from pathlib import Path

from . import warehouse
from .checks import severities
from .errors import NEW_ERRORS
from .paths import log_file


def run_summary(db: Path, args: argparse.Namespace, code: int) -> list[str]:
    """Reports by status, findings by kind and severity (new errors apart, dismissed ones apart), where the dashboard
    and the log are, and what the exit code says."""
    lines = []
    if {"build", "check"} <= set(args.skipped):
        lines.append("nothing new since the last run (no report ingested, the dbt project unchanged): "
                     "build and check skipped")
    with warehouse.connect(db, read_only=True) as con:
        status = dict(con.execute("select status, count(*) from raw.reports group by 1").fetchall())
        lines.append(f"reports: {status.get('loaded', 0)} loaded, {status.get('partial', 0)} partial, "
                     f"{status.get('rejected', 0)} rejected ({getattr(args, 'ingested', 0)} new in this run)")
        if warehouse.has_relation(con, "dq", "finding_reviews"):
            dismissed = "(select finding_id from dq.finding_reviews where is_current and decision = 'dismissed')"
            n = dict(((kind, severity), count) for kind, severity, count in con.execute(
                f"select kind, severity, count(*) from dq.findings where finding_id not in {dismissed} group by all"
            ).fetchall())
            (new_errors, n_dismissed) = con.execute(f"""
                select count(*) filter (where kind = 'report' and severity = 'error' and is_new
                                        and finding_id not in {dismissed}),
                       count(*) filter (where finding_id in {dismissed})
                from dq.findings""").fetchone()
            (not_read,) = con.execute("select coalesce(sum(n_unresolved), 0) from marts.dim_report "
                                      "where is_current").fetchone()
            new_errors = 0 if "check" in args.skipped else new_errors  # is_new: of the last check run
            order = [s["severity"] for s in severities()]
            # What could not be read is never an error (the family extraction): its counts start at warning.
            lines.append(f"findings: report {_by_severity(n, 'report', order, new_errors)}; could not read "
                         f"{_by_severity(n, 'extraction', [s for s in order if s != 'error'])} "
                         f"({not_read} cells not read); {n_dismissed} dismissed by reviewers")
    lines.append(args.dashboard_line)
    lines.append(f"log (dbt, GX): {log_file(args.db)}")
    if code == NEW_ERRORS:
        lines.append(f"exit {NEW_ERRORS}: report errors new since the last run (the warehouse and dashboard are "
                     "written; a scheduler alerts on this code)")
    return lines


def _by_severity(n: dict[tuple[str, str], int], kind: str, order: list[str], new_errors: int | None = None) -> str:
    """The findings of one kind counted by severity, in ``order``; the new errors beside the errors, if given.

    >>> _by_severity({("report", "error"): 2}, "report", ["error", "warning"], new_errors=1)
    '2 error (1 new in this run), 0 warning'
    """
    return ", ".join(f"{n.get((kind, s), 0)} {s}" + (f" ({new_errors} new in this run)"
                                                      if s == "error" and new_errors is not None else "")
                     for s in order)
