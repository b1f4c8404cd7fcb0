"""``xxgk check``: validate with GX, store every finding in dq.*, decide the exit code."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path


from loaders import store

from .catalog import CHECKS, finding_sql

DQ_SCHEMA = """
create schema if not exists dq;
create table if not exists dq.check_runs (
    run_id varchar, run_at timestamp, check_id varchar, suite varchar, severity varchar, description varchar,
    success boolean, gx_success boolean, gx_unexpected_count bigint, n_findings bigint, n_new_findings bigint,
    duration_s double, error varchar
);
create table if not exists dq.findings (
    run_id varchar, finding_id varchar, report_id varchar, agency varchar, year integer, check_id varchar,
    severity varchar, table_id varchar, row_key varchar, col_key varchar, expected double, actual double,
    delta double, message varchar, char_offset integer, snippet varchar, first_seen_run varchar, is_new boolean
);
create table if not exists dq.finding_history (
    finding_id varchar, check_id varchar, severity varchar, report_id varchar,
    first_seen_run varchar, first_seen_at timestamp, last_seen_run varchar, last_seen_at timestamp
);
"""
COMMENTS = {
    "dq.check_runs": "One row per check run and expectation: GX's verdict, how many findings, how long it took.",
    "dq.findings": "One row per failing unit in the latest check run: what is wrong, by how much, where in the "
                   "source text (char_offset, snippet).",
    "dq.finding_history": "One row per finding ever seen: first and last run it appeared in.",
}
SNIPPET_BEFORE, SNIPPET_LENGTH = 40, 120


class CheckError(RuntimeError):
    """The checks could not run at all (warehouse missing or locked, GX failure)."""


@dataclass
class CheckRunResult:
    run_id: str
    findings_by_severity: dict[str, int] = field(default_factory=dict)
    new_errors: int = 0
    failed_checks: list[str] = field(default_factory=list)
    data_docs: str | None = None
    seconds: float = 0.0

    def exit_code(self, fail_on_any_error: bool = False) -> int:
        """1 when an error finding is new since the previous run (or, with the flag, any error)."""
        errors = self.findings_by_severity.get("error", 0)
        return 1 if (self.new_errors or (fail_on_any_error and errors)) else 0


def run_checks(db_path: str | Path, data_docs: bool = True) -> CheckRunResult:
    started = time.perf_counter()
    db_path = Path(db_path)
    if not db_path.exists():
        raise CheckError(f"{db_path}: no warehouse here; run `xxgk run` (or ingest and build) first")
    gx_result = _validate_in_subprocess(db_path, data_docs)
    gx_by_check = {e["check_id"]: e for e in gx_result["expectations"]}
    run_id = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    run_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    result = CheckRunResult(run_id, data_docs=gx_result.get("data_docs"))
    con = store.connect(db_path)
    try:
        con.execute("begin transaction")
        con.execute(DQ_SCHEMA)
        for table, comment in COMMENTS.items():
            con.execute(f"comment on table {table} is {store.sql_literal(comment)}")
        con.execute("delete from dq.findings")
        for check in CHECKS:
            _store_findings(con, check, run_id, run_at, gx_by_check.get(check.check_id), result)
        _update_history(con, run_id, run_at)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.close()
    result.seconds = time.perf_counter() - started
    return result


def _validate_in_subprocess(db_path: Path, data_docs: bool) -> dict:
    args = [sys.executable, "-m", "xxgk.checks.validate", str(db_path)] + ([] if data_docs else ["--no-docs"])
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        hint = (" (another process holds the warehouse open for writing; close it and retry)"
                if "lock" in done.stderr.lower() else "")
        raise CheckError(f"GX validation failed{hint}: {tail}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _store_findings(con, check, run_id: str, run_at, gx: dict | None, result: CheckRunResult) -> None:
    t0 = time.perf_counter()
    error = gx.get("exception") if gx else "expectation missing from the GX suites: run `xxgk check --write-suites`"
    con.execute(f"""
        insert into dq.findings
        select ?, md5(concat_ws('|', ?, f.report_id, f.table_id, f.row_key, f.col_key)), f.report_id, r.agency, r.year,
               ?, ?, f.table_id, f.row_key, f.col_key, f.expected, f.actual, f.delta, f.message, f.char_offset,
               case when f.char_offset is not null then
                   replace(substr(s.normalised_text, greatest(f.char_offset - {SNIPPET_BEFORE}, 0) + 1, {SNIPPET_LENGTH}),
                           chr(9), ' ')
               end,
               null, null
        from ({finding_sql(check)}) as f
        left join marts.dim_report as r on r.report_id = f.report_id
        left join raw.report_sources as s on s.report_id = f.report_id
    """, [run_id, check.check_id, check.check_id, check.severity])
    (n_findings,) = con.execute("select count(*) from dq.findings where run_id = ? and check_id = ?",
                                [run_id, check.check_id]).fetchone()
    (n_new,) = con.execute("""
        select count(*) from dq.findings f
        where f.run_id = ? and f.check_id = ?
          and not exists (select 1 from dq.finding_history h where h.finding_id = f.finding_id)""",
                           [run_id, check.check_id]).fetchone()
    gx_count = gx.get("unexpected_count") if gx else None
    if gx_count is not None and gx_count != n_findings and error is None:
        error = f"GX counted {gx_count} unexpected rows but {n_findings} findings were stored"
    con.execute("insert into dq.check_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
        run_id, run_at, check.check_id, check.suite, check.severity, check.description,
        n_findings == 0 and error is None, gx.get("success") if gx else None, gx_count, n_findings, n_new,
        time.perf_counter() - t0, error])
    if n_findings:
        result.findings_by_severity[check.severity] = result.findings_by_severity.get(check.severity, 0) + n_findings
    if check.severity == "error":
        result.new_errors += n_new
    if error or n_findings:
        result.failed_checks.append(check.check_id)


def _update_history(con, run_id: str, run_at) -> None:
    con.execute("""
        update dq.finding_history h set last_seen_run = ?, last_seen_at = ?
        from dq.findings f where f.finding_id = h.finding_id""", [run_id, run_at])
    con.execute("""
        insert into dq.finding_history
        select distinct f.finding_id, f.check_id, f.severity, f.report_id, ?, ?, ?, ?
        from dq.findings f
        where not exists (select 1 from dq.finding_history h where h.finding_id = f.finding_id)""",
                [run_id, run_at, run_id, run_at])
    con.execute("""
        update dq.findings f set first_seen_run = h.first_seen_run, is_new = (h.first_seen_run = ?)
        from dq.finding_history h where h.finding_id = f.finding_id""", [run_id])
