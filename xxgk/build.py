"""The build stage's work: staging → intermediate → marts, by ``dbt build`` (xxgk/dbt.py runs dbt).

Builds are incremental: the per-report models and facts read only the reports ingested since the
previous build's watermark in the run log (``meta.runs``, read by the models themselves), and so do
the data tests. Each build is recorded there with a fingerprint of the dbt project; when models,
macros or definitions (seeds) have changed since, the next build is a full refresh, so an
incremental build never mixes old and new definitions; nor does it load the seeds again (but the reviewers'
decisions, which the fingerprint leaves out, and the seeds a model's data test reads): they are what the
previous build loaded (dbt.reference_seeds).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from . import dbt, warehouse
from .logs import ToolLog
from .paths import dbt_dir


@dataclass
class BuildResult:
    success: bool
    failures: list[str] = field(default_factory=list)
    docs_path: Path | None = None
    full_refresh: bool = False


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
    fingerprint = dbt.project_fingerprint()
    full_refresh = (full_refresh or previous is None or previous["fingerprint"] != fingerprint or names_changed
                    or bool(reset))
    # A run that fails before it writes results must not be reported with an earlier run's failures.
    (target / "run_results.json").unlink(missing_ok=True)
    # An incremental build runs under the fingerprint of the previous one: its seeds are loaded already.
    unchanged = [] if full_refresh else dbt.reference_seeds(target / "manifest.json")
    done = dbt.run(["build", *dbt.check_vars(), "--exclude", dbt.UNIT_TESTS, *dbt.CHECKS, *unchanged,
                    *(["--full-refresh"] if full_refresh else [])], db_path, target, quiet, log)
    if done.returncode != 0:
        why = f": {dbt.output_tail(done, log)}" if quiet or log else ""
        return BuildResult(False, dbt.failures(target) or [f"dbt build exited with {done.returncode}{why}"])
    with warehouse.connect(db_path) as con:
        warehouse.record_run(con, uuid.uuid4().hex, "build", started, full_refresh, fingerprint, watermark, n_reports)
    if not docs:
        return BuildResult(True, full_refresh=full_refresh)
    # The docs describe the project (models, columns, lineage): an incremental build changed none of it, so the
    # page it wrote last time stands (its table statistics are those of that build); generating it costs seconds.
    if not full_refresh and (target / "static_index.html").exists():
        return BuildResult(True, docs_path=target / "static_index.html", full_refresh=full_refresh)
    # --no-compile: the page embeds the manifest the build just wrote, compiled SQL included for every node it ran
    # (the check models show their source: the check stage compiles them); compiling the project again took 4 of
    # the docs' 7 s.
    done = dbt.run(["docs", "generate", "--static", "--no-compile", *dbt.check_vars()], db_path, target, quiet, log)
    if done.returncode != 0:
        return BuildResult(False, [f"dbt docs generate exited with {done.returncode}"
                                   + (f": {dbt.output_tail(done, log)}" if quiet or log else "")])
    return BuildResult(True, docs_path=target / "static_index.html", full_refresh=full_refresh)
