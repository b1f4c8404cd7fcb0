"""``xxgk check``: dbt runs the check models once, GX validates what they found, the run is logged.

1. ``dbt build`` of ``models/checks`` (one model per check) and ``models/dq`` (the scope, dq.findings,
   the finding history, the score mart), with their data tests. A run is incremental: it
   evaluates every report of each agency with a report ingested since the previous check run's
   watermark (dq.check_scope), keeps the earlier findings of all other reports, and rebuilds the peer
   comparisons over the whole warehouse. The first run, a changed dbt project, or ``full=True``
   evaluates everything.
2. GX validates dq.findings, a suite per family, and builds its Data Docs (xxgk/checks/validate.py)
   in a GX project made for this run, holding this warehouse's earlier validations (dq.validations).
3. One transaction writes what GX said per check (dq.check_runs), its validation results, the Data
   Docs site (dq.data_docs: the dashboard writes it out) and the run log line.
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from .. import children, dbt, warehouse
from ..logs import ToolLog
from ..paths import dbt_dir
from . import GATE, GX_PROJECT_ROOT, checks_in_manifest
from .data_docs import site_files

VALIDATIONS = Path("gx") / "uncommitted" / "validations"
SITE = Path("gx") / "uncommitted" / "data_docs" / "local_site"
CHECK_RUNS = {"run_id": pl.String, "run_at": pl.Datetime("us"), "check_id": pl.String, "model": pl.String,
              "kind": pl.String, "family": pl.String, "severity": pl.String, "success": pl.Boolean,
              "n_findings": pl.Int64, "n_new": pl.Int64, "seconds": pl.Float64, "scope": pl.String,
              "n_reports_in_scope": pl.Int64, "error": pl.String}
STORED = {"dq.validations": {"run_id": pl.String, "path": pl.String, "content": pl.String},
          "dq.data_docs": {"path": pl.String, "content": pl.Binary}}


class CheckError(RuntimeError):
    """The checks could not run at all (a check model or its test failed, GX failed)."""


@dataclass
class CheckRunResult:
    run_id: str
    findings_by_severity: dict[str, int] = field(default_factory=dict)
    new_errors: int = 0
    any_error: bool = False
    data_docs: bool = False
    seconds: float = 0.0
    full: bool = True
    n_reports_in_scope: int = 0
    stage_seconds: dict[str, float] = field(default_factory=dict)  # dbt, gx, record

    def exit_code(self, fail_on_any_error: bool = False) -> int:
        """1 when GX's gate failed (an error finding is new since the previous run) or, with the flag, any error."""
        return 1 if (self.new_errors or (fail_on_any_error and self.any_error)) else 0


def run_checks(db_path: str | Path, data_docs: bool = True, full: bool = False, target_dir: str | Path | None = None,
               log: ToolLog | None = None, built_in: str | Path | None = None) -> CheckRunResult:
    """One check run; dbt's files go to ``target_dir`` (default: a temporary folder), the tools' output to ``log``
    (default: captured). ``built_in``, the build's dbt folder (default: the one beside the warehouse), lends dbt
    its parse of the project."""
    started, t0 = warehouse.now(), time.perf_counter()
    db = Path(db_path)
    if not db.exists():
        raise CheckError(f"{db}: no warehouse here; run `xxgk run` (or ingest and build) first")
    fingerprint = dbt.project_fingerprint()
    with warehouse.connect(db) as con:
        warehouse.ensure_schema(con)
        previous = warehouse.last_run(con, "check")
        reset = warehouse.reset_since(con, "check")
        watermark = warehouse.newest_report(con)
        history, previous_site = _stored(con, "dq.validations"), _stored(con, "dq.data_docs")
    full = full or previous is None or previous["fingerprint"] != fingerprint or bool(reset)
    with tempfile.TemporaryDirectory(prefix="xxgk-check-") as tmp:
        target, gx_root = Path(target_dir or Path(tmp) / "target").resolve(), Path(tmp) / "expectations"
        t1 = time.perf_counter()
        done = dbt.run(["build", "--select", *dbt.CHECKS, *dbt.check_vars(), "--exclude", dbt.UNIT_TESTS,
                        *(["--full-refresh"] if full else [])], db, target, quiet=True, log=log,
                       parsed_in=Path(built_in or dbt_dir(db, "build")))
        if done.returncode != 0:
            raise CheckError("; ".join(dbt.failures(target)) or f"dbt exited with {done.returncode}: "
                             + dbt.output_tail(done, log))
        run_results = json.loads((target / "run_results.json").read_text())
        run_id = run_results["metadata"]["invocation_id"]
        seconds = {r["unique_id"].split(".")[-1]: r["execution_time"] for r in run_results["results"]}
        t2 = time.perf_counter()
        _new_gx_project(gx_root, history, previous_site)
        gx = _validate_in_subprocess(db, gx_root, target / "manifest.json", data_docs, run_id, log)
        t3 = time.perf_counter()
        checks = checks_in_manifest(json.loads((target / "manifest.json").read_text()))
        new_files = [(rel, text) for rel, text in _files(gx_root / VALIDATIONS) if rel not in {p for _, p, _ in history}]
        site = site_files(gx_root / SITE) if data_docs else None
        con = warehouse.connect(db)
        try:
            con.execute("begin transaction")
            result = _record(con, run_id, started, checks, gx, seconds, full)
            if site is not None:  # a run without Data Docs keeps no validation pages either
                _store(con, "dq.validations", pl.DataFrame([(run_id, rel, text) for rel, text in new_files],
                                                           schema=STORED["dq.validations"], orient="row"),
                       replace=False)
                _store(con, "dq.data_docs", pl.DataFrame(site, schema=STORED["dq.data_docs"], orient="row"),
                       replace=True)
            warehouse.record_run(con, run_id, "check", started, full, fingerprint, watermark,
                                 result.n_reports_in_scope)
            con.execute("commit")
        except BaseException:
            warehouse.rollback(con)
            raise
        finally:
            con.close()
    result.data_docs = site is not None
    result.seconds = time.perf_counter() - t0
    result.stage_seconds = {"dbt": t2 - t1, "gx": t3 - t2, "record": time.perf_counter() - t3}
    return result


def _stored(con, table: str) -> list[tuple]:
    """The rows of a dq table the checks keep, or none before the first run."""
    schema, name = table.split(".")
    exists = con.execute("select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
                         [schema, name]).fetchone()[0]
    return con.execute(f"select * from {table}").fetchall() if exists else []


def _store(con, table: str, frame: pl.DataFrame, replace: bool) -> None:
    warehouse.create_table(con, table, frame)
    if replace:
        con.execute(f"delete from {table}")
    con.execute(f"insert into {table} by name select * from frame")


def _files(root: Path) -> list[tuple[str, str]]:
    return [(p.relative_to(root).as_posix(), p.read_text("utf-8")) for p in sorted(root.rglob("*.json"))]


def _new_gx_project(root: Path, history: list[tuple], site: list[tuple]) -> None:
    """A GX project for this run: the committed configuration, this warehouse's earlier validation results and its
    Data Docs site, to which the checkpoint's action adds this run's pages (so the site holds its runs, and only
    its own)."""
    if not (GX_PROJECT_ROOT / "gx" / "great_expectations.yml").is_file():
        raise CheckError(f"no GX configuration in {GX_PROJECT_ROOT / 'gx'} (great_expectations.yml)")
    shutil.copytree(GX_PROJECT_ROOT / "gx", root / "gx", ignore=shutil.ignore_patterns("uncommitted"))
    for folder, files in ((VALIDATIONS, [(rel, text.encode("utf-8")) for _, rel, text in history]), (SITE, site)):
        for rel, data in files:
            path = root / folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


def _validate_in_subprocess(db: Path, gx_root: Path, manifest: Path, data_docs: bool, run_id: str,
                            log: ToolLog | None) -> dict:
    """GX's verdict, which the process writes to a file: its own output is GX's log."""
    verdict = gx_root / "verdict.json"
    args = [sys.executable, "-m", "xxgk.checks.validate", str(db), str(gx_root), str(manifest), run_id, str(verdict)]
    args += [] if data_docs else ["--no-docs"]
    # A command of its own, not a fork of the tool server: GX's import starts threads (see children.serve).
    done = log.run(args, label="GX validation") if log else children.run(args)
    if done.returncode != 0:
        output = done.stdout
        hint = (" (another process holds the warehouse open for writing; close it and retry)"
                if "lock" in output.lower() else "")
        tail = log.tail(output) if log else "\n".join(output.strip().splitlines()[-5:])
        raise CheckError(f"GX validation failed{hint}: {tail}")
    return json.loads(verdict.read_text())


def _record(con, run_id: str, run_at, checks: list[dict], gx: dict, seconds: dict[str, float],
            full: bool) -> CheckRunResult:
    """dq.check_runs for this run (GX's verdict and count per check, the seconds dbt took for its model); the
    run's result from GX's gate."""
    by_check = {e["check_id"]: e for e in gx["expectations"]}
    (n_scope,) = con.execute("select count(*) from dq.check_scope").fetchone()
    new = dict(con.execute("select check_id, count(*) from dq.findings where is_new group by 1").fetchall())
    result = CheckRunResult(run_id, full=full, n_reports_in_scope=n_scope)
    rows = []
    for c in checks:
        e = by_check.get(c["check_id"], {})
        n = e.get("unexpected_count") or 0
        rows.append({"run_id": run_id, "run_at": run_at, "check_id": c["check_id"], "model": c["model"],
                     "kind": c["kind"], "family": c["family"], "severity": c["severity"],
                     "success": e.get("success"), "n_findings": n, "n_new": new.get(c["check_id"], 0),
                     "seconds": seconds.get(c["model"].split(".")[-1]), "scope": "full" if full else "incremental",
                     "n_reports_in_scope": n_scope,
                     "error": e.get("exception") or (None if e else "no GX expectation for this check")})
        if n:
            result.findings_by_severity[c["severity"]] = result.findings_by_severity.get(c["severity"], 0) + n
        result.any_error |= c["severity"] == "error" and e.get("success") is False
    result.new_errors = sum(e.get("unexpected_count") or 0 for e in gx["expectations"] if e["check_id"] == GATE)
    _store(con, "dq.check_runs", pl.DataFrame(rows, schema=CHECK_RUNS), replace=False)
    return result
