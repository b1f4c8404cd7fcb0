"""dbt: staging → marts, with the project's committed profile.

dbt runs in a subprocess: dbt-duckdb keeps its DuckDB instance open in the calling process after
a run, which would lock out the checks and readers that follow, and a subprocess is exactly what
a scheduled job runs.

Builds are incremental: the per-report models and facts read only the reports ingested since the
previous build, and so do the data tests. Each build is recorded in ``meta.builds`` with a
fingerprint of the dbt project; when models, macros or definitions (seeds) have changed since, the
next build is a full refresh, so an incremental build never mixes old and new definitions.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from loaders import store
from loaders.children import dies_with_this_process

PROJECT_DIR = Path(os.environ.get("XXGK_DBT_PROJECT", Path(__file__).resolve().parents[1] / "dbt_project"))
DBT = Path(sys.executable).parent / "dbt"


# What the models' results depend on: a change to any of these calls for a full refresh.
FINGERPRINTED = ("dbt_project.yml", "models", "macros", "seeds")
BUILDS_TABLE = """
create schema if not exists meta;
create table if not exists meta.builds (
    built_at timestamp, project_fingerprint varchar, reports_through timestamp, full_refresh boolean
);
comment on table meta.builds is 'One row per successful xxgk build: the dbt project it ran, whether it rebuilt everything, and the newest report ingested when it started (the next build reads the reports after it).';
"""


@dataclass
class BuildResult:
    success: bool
    failures: list[str] = field(default_factory=list)
    docs_path: Path | None = None
    full_refresh: bool = False


def dbt(command: list[str], db_path: str | Path, target_dir: str | Path | None = None,
        quiet: bool = False) -> subprocess.CompletedProcess:
    """Run one dbt command against ``db_path`` (profiles.yml reads it from XXGK_DB)."""
    target = Path(target_dir).resolve() if target_dir else PROJECT_DIR / "target"  # dbt resolves from the project
    args = [str(DBT), *command, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
            "--target-path", str(target), "--log-path", str(target / "logs")]
    env = {**os.environ, "XXGK_DB": str(Path(db_path).resolve()), "XXGK_DUCKDB_MEMORY": store.MEMORY_LIMIT,
           "DBT_USE_COLORS": "false"}
    # dbt dies with xxgk: a killed build leaves no dbt writing its deleted work file.
    return subprocess.run(args, env=env, text=True, capture_output=quiet, preexec_fn=dies_with_this_process())


def build(db_path: str | Path, target_dir: str | Path | None = None, docs: bool = True,
          quiet: bool = False, full_refresh: bool = False) -> BuildResult:
    """``dbt build`` (seeds, models, data tests, unit tests), then the static docs page.

    Incremental unless ``full_refresh``, the first build, or a changed dbt project. A failing model
    or test makes ``success`` False and lists what failed, so a scheduled job exits non-zero.
    """
    if not Path(db_path).exists():
        return BuildResult(False, [f"{db_path}: no warehouse here; run `xxgk ingest` first"])
    target = Path(target_dir).resolve() if target_dir else PROJECT_DIR / "target"
    with store.connect(db_path) as con:  # a warehouse ingested by an older xxgk gets the columns the models read
        store.ensure_schema(con)
    fingerprint = project_fingerprint()
    previous, reports_through = _build_state(db_path)
    full_refresh = full_refresh or previous is None or previous[0] != fingerprint
    mode = ["--full-refresh"] if full_refresh else ["--vars", json.dumps({"new_reports_since": str(previous[1])})]
    done = dbt(["build", *mode], db_path, target, quiet)
    if done.returncode != 0:
        return BuildResult(False, _failures(target) or [f"dbt build exited with {done.returncode}"
                                                        + (f": {done.stdout[-2000:]}" if quiet else "")])
    _record_build(db_path, fingerprint, reports_through, full_refresh)
    if not docs:
        return BuildResult(True, full_refresh=full_refresh)
    done = dbt(["docs", "generate", "--static"], db_path, target, quiet)
    if done.returncode != 0:
        return BuildResult(False, [f"dbt docs generate exited with {done.returncode}"])
    return BuildResult(True, docs_path=target / "static_index.html", full_refresh=full_refresh)


def project_fingerprint(project_dir: Path = PROJECT_DIR) -> str:
    """SHA-256 over the dbt project's models, macros, seeds and settings (paths and contents)."""
    digest = hashlib.sha256()
    for name in FINGERPRINTED:
        root = project_dir / name
        for f in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if f.is_file():
                digest.update(f.relative_to(project_dir).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()


def _build_state(db_path: str | Path) -> tuple[tuple[str, dt.datetime] | None, dt.datetime | None]:
    """(fingerprint and reports_through of the last build, or None; the newest report ingested now)."""
    with store.connect(db_path, read_only=True) as con:
        tables = {t for (t,) in con.execute(
            "select schema_name || '.' || table_name from duckdb_tables() where schema_name in ('meta', 'raw')"
        ).fetchall()}
        newest = con.execute("select max(ingested_at) from raw.reports").fetchone()[0] \
            if "raw.reports" in tables else None
        last = con.execute("select project_fingerprint, reports_through from meta.builds "
                           "order by built_at desc limit 1").fetchone() if "meta.builds" in tables else None
    if last is None or last[1] is None:
        return None, newest
    return (last[0], last[1]), newest


def _record_build(db_path: str | Path, fingerprint: str, reports_through: dt.datetime | None,
                  full_refresh: bool) -> None:
    with store.connect(db_path) as con:
        con.execute(BUILDS_TABLE)
        con.execute("insert into meta.builds values (?, ?, ?, ?)",
                    [dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), fingerprint, reports_through,
                     full_refresh])


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


def copy_docs(docs_path: Path, out_dir: Path) -> Path:
    """Put the static dbt docs page where the dashboard links to it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    dest = out_dir / "dbt-docs.html"
    shutil.copyfile(docs_path, dest)
    return dest
