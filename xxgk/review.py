"""``xxgk review``: what a reviewer decided about a finding — confirmed, dismissed (a false positive), reopened.

Decisions are appended to ``meta.reviews`` (never updated, so the history stays) and keyed by the
finding's ``finding_id``: a hash of its check, report (content hash), cell and offset, which every
re-check of the report gives again. The repository's ``dbt_project/seeds/reviewed_findings.csv`` holds
decisions the same way for every warehouse built from it. ``dq.finding_reviews`` reads both; the latest
decision is the finding's state, and a dismissed finding leaves the score and the new-error gate.
"""
from __future__ import annotations

import getpass
from dataclasses import dataclass

import polars as pl

from . import warehouse
from .errors import UsageError

# The command's flags → the decision recorded (reference.reviewed_findings uses the same words).
DECISIONS = {"confirm": "confirmed", "dismiss": "dismissed", "reopen": "reopened"}
# A prefix shorter than this would too often name several findings.
MIN_PREFIX = 6


@dataclass
class Finding:
    finding_id: str
    check_id: str
    severity: str
    kind: str
    agency: str | None
    year: int | None
    report_id: str
    where: str
    message: str | None

    def line(self) -> str:
        return (f"{self.finding_id[:12]} {self.severity} {self.check_id} · {self.agency or '?'} {self.year or '?'}"
                f"{' · ' + self.where if self.where else ''}: {self.message or ''}")


def find(con, key: str) -> Finding:
    """The finding whose id is ``key`` or starts with it (at least MIN_PREFIX characters), among the findings of
    the latest check runs and those seen before (dq.finding_history)."""
    if not warehouse.has_relation(con, "dq", "findings"):
        raise UsageError("this warehouse has no findings yet: run `xxgk check` (or `xxgk run`) first")
    key = key.strip().lower()
    if len(key) < MIN_PREFIX:
        raise UsageError(f"finding id {key!r} is too short: give at least {MIN_PREFIX} characters of its id "
                         "(the dashboard's findings page shows them)")
    rows = con.execute("""
        select finding_id, check_id, severity, kind, agency, year, report_id,
               concat_ws(' ', table_id, row_key, col_key), message
        from dq.findings where starts_with(finding_id, ?)
        union all
        select h.finding_id, h.check_id, h.severity, h.kind, r.agency, r.year, h.report_id, '',
               'no longer found (last seen ' || strftime(h.last_seen_at, '%Y-%m-%d') || ')'
        from dq.finding_history h left join marts.dim_report r using (report_id)
        where starts_with(h.finding_id, ?) and h.finding_id not in (select finding_id from dq.findings)
        order by 1""", [key, key]).fetchall()
    if not rows:
        raise UsageError(f"no finding {key} in this warehouse (dq.findings, dq.finding_history): copy its id from the "
                         "dashboard's findings page or `select finding_id from dq.findings`")
    if len(rows) > 1:
        raise UsageError(f"{key} names {len(rows)} findings ({', '.join(r[0][:12] for r in rows[:5])}…): give more "
                         "of the id")
    return Finding(*rows[0])


def record(con, findings: list[Finding], decision: str, note: str, reviewer: str | None) -> None:
    """Append one decision per finding, in one transaction."""
    warehouse.create_table(con, warehouse.REVIEWS, pl.DataFrame(schema=warehouse.REVIEW_COLUMNS))
    at = warehouse.now()
    rows = pl.DataFrame([{"finding_id": f.finding_id, "decision": decision, "note": note,  # noqa: F841 (read by SQL)
                          "reviewer": reviewer or getpass.getuser(), "reviewed_at": at} for f in findings],
                        schema=warehouse.REVIEW_COLUMNS)
    con.execute(f"insert into {warehouse.REVIEWS} by name select * from rows")


def history(con, finding_id: str) -> list[tuple]:
    """Every decision on the finding, oldest first: (when, decision, reviewer, note, where recorded)."""
    if not warehouse.has_relation(con, "dq", "finding_reviews"):
        return []
    return con.execute("select reviewed_at, decision, reviewer, note, recorded_in from dq.finding_reviews "
                       "where finding_id = ? order by reviewed_at, recorded_in", [finding_id]).fetchall()


def score(con, report_id: str) -> int | None:
    row = con.execute("select score from marts.fct_report_quality where report_id = ?", [report_id]).fetchone()
    return row[0] if row else None

