"""What `xxgk run` says last: the few lines a person, or a scheduler's mail, reads."""
from __future__ import annotations

import argparse
from pathlib import Path

from . import warehouse
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
            counts = dict(((kind, severity), (n, new)) for kind, severity, n, new in con.execute("""
                select kind, severity, count(*), count(*) filter (where is_new)
                from dq.findings
                where finding_id not in (select finding_id from dq.finding_reviews
                                         where is_current and decision = 'dismissed')
                group by all""").fetchall())
            (dismissed,) = con.execute("select count(*) from dq.finding_reviews where is_current and "
                                       "decision = 'dismissed' and finding_id in (select finding_id from dq.findings)"
                                       ).fetchone()
            (not_read,) = con.execute("select coalesce(sum(n_unresolved), 0) from marts.dim_report "
                                      "where is_current").fetchone()
            errors, new_errors = counts.get(("report", "error"), (0, 0))
            new_errors = 0 if "check" in args.skipped else new_errors  # is_new: of the last check run
            lines.append(
                f"findings: report {errors} error ({new_errors} new in this run), {counts.get(('report', 'warning'), (0,))[0]} "
                f"warning, {counts.get(('report', 'info'), (0,))[0]} info; could not read "
                f"{counts.get(('extraction', 'warning'), (0,))[0]} warning, "
                f"{counts.get(('extraction', 'info'), (0,))[0]} info ({not_read} cells not read); "
                f"{dismissed} dismissed by reviewers")
    lines.append(args.dashboard_line)
    lines.append(f"log (dbt, GX): {log_file(args.db)}")
    if code == NEW_ERRORS:
        lines.append(f"exit {NEW_ERRORS}: report errors new since the last run (the warehouse and dashboard are "
                     "written; a scheduler alerts on this code)")
    return lines

