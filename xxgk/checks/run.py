"""``xxgk check``: validate with GX, store every finding in dq.*, decide the exit code.

A run is incremental: it evaluates every report of each agency with a report ingested since the
previous run (dq.check_scope), keeps the earlier findings of all other reports, and re-runs the
checks that compare an agency with its peers over the whole warehouse. The first run, a changed
check catalog, or ``full=True`` evaluates everything.
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from loaders import store
from loaders.children import dies_with_this_process

from .catalog import CHECKS, SCOPE_TABLE, catalog_fingerprint, finding_sql

DQ_SCHEMA = f"""
create schema if not exists dq;
create table if not exists dq.check_runs (
    run_id varchar, run_at timestamp, check_id varchar, suite varchar, severity varchar, description varchar,
    success boolean, gx_success boolean, gx_unexpected_count bigint, n_findings bigint, n_new_findings bigint,
    duration_s double, error varchar, scope varchar, n_reports_in_scope bigint, n_findings_in_scope bigint,
    reports_through timestamp, catalog_fingerprint varchar
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
create table if not exists {SCOPE_TABLE} (report_id varchar);
-- Warehouses checked before runs were incremental.
alter table dq.check_runs add column if not exists scope varchar;
alter table dq.check_runs add column if not exists n_reports_in_scope bigint;
alter table dq.check_runs add column if not exists n_findings_in_scope bigint;
alter table dq.check_runs add column if not exists reports_through timestamp;
alter table dq.check_runs add column if not exists catalog_fingerprint varchar;
"""
COMMENTS = {
    "dq.check_runs": "One row per check run and expectation: GX's verdict over the run's scope, how many findings, "
                     "how long it took, and the newest report the run saw.",
    "dq.findings": "One row per failing unit as of the latest check run: what is wrong, by how much, where in the "
                   "source text (char_offset, snippet). run_id is the run that last evaluated it.",
    "dq.finding_history": "One row per finding ever seen: first and last run it appeared in.",
    SCOPE_TABLE: "The reports the latest check run evaluated (all of them on a full run).",
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
    full: bool = True
    n_reports_in_scope: int = 0

    def exit_code(self, fail_on_any_error: bool = False) -> int:
        """1 when an error finding is new since the previous run (or, with the flag, any error)."""
        errors = self.findings_by_severity.get("error", 0)
        return 1 if (self.new_errors or (fail_on_any_error and errors)) else 0


def run_checks(db_path: str | Path, data_docs: bool = True, full: bool = False) -> CheckRunResult:
    started = time.perf_counter()
    db_path = Path(db_path)
    if not db_path.exists():
        raise CheckError(f"{db_path}: no warehouse here; run `xxgk run` (or ingest and build) first")
    run_id = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    run_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    fingerprint = catalog_fingerprint()
    with store.connect(db_path) as con:
        con.execute(DQ_SCHEMA)
        for table, comment in COMMENTS.items():
            con.execute(f"comment on table {table} is {store.sql_literal(comment)}")
        full, reports_through, n_scope = _write_scope(con, full, fingerprint)
    gx_result = _validate_in_subprocess(db_path, data_docs)
    gx_by_check = {e["check_id"]: e for e in gx_result["expectations"]}
    result = CheckRunResult(run_id, data_docs=gx_result.get("data_docs"), full=full, n_reports_in_scope=n_scope)
    con = store.connect(db_path)
    try:
        con.execute("begin transaction")
        durations = _evaluate(con)
        _merge_findings(con, run_id, full)
        _update_history(con, run_id, run_at)
        for check in CHECKS:
            _record_run(con, check, run_id, run_at, gx_by_check.get(check.check_id), durations[check.check_id],
                        result, full, n_scope, reports_through, fingerprint)
        con.execute("commit")
    except BaseException:
        try:
            con.execute("rollback")
        except duckdb.Error:  # a failed statement (disk full) may have ended the transaction already
            pass
        raise
    finally:
        con.close()
    result.seconds = time.perf_counter() - started
    return result


def _write_scope(con, full: bool, fingerprint: str) -> tuple[bool, dt.datetime | None, int]:
    """Fill dq.check_scope; returns (full run?, newest report ingested, reports in scope)."""
    previous = con.execute("select reports_through, catalog_fingerprint from dq.check_runs "
                           "order by run_at desc limit 1").fetchone()
    full = full or previous is None or previous[0] is None or previous[1] != fingerprint
    (reports_through,) = con.execute("select max(ingested_at) from marts.dim_report").fetchone()
    con.execute(f"delete from {SCOPE_TABLE}")
    if full:
        con.execute(f"insert into {SCOPE_TABLE} select report_id from marts.dim_report")
    else:
        con.execute(f"""
            insert into {SCOPE_TABLE}
            select report_id from marts.dim_report
            where ingested_at >= $since
               or agency in (select agency from marts.dim_report where ingested_at >= $since)""",
                    {"since": previous[0]})
    (n,) = con.execute(f"select count(*) from {SCOPE_TABLE}").fetchone()
    return full, reports_through, n


def _validate_in_subprocess(db_path: Path, data_docs: bool) -> dict:
    args = [sys.executable, "-m", "xxgk.checks.validate", str(db_path)] + ([] if data_docs else ["--no-docs"])
    done = subprocess.run(args, capture_output=True, text=True, preexec_fn=dies_with_this_process())
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        hint = (" (another process holds the warehouse open for writing; close it and retry)"
                if "lock" in done.stderr.lower() else "")
        raise CheckError(f"GX validation failed{hint}: {tail}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _evaluate(con) -> dict[str, float]:
    """Every check's failing units for this run's scope, into the temp table found; seconds per check."""
    con.execute("""
        create or replace temp table found (
            check_id varchar, severity varchar, report_id varchar, table_id varchar,
            row_key varchar, col_key varchar, expected double, actual double, delta double, message varchar,
            char_offset integer)""")
    durations = {}
    for check in CHECKS:
        t0 = time.perf_counter()
        con.execute(f"insert into found select ?, ?, f.* from ({finding_sql(check)}) as f",
                    [check.check_id, check.severity])
        durations[check.check_id] = time.perf_counter() - t0
    return durations


def _merge_findings(con, run_id: str, full: bool) -> None:
    """Replace the findings this run evaluated; read every snippet from the source text in one join."""
    if full:
        con.execute("delete from dq.findings")
    else:
        whole = [c.check_id for c in CHECKS if not c.scoped]
        con.execute(f"""
            delete from dq.findings
            where check_id in (select unnest($whole))
               or report_id in (select report_id from {SCOPE_TABLE})""", {"whole": whole})
    con.execute("update dq.findings set is_new = false where is_new")
    con.execute(f"""
        insert into dq.findings
        select ?, md5(concat_ws('|', f.check_id, f.report_id, f.table_id, f.row_key, f.col_key)), f.report_id,
               r.agency, r.year, f.check_id, f.severity, f.table_id, f.row_key, f.col_key, f.expected, f.actual,
               f.delta, f.message, f.char_offset,
               case when f.char_offset is not null then
                   replace(substr(s.normalised_text, greatest(f.char_offset - {SNIPPET_BEFORE}, 0) + 1,
                                  {SNIPPET_LENGTH}), chr(9), ' ')
               end,
               null, null
        from found as f
        left join marts.dim_report as r on r.report_id = f.report_id
        left join raw.report_sources as s on s.report_id = f.report_id and f.char_offset is not null""",
                [run_id])


def _record_run(con, check, run_id: str, run_at, gx: dict | None, duration: float, result: CheckRunResult,
                full: bool, n_scope: int, reports_through, fingerprint: str) -> None:
    error = gx.get("exception") if gx else "expectation missing from the GX suites: run `xxgk check --write-suites`"
    (n_findings,) = con.execute("select count(*) from dq.findings where check_id = ?", [check.check_id]).fetchone()
    (n_in_scope,) = con.execute("select count(*) from found where check_id = ?", [check.check_id]).fetchone()
    (n_new,) = con.execute("select count(*) from dq.findings where check_id = ? and is_new",
                           [check.check_id]).fetchone()
    gx_count = gx.get("unexpected_count") if gx else None
    if gx_count is not None and gx_count != n_in_scope and error is None:
        error = f"GX counted {gx_count} unexpected rows but {n_in_scope} findings were found in the same scope"
    con.execute("insert into dq.check_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
        run_id, run_at, check.check_id, check.suite, check.severity, check.description,
        n_findings == 0 and error is None, gx.get("success") if gx else None, gx_count, n_findings, n_new,
        duration, error, "full" if full else "incremental", n_scope, n_in_scope, reports_through, fingerprint])
    if n_findings:
        result.findings_by_severity[check.severity] = result.findings_by_severity.get(check.severity, 0) + n_findings
    if check.severity == "error":
        result.new_errors += n_new
    if error or n_findings:
        result.failed_checks.append(check.check_id)


def _update_history(con, run_id: str, run_at) -> None:
    """Findings evaluated in this run: seen again, or seen for the first time (then is_new)."""
    con.execute("""
        update dq.finding_history h set last_seen_run = ?, last_seen_at = ?
        from dq.findings f where f.finding_id = h.finding_id and f.run_id = ?""", [run_id, run_at, run_id])
    con.execute("""
        insert into dq.finding_history
        select distinct f.finding_id, f.check_id, f.severity, f.report_id, ?, ?, ?, ?
        from dq.findings f
        where f.run_id = ? and not exists (select 1 from dq.finding_history h where h.finding_id = f.finding_id)""",
                [run_id, run_at, run_id, run_at, run_id])
    con.execute("""
        update dq.findings f set first_seen_run = h.first_seen_run, is_new = (h.first_seen_run = ?)
        from dq.finding_history h where h.finding_id = f.finding_id and f.run_id = ?""", [run_id, run_id])
