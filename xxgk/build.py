"""dbt: staging → marts, with the project's committed profile.

dbt runs in a subprocess: dbt-duckdb keeps its DuckDB instance open in the calling process after
a run, which would lock out the checks and readers that follow, and a subprocess is exactly what
a scheduled job runs.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(os.environ.get("XXGK_DBT_PROJECT", Path(__file__).resolve().parents[1] / "dbt_project"))
DBT = Path(sys.executable).parent / "dbt"


@dataclass
class BuildResult:
    success: bool
    failures: list[str] = field(default_factory=list)
    docs_path: Path | None = None


def dbt(command: list[str], db_path: str | Path, target_dir: str | Path | None = None,
        quiet: bool = False) -> subprocess.CompletedProcess:
    """Run one dbt command against ``db_path`` (profiles.yml reads it from XXGK_DB)."""
    target = Path(target_dir) if target_dir else PROJECT_DIR / "target"
    args = [str(DBT), *command, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
            "--target-path", str(target), "--log-path", str(target / "logs")]
    env = {**os.environ, "XXGK_DB": str(Path(db_path).resolve())}
    return subprocess.run(args, env=env, text=True, capture_output=quiet)


def build(db_path: str | Path, target_dir: str | Path | None = None, docs: bool = True,
          quiet: bool = False) -> BuildResult:
    """``dbt build`` (seeds, models, data tests, unit tests), then the static docs page.

    A failing model or test makes ``success`` False and lists what failed, so a scheduled job
    exits non-zero.
    """
    if not Path(db_path).exists():
        return BuildResult(False, [f"{db_path}: no warehouse here; run `xxgk ingest` first"])
    target = Path(target_dir) if target_dir else PROJECT_DIR / "target"
    done = dbt(["build"], db_path, target, quiet)
    if done.returncode != 0:
        return BuildResult(False, _failures(target) or [f"dbt build exited with {done.returncode}"
                                                        + (f": {done.stdout[-2000:]}" if quiet else "")])
    if not docs:
        return BuildResult(True)
    done = dbt(["docs", "generate", "--static"], db_path, target, quiet)
    if done.returncode != 0:
        return BuildResult(False, [f"dbt docs generate exited with {done.returncode}"])
    return BuildResult(True, docs_path=target / "static_index.html")


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
