"""dbt: staging → intermediate → marts (``xxgk build``), and the check models (``xxgk check``).

dbt runs in a subprocess: dbt-duckdb keeps its DuckDB instance open in the calling process after
a run, which would lock out the checks and readers that follow, and a subprocess is exactly what
a scheduled job runs.

Builds are incremental: the per-report models and facts read only the reports ingested since the
previous build's watermark in the run log (``meta.runs``, read by the models themselves), and so do
the data tests. Each build is recorded there with a fingerprint of the dbt project; when models,
macros or definitions (seeds) have changed since, the next build is a full refresh, so an
incremental build never mixes old and new definitions.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from . import warehouse
from .children import dies_with_this_process
from .logs import ToolLog
from .paths import dbt_dir

PROJECT_DIR = warehouse.DBT_PROJECT
DBT = Path(sys.executable).parent / "dbt"
# What the models' results depend on: a change to any of these calls for a full refresh.
FINGERPRINTED = ("dbt_project.yml", "models", "macros", "seeds")
# Reviewers' decisions kept in the repository change no model's rows, only the views over them (the score): a new
# decision must not rebuild the warehouse. A build loads them (see seeds_changed).
REVIEWED = Path("seeds") / "reviewed_findings.csv"


@dataclass
class BuildResult:
    success: bool
    failures: list[str] = field(default_factory=list)
    docs_path: Path | None = None
    full_refresh: bool = False


def dbt(command: list[str], db_path: str | Path, target_dir: str | Path | None = None,
        quiet: bool = False, log: ToolLog | None = None) -> subprocess.CompletedProcess:
    """Run one dbt command against ``db_path`` (profiles.yml reads it from XXGK_DB); its output goes to ``log``
    when given, else to the terminal (``quiet``: captured)."""
    # Beside the warehouse by default: two builds of two warehouses from one checkout never share dbt's files.
    target = Path(target_dir or dbt_dir(db_path, command[0])).resolve()  # dbt resolves a relative one from the project
    args = [str(DBT), *command, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
            "--target-path", str(target), "--log-path", str(target / "logs")]
    env = {**os.environ, "XXGK_DB": str(Path(db_path).resolve()), "XXGK_DUCKDB_MEMORY": warehouse.MEMORY_LIMIT,
           "DBT_USE_COLORS": "false"}
    if log is not None:
        return log.run(args, env, label=f"dbt {command[0]}")
    # dbt dies with xxgk: a killed build leaves no dbt writing its deleted work file.
    return subprocess.run(args, env=env, text=True, capture_output=quiet, preexec_fn=dies_with_this_process())


# dbt's unit tests check the models' logic on fixed rows, not the data: they run in the test suite
# (tests/test_checks.py), not in every build and check run, where thirty of them would add seconds.
WITHOUT_UNIT_TESTS = ["--exclude", "test_type:unit"]


def check_models(project_dir: Path | None = None) -> list[str]:
    """The check models: every ``models/checks/chk_*.sql``. A check exists by its file alone; dq.findings reads the
    list from the var ``check_models``, through which dbt also learns the lineage check → finding."""
    return sorted(p.stem for p in ((project_dir or PROJECT_DIR) / "models" / "checks").glob("chk_*.sql"))


def check_vars(project_dir: Path | None = None) -> list[str]:
    """The ``--vars`` that enable the check models and dq.* (disabled in a plain ``dbt build``)."""
    return ["--vars", json.dumps({"check_models": check_models(project_dir)})]


def build(db_path: str | Path, target_dir: str | Path | None = None, docs: bool = True,
          quiet: bool = False, full_refresh: bool = False, log: ToolLog | None = None) -> BuildResult:
    """``dbt build`` (seeds, models, data tests), then the static docs page.

    Incremental unless ``full_refresh``, the first build, or a changed dbt project. A failing model
    or test makes ``success`` False and lists what failed, so a scheduled job exits non-zero.
    """
    if not Path(db_path).exists():
        return BuildResult(False, [f"{db_path}: no warehouse here; run `xxgk ingest` first"])
    target = Path(target_dir or dbt_dir(db_path, "build")).resolve()
    started = warehouse.now()
    with warehouse.connect(db_path) as con:  # a warehouse ingested by an older xxgk gets the columns the models read
        warehouse.ensure_schema(con)
        names_changed = warehouse.refresh_agency_names(con)  # the seeds may have been edited since the ingest
        previous = warehouse.last_run(con, "build")
        reset = warehouse.reset_since(con, "build")
        watermark = warehouse.newest_report(con)
        (n_reports,) = con.execute("select count(*) from raw.reports").fetchone()
    fingerprint = project_fingerprint()
    full_refresh = (full_refresh or previous is None or previous["fingerprint"] != fingerprint or names_changed
                    or bool(reset))
    # A run that fails before it writes results must not be reported with an earlier run's failures.
    (target / "run_results.json").unlink(missing_ok=True)
    done = dbt(["build", *WITHOUT_UNIT_TESTS, *(["--full-refresh"] if full_refresh else [])], db_path, target, quiet,
               log)
    if done.returncode != 0:
        return BuildResult(False, _failures(target) or [f"dbt build exited with {done.returncode}"
                                                        + (f": {_tail(done, log)}" if quiet or log else "")])
    with warehouse.connect(db_path) as con:
        warehouse.record_run(con, uuid.uuid4().hex, "build", started, full_refresh, fingerprint, watermark, n_reports)
    if not docs:
        return BuildResult(True, full_refresh=full_refresh)
    # The docs describe the project (models, columns, lineage): an incremental build changed none of it, so the
    # page it wrote last time stands (its table statistics are those of that build); generating it costs seconds.
    if not full_refresh and (target / "static_index.html").exists():
        return BuildResult(True, docs_path=target / "static_index.html", full_refresh=full_refresh)
    done = dbt(["docs", "generate", "--static", *check_vars()], db_path, target, quiet, log)
    if done.returncode != 0:
        return BuildResult(False, [f"dbt docs generate exited with {done.returncode}"
                                   + (f": {_tail(done, log)}" if quiet or log else "")])
    return BuildResult(True, docs_path=target / "static_index.html", full_refresh=full_refresh)


def nothing_new(con, stage: str) -> bool:
    """True when a stage (build, check) would do what its last run did: no report ingested or forgotten since, the
    dbt project unchanged, nothing since that makes it start over (warehouse.RESETS: a migration, a re-parse, an
    agency's name resolved anew), and, for the checks, no build since; for a build, no reviewer's decision added to
    the repository's file since (a build loads it)."""
    last = warehouse.last_run(con, stage)
    if last is None or last["fingerprint"] != project_fingerprint() or warehouse.reset_since(con, stage):
        return False
    if last["watermark"] != warehouse.newest_report(con):
        return False
    if stage == "check":
        build = warehouse.last_run(con, "build")
        return build is not None and build["finished_at"] <= last["started_at"]
    (n_reports,) = con.execute("select count(*) from raw.reports").fetchone()
    reviewed = dt.datetime.fromtimestamp((PROJECT_DIR / REVIEWED).stat().st_mtime, dt.UTC)
    return n_reports == last["n_reports"] and reviewed.replace(tzinfo=None) <= last["started_at"]


def project_fingerprint(project_dir: Path = PROJECT_DIR) -> str:
    """SHA-256 over the dbt project's models, macros, seeds and settings (paths and contents)."""
    digest = hashlib.sha256()
    for name in FINGERPRINTED:
        root = project_dir / name
        for f in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if f.is_file() and f != project_dir / REVIEWED:
                digest.update(f.relative_to(project_dir).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()


def _tail(done: subprocess.CompletedProcess, log: ToolLog | None) -> str:
    return log.tail(done.stdout) if log else done.stdout[-2000:]


def _failures(target: Path) -> list[str]:
    """Failed nodes, from dbt's own run_results.json."""
    try:
        results = json.loads((target / "run_results.json").read_text())["results"]
    except (OSError, ValueError, KeyError):
        return []
    return [f"{_node_name(r['unique_id'])}: {r['status']}: {(r.get('message') or '').strip()[:300]}"
            for r in results if r["status"] in ("error", "fail", "runtime error")]


def _node_name(unique_id: str) -> str:
    """'test.xxgk.<name>.<hash>' → 'test <name>'; 'unit_test.xxgk.<model>.<name>' → 'unit_test <name>'."""
    kind, _, *rest = unique_id.split(".")
    return f"{kind} {rest[-1] if kind == 'unit_test' else rest[0]}"
