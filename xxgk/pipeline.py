"""The stages of the pipeline, and the one runner every command that runs them goes through.

A stage (``Stage``) has a name (its command, and its line in the run log ``meta.runs``), what it needs in the
warehouse before it can run (``Need``: a table, and the command that makes it), and its run: a function of the
command's options (``Context``) and the warehouse file it works on, returning an exit code. A stage that finishes
records its line in ``meta.runs``: ingest, build, check and forget write theirs themselves, with their work (the
checks in its transaction), their watermark and the dbt project's fingerprint; the runner writes the dashboard's.

``run`` runs stages in order. Stages that write (ingest, build, check, forget) run on one private copy of the
warehouse, published atomically (xxgk/warehouse.py) unless a stage fails: readers see the warehouse as it was, or
with every stage done, never in between. A read-only run (``xxgk dashboard``, or ``xxgk run`` with nothing new)
reads the published warehouse and writes nothing to it, so it records no line either; within a run that writes,
the dashboard is read from the work copy about to be published, and records its line there; its pages are written
aside and moved into place only once that copy is published, so they never show what was not.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

from . import errors as E
from .errors import printable

DEFAULT_RAW = "data/raw"


@dataclass
class Context:
    """What a command asked for (its options, as the command line gives them), and what its stages said back."""

    command: str
    db: str
    paths: list[str] = field(default_factory=list)
    workers: int = 1
    reparse: bool = False
    no_ocr: bool = False
    no_docs: bool = False
    full_refresh: bool = False
    full: bool = False
    fail_on_any_error: bool = False
    quiet: bool = False
    verbose: bool = False
    out: str | None = None
    default_out: bool = False
    site_aside: str | None = None  # in a run that writes, where the dashboard's pages wait for the publish
    targets: list[str] = field(default_factory=list)
    reason: str | None = None
    # Said back by the stages, for the run's summary (xxgk/summary.py).
    ingested: int = 0  # reports ingested, re-parsed or forgotten: the work copy changed before the build
    skipped: list[str] = field(default_factory=list)
    dashboard_line: str = ""

    @classmethod
    def of(cls, args: argparse.Namespace) -> Context:
        """The options of a parsed command line (those a command does not have keep their defaults)."""
        return cls(**{f.name: getattr(args, f.name) for f in fields(cls) if hasattr(args, f.name)})


@dataclass(frozen=True)
class Need:
    """A table a stage reads, and the command that makes it."""

    schema: str
    table: str
    command: str
    what: str  # as a message names it
    # The marts of a warehouse an older xxgk built have that release's columns until the next build.
    built_since_migration: bool = False


RAW = Need("raw", "reports", "xxgk ingest", "raw.reports")
MARTS = Need("marts", "dim_report", "xxgk build", "marts", built_since_migration=True)


@dataclass(frozen=True)
class Stage:
    """One stage: see the module's docstring."""

    name: str
    run: Callable[[Context, Path], int]
    needs: Need | None = None
    writes: bool = True  # False: it reads the warehouse and needs no work copy of its own
    records: bool = True  # its run records its line in meta.runs; False: the runner does, when it ran in a publish
    skip_unchanged: bool = False  # in `xxgk run`, skipped when it would do what its last run did (nothing_new)
    # What a failure leaves, when stages before it changed the work copy: False, a half-written work copy (the
    # runner restores and publishes it as it was before the stage); True, a whole one (its writes are one
    # transaction, or none), published as it is.
    whole_on_failure: bool = False
    alerts: bool = False  # its exit code NEW_ERRORS is its result (new report errors), not a failure


class StepFailed(Exception):
    """A stage ended with a failing exit code (it said why itself)."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code
        self.kept: str | None = None  # the stages whose work was published although this one failed


def say(text: str, err: bool = False) -> None:
    """Print a message; whatever came from file names or file contents is escaped (no terminal control)."""
    print(printable(text), file=sys.stderr if err else sys.stdout, flush=True)


def said_by(ctx: Context, stage: str, text: str) -> None:
    """A stage's result: always the result of the command of that name; within `xxgk run`, a stage line, left out
    with --quiet (the run's summary says it)."""
    if ctx.command == stage or not ctx.quiet:
        say(text)


# === The runner =====================================================================================================


def run(ctx: Context, stages: Sequence[Stage]) -> int:
    """Run ``stages`` in order and return the exit code: on one published work copy when any of them writes, else on
    the published warehouse."""
    if not any(stage.writes for stage in stages):
        return _read_only(ctx, stages)
    return _published(ctx, stages)


def run_all(ctx: Context) -> int:
    """`xxgk run`: ingest, build, check and the dashboard; with no new file, an unchanged dbt project and no stage
    left undone, the dashboard alone (nothing is written: the warehouse is not even copied)."""
    if nothing_to_run(ctx):
        ctx.skipped += ["ingest", "build", "check"]
        return run(ctx, [DASHBOARD])
    return run(ctx, [INGEST, BUILD, CHECK, DASHBOARD])


def forget(ctx: Context) -> int:
    """Forget the sources; when the warehouse was built, build and check again in the same publish, so the marts
    and findings follow."""
    from .warehouse import check_warehouse_file

    db = Path(ctx.db)
    check_warehouse_file(db.resolve(), writing=True)
    if not db.exists():
        raise E.UsageError(f"{db}: no warehouse here; nothing to forget")
    built = has_table(db, MARTS.schema, MARTS.table)
    code = run(ctx, [FORGET, *((BUILD, CHECK) if built else ())])
    if not built:
        say(f"forget: {ctx.db} has no marts yet; `xxgk build` builds them without what was forgotten")
    return code


def _read_only(ctx: Context, stages: Sequence[Stage]) -> int:
    """Stages that only read, on the published warehouse: refused before anything is written when it is busy,
    damaged, unreadable, of an older schema, or without what they need."""
    from .warehouse import open_published

    db = Path(ctx.db)
    _require_warehouse(ctx)
    with open_published(db.resolve()) as con:
        require_current_schema(con, db)
    code = E.OK
    for stage in stages:
        require(stage.needs, db, ctx.db)
        code = stage.run(ctx, db) or code
    return code


def _published(ctx: Context, stages: Sequence[Stage]) -> int:
    """Run the stages on one work copy and publish it, unless a stage fails (check's 'new errors' is not a
    failure).

    A failed stage does not throw away the ones before it: before a stage that leaves a half-written work copy
    when it fails (the build) follows one which changed the warehouse, the work copy is kept aside; if the stage
    fails, that copy is published instead. A stage that fails leaving the work copy whole (the checks write in one
    transaction) publishes the stages before it as they are.
    """
    from .warehouse import publishing

    code, failure, k = E.OK, None, 0
    if stages[0].needs is not None:
        _require_warehouse(ctx)
    if ctx.out and not all(stage.writes for stage in stages):
        Path(ctx.out).parent.mkdir(parents=True, exist_ok=True)
        ctx.site_aside = tempfile.mkdtemp(prefix=f".{Path(ctx.out).name}.", dir=Path(ctx.out).parent)
    try:
        with publishing(ctx.db) as work:
            code, failure, k = _run_stages(ctx, stages, work)
        # The pages go with the warehouse they show: published too when a stage after them failed.
        if ctx.site_aside and (failure is None or stages[k].writes):
            _move_into(Path(ctx.site_aside), Path(ctx.out))
    finally:
        if ctx.site_aside:
            shutil.rmtree(ctx.site_aside, ignore_errors=True)
    if failure is not None:
        raise _with_what_was_published(failure, stages[:k])
    return code


def _run_stages(ctx: Context, stages: Sequence[Stage], work: Path) -> tuple[int, Exception | None, int]:
    """The stages of ``_published`` on its work copy: (exit code, the failure to raise once the copy is published,
    the failed stage's index)."""
    from .warehouse import stage_name

    code, failure, k = E.OK, None, 0
    _migrate(ctx, work)
    for k, stage in enumerate(stages):
        require(stage.needs, work, ctx.db)
        if stage.skip_unchanged and _unchanged(ctx, work, stage):
            ctx.skipped.append(stage.name)
            continue
        kept = stage_name(work) if k and not stage.whole_on_failure and ctx.ingested else None
        if kept:
            shutil.copyfile(work, kept)
        try:
            code = _run_stage(ctx, stage, work) or code  # the check's new errors outlast the dashboard
        except Exception as exc:  # noqa: BLE001 — re-raised once what came before is published
            if kept:
                os.replace(kept, work)  # the stage's half-written tables go; the ingest stays
            elif not (k and stage.whole_on_failure):
                raise
            failure = exc
            break
        finally:
            if kept:
                kept.unlink(missing_ok=True)
    return code, failure, k


def _move_into(aside: Path, out: Path) -> None:
    """Move what a stage wrote aside into ``out``, file by file (each replaced at once); what else ``out`` holds
    stays.

    >>> import tempfile; a, o = Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp())
    >>> _ = (a / "reports").mkdir(), (a / "reports" / "r.html").write_text("new"), (o / "mine.txt").write_text("x")
    >>> _move_into(a, o); sorted(p.relative_to(o).as_posix() for p in o.rglob("*"))
    ['mine.txt', 'reports', 'reports/r.html']
    """
    for path in sorted(aside.rglob("*")):
        target = out / path.relative_to(aside)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            os.replace(path, target)


def _run_stage(ctx: Context, stage: Stage, work: Path) -> int:
    """Run one stage on the work copy; a failing exit code raises StepFailed; the line in meta.runs of a stage that
    does not write its own."""
    from . import warehouse

    started = warehouse.now()
    code = stage.run(ctx, work)
    if code not in (E.OK, E.NEW_ERRORS) or (code == E.NEW_ERRORS and not stage.alerts):
        raise StepFailed(code)
    if not stage.records:
        _record(work, stage.name, started)
    return code


def _record(db: Path, stage: str, started: dt.datetime) -> None:
    """The run log's line of a stage that does not record its own: the reports it saw, every one."""
    from . import warehouse

    with warehouse.connect(db) as con:
        (n_reports,) = con.execute("select count(*) from raw.reports").fetchone()
        warehouse.record_run(con, uuid.uuid4().hex, stage, started, True, None, warehouse.newest_report(con),
                             n_reports)


def _with_what_was_published(failure: Exception, before: Sequence[Stage]) -> Exception:
    """The failure of a stage after others, saying that theirs was published."""
    done = " and ".join(stage.name for stage in before) + " before it " + ("were" if len(before) > 1 else "was")
    if isinstance(failure, StepFailed):
        failure.kept = done
    else:
        failure.args = (f"{failure} (the {done} published)", *failure.args[1:])
    return failure


def _migrate(ctx: Context, work: Path) -> None:
    """A warehouse written by an older xxgk is migrated in the work copy: published with the command's work."""
    from .migrations import migrate

    for step in migrate(work):
        say(f"{ctx.command}: upgraded {ctx.db} to schema version {step}")


# === What a stage needs, and whether it has anything to do ==========================================================


def _require_warehouse(ctx: Context) -> None:
    if not Path(ctx.db).exists():
        raise E.UsageError(f"{ctx.db}: no warehouse here; run `xxgk run` (or ingest and build) first")


def require(need: Need | None, db: Path, shown: str) -> None:
    """Refuse to go on while what a stage needs is not in the warehouse ``db`` (``shown`` as the user named it),
    naming the command that makes it."""
    if need is None:
        return
    if not has_table(db, need.schema, need.table):
        raise E.UsageError(f"{shown} has no {need.what} yet: run `{need.command}` first (or `xxgk run`)")
    if need.built_since_migration:
        require_marts_since_migration(db, shown)


def require_current_schema(con, db: Path) -> None:
    """A read-only command refuses a warehouse an older xxgk wrote, naming the command that upgrades it."""
    from .migrations import SCHEMA_VERSION, is_new, schema_version

    version = schema_version(con)
    if version < SCHEMA_VERSION and not is_new(con):
        raise E.UsageError(f"{db} was written by an older xxgk (schema version {version}; this one reads "
                           f"{SCHEMA_VERSION}): run `xxgk build` (or `xxgk run`) once, which upgrades it")


def require_marts_since_migration(db: Path, shown: str) -> None:
    """The marts of a warehouse an older xxgk built have that release's columns until the next build."""
    from .warehouse import connect

    with connect(db, read_only=True) as con:
        has_log = con.execute("select count(*) from duckdb_tables() where schema_name = 'meta' and "
                              "table_name = 'runs'").fetchone()[0]
        migrated, built = con.execute(
            "select max(finished_at) filter (where stage = 'migrate'), max(finished_at) filter (where stage = 'build') "
            "from meta.runs").fetchone() if has_log else (None, None)
    if migrated is not None and (built is None or built < migrated):
        raise E.UsageError(f"{shown} was upgraded from an older xxgk and its marts not built since: run `xxgk build` "
                           "first (or `xxgk run`)")


def has_table(db: Path, schema: str, table: str) -> bool:
    """Whether the warehouse file ``db`` exists and holds ``schema.table``."""
    from .warehouse import connect, has_relation

    if not db.exists():
        return False
    with connect(db, read_only=True) as con:
        return has_relation(con, schema, table)


def nothing_new(con, stage: str) -> bool:
    """True when a stage (build, check) would do what its last run did: no report ingested or forgotten since, the
    dbt project unchanged, nothing since that makes it start over (warehouse.RESETS: a migration, a re-parse, an
    agency's name resolved anew), and, for the checks, no build since; for a build, no reviewer's decision added to
    the repository's file since (a build loads it)."""
    from . import dbt, warehouse

    last = warehouse.last_run(con, stage)
    if last is None or last["fingerprint"] != dbt.project_fingerprint() or warehouse.reset_since(con, stage):
        return False
    if last["watermark"] != warehouse.newest_report(con):
        return False
    if stage == "check":
        build = warehouse.last_run(con, "build")
        return build is not None and build["finished_at"] <= last["started_at"]
    (n_reports,) = con.execute("select count(*) from raw.reports").fetchone()
    reviewed = dt.datetime.fromtimestamp((dbt.PROJECT_DIR / dbt.REVIEWED).stat().st_mtime, dt.UTC)
    return n_reports == last["n_reports"] and reviewed.replace(tzinfo=None) <= last["started_at"]


def nothing_to_run(ctx: Context) -> bool:
    """A run with no new file, an unchanged dbt project and no stage left undone writes nothing: the warehouse is not
    even copied (publishing would copy it whole)."""
    from .ingest import nothing_to_ingest
    from .migrations import SCHEMA_VERSION, schema_version
    from .warehouse import open_published

    db = Path(ctx.db)
    if ctx.full_refresh or ctx.reparse or not nothing_to_ingest(ctx.paths or [DEFAULT_RAW], db,
                                                                exclude=own_files(ctx)):
        return False
    with open_published(db.resolve()) as con:  # busy or damaged: said as a writing run would
        return schema_version(con) == SCHEMA_VERSION and nothing_new(con, "build") and nothing_new(con, "check")


def _unchanged(ctx: Context, db: Path, stage: Stage) -> bool:
    """In `xxgk run`, a stage with nothing new to do (nothing_new) is skipped: a scheduled run on unchanged input
    costs the ingest's look at the files and the dashboard."""
    from .warehouse import connect

    if ctx.command != "run" or ctx.full_refresh:
        return False
    with connect(db, read_only=True) as con:
        return nothing_new(con, stage.name)


# === The stages =====================================================================================================


def _ingest(ctx: Context, db: Path) -> int:
    from loaders.containers import ocr

    ocr.ENABLED = not ctx.no_ocr  # read by the parser, in this process and the workers it forks
    from .ingest import ingest

    summary = ingest(ctx.paths or [DEFAULT_RAW], db, workers=_capped_workers(ctx), progress=not ctx.quiet,
                     exclude=own_files(ctx), reparse=ctx.reparse)
    ctx.ingested = sum(summary.counts[s] for s in ("loaded", "partial", "rejected")) + sum(summary.reparsed.values())
    for path, status, error in summary.problems:
        say(f"{status}: {printable(path, one_line=True)}: {error}", err=True)
    for path, _size, reason in summary.skipped:
        say(f"skipped: {printable(path, one_line=True)}: {reason}", err=True)
    said_by(ctx, "ingest", f"ingest: {summary.line()} → {ctx.db}")
    return E.OK


def _build(ctx: Context, db: Path) -> int:
    from .build import build
    from .paths import dbt_dir

    mark_as_output(dbt_dir(ctx.db, "build").parent)
    result = build(db, target_dir=dbt_dir(ctx.db, "build"), docs=not ctx.no_docs, full_refresh=ctx.full_refresh,
                   log=_tool_log(ctx))
    if not result.success:
        text = "\n".join(result.failures)
        if E.no_room(text):
            raise E.EnvironmentProblem(f"no room to write during the build ({E.no_room_line(text)}); nothing of "
                                       "the build was published; free disk space and run again")
        for failure in result.failures:
            say(f"build failed: {failure}", err=True)
        return E.STAGE_FAILED
    how = "rebuilt in full" if result.full_refresh else "updated with the reports ingested since the last build"
    said_by(ctx, "build", f"build: marts {how} in {ctx.db}"
            + (f"; dbt docs: {result.docs_path}" if result.docs_path else ""))
    return E.OK


def _check(ctx: Context, db: Path) -> int:
    from .checks import severities
    from .checks.run import CheckError, run_checks
    from .paths import dbt_dir

    mark_as_output(dbt_dir(ctx.db, "check").parent)
    try:
        result = run_checks(db, data_docs=not ctx.no_docs, full=ctx.full, target_dir=dbt_dir(ctx.db, "check"),
                            log=_tool_log(ctx), built_in=dbt_dir(ctx.db, "build"))
    except CheckError as exc:
        raise E.StageFailed(str(exc)) from None
    counts = ", ".join(f"{result.findings_by_severity.get(s['severity'], 0)} {s['severity']}" for s in severities())
    scope = "all" if result.full else "the changed agencies'"
    said_by(ctx, "check", f"check: run {result.run_id} over {scope} {result.n_reports_in_scope} reports: {counts} "
            f"findings ({result.new_errors} new errors) in {result.seconds:.1f}s → dq.findings"
            + ("; GX Data Docs in dq.data_docs (`xxgk dashboard` writes them out)" if result.data_docs else ""))
    return result.exit_code(fail_on_any_error=ctx.fail_on_any_error)


def _dashboard(ctx: Context, db: Path) -> int:
    from .dashboard.site import build_site
    from .paths import dbt_dir

    try:
        site = build_site(db, ctx.site_aside or ctx.out, dbt_docs=dbt_dir(ctx.db, "build") / "static_index.html")
    except OSError as exc:
        raise E.classify(exc) or E.StageFailed(f"cannot write the dashboard in {ctx.out}: {exc}") from None
    mark_as_output(Path(ctx.out))
    ctx.dashboard_line = (f"dashboard: {site.n_report_pages} report pages, {site.n_findings_listed} of "
                          f"{site.n_findings} findings listed → {(Path(ctx.out) / site.index.name).resolve()}")
    if ctx.command == "dashboard":  # within `xxgk run`, the run's summary says it, --quiet or not
        say(ctx.dashboard_line)
    return E.OK


def _forget(ctx: Context, db: Path) -> int:
    from . import warehouse
    from .versions import forget as forget_sources
    from .versions import still_there

    started = warehouse.now()
    with warehouse.connect(db) as con:
        warehouse.ensure_schema(con)
        done = forget_sources(con, ctx.targets, ctx.reason)
        warehouse.record_run(con, uuid.uuid4().hex, "forget", started, True, None, None, len(done))
    ctx.ingested = len(done)  # the warehouse changed: a failed build after it keeps it (see _published)
    for report_id, path in done:
        say(f"forgotten: {report_id} {printable(path, one_line=True)} (kept in meta.forgotten)")
    for path in still_there(done):
        say(f"note: {printable(path, one_line=True)} is still there: an ingest of its folder skips it", err=True)
    return E.OK


INGEST = Stage("ingest", _ingest)
BUILD = Stage("build", _build, needs=RAW, skip_unchanged=True)
CHECK = Stage("check", _check, needs=MARTS, skip_unchanged=True, whole_on_failure=True, alerts=True)
DASHBOARD = Stage("dashboard", _dashboard, needs=MARTS, writes=False, records=False, whole_on_failure=True)
FORGET = Stage("forget", _forget)


# === What the stages share ==========================================================================================


def _tool_log(ctx: Context):
    from .logs import ToolLog
    from .paths import log_file

    return ToolLog(log_file(ctx.db), echo=ctx.verbose, progress=not ctx.quiet)


def _capped_workers(ctx: Context) -> int:
    """--workers, at most one parser process per core: more only compete for the cores (and memory)."""
    cores = os.cpu_count() or 1
    if ctx.workers > cores:
        say(f"{ctx.command}: --workers {ctx.workers} capped at {cores}, the cores of this machine", err=True)
    return min(ctx.workers, cores)


def mark_as_output(out: Path) -> None:
    """Leave the marker by which ingest recognises this folder as xxgk's output, never to be read as input."""
    from .scan import OUTPUT_MARKER

    out.mkdir(parents=True, exist_ok=True)
    marker = out / OUTPUT_MARKER
    if not marker.exists():
        marker.write_text("Written by xxgk; `xxgk ingest` skips this folder.\n", encoding="utf-8")


def own_files(ctx: Context) -> list[Path]:
    """The warehouse and the files beside it that are xxgk's, not reports, should an input folder hold them (its
    output folders carry the marker)."""
    from .paths import log_file

    return [Path(ctx.db), log_file(ctx.db)]
