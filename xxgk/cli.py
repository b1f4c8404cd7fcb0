"""``xxgk``: the command line over the loaders, the dbt project, the checks and the dashboard.

Every command that writes the warehouse runs its steps on a private copy and publishes it
atomically (xxgk/warehouse.py); a failed step publishes nothing but the steps before it. Exit codes: xxgk/errors.py (and the README).
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import traceback
from pathlib import Path

from . import errors as E
from .errors import printable

DEFAULT_DB = os.environ.get("XXGK_DB", "data/warehouse.duckdb")
DEFAULT_RAW = "data/raw"
NEW_ERRORS = E.NEW_ERRORS


def say(text: str, err: bool = False) -> None:
    """Print a message; whatever came from file names or file contents is escaped (no terminal control)."""
    print(printable(text), file=sys.stderr if err else sys.stdout, flush=True)


def said_by(args: argparse.Namespace, stage: str, text: str) -> None:
    """A stage's result: always the result of the command of that name; within `xxgk run`, a stage line, left out
    with --quiet (the run's summary says it)."""
    if args.command == stage or not args.quiet:
        say(text)


def _tool_log(args: argparse.Namespace):
    from .logs import ToolLog
    from .paths import log_file

    return ToolLog(log_file(args.db), echo=args.verbose, progress=not args.quiet)


def _ingest_step(args: argparse.Namespace, db: Path) -> int:
    from loaders.containers import ocr

    ocr.ENABLED = not args.no_ocr  # read by the parser, in this process and the workers it forks
    from .ingest import ingest

    summary = ingest(args.paths or [DEFAULT_RAW], db, workers=_capped_workers(args), progress=not args.quiet,
                     exclude=_own_files(args), reparse=args.reparse)
    args.ingested = sum(summary.counts[s] for s in ("loaded", "partial", "rejected")) + sum(summary.reparsed.values())
    for path, status, error in summary.problems:
        say(f"{status}: {printable(path, one_line=True)}: {error}", err=True)
    for path, size, reason in summary.skipped:
        say(f"skipped: {printable(path, one_line=True)}: {reason}", err=True)
    said_by(args, "ingest", f"ingest: {summary.line()} → {args.db}")
    return 0


def _capped_workers(args: argparse.Namespace) -> int:
    """--workers, at most one parser process per core: more only compete for the cores (and memory)."""
    cores = os.cpu_count() or 1
    if args.workers > cores:
        say(f"{args.command}: --workers {args.workers} capped at {cores}, the cores of this machine", err=True)
    return min(args.workers, cores)


def _positive_workers(text: str) -> int:
    """--workers: a whole number of processes, at least 1 (argparse says what is wrong and exits 2)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of parser processes") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{n}: give at least 1 parser process (at most one per core is used)")
    return n


def _build_step(args: argparse.Namespace, db: Path) -> int:
    from .build import build
    from .paths import dbt_dir

    if _nothing_new(args, db, "build"):
        return 0
    _mark_as_output(dbt_dir(args.db, "build").parent)
    result = build(db, target_dir=dbt_dir(args.db, "build"), docs=not args.no_docs, full_refresh=args.full_refresh,
                   log=_tool_log(args))
    if not result.success:
        text = "\n".join(result.failures)
        if E.no_room(text):
            raise E.EnvironmentProblem(f"no room to write during the build ({E.no_room_line(text)}); nothing of "
                                       "the build was published; free disk space and run again")
        for failure in result.failures:
            say(f"build failed: {failure}", err=True)
        return E.STAGE_FAILED
    how = "rebuilt in full" if result.full_refresh else "updated with the reports ingested since the last build"
    said_by(args, "build", f"build: marts {how} in {args.db}"
            + (f"; dbt docs: {result.docs_path}" if result.docs_path else ""))
    return 0


def _nothing_to_run(args: argparse.Namespace) -> bool:
    """A run with no new file, an unchanged dbt project and no stage left undone writes nothing: the warehouse is not
    even copied (publishing would copy it whole)."""
    from .build import nothing_new
    from .ingest import nothing_to_ingest
    from .migrations import SCHEMA_VERSION, schema_version
    from .warehouse import open_published

    db = Path(args.db)
    if args.full_refresh or args.reparse or not nothing_to_ingest(args.paths or [DEFAULT_RAW], db,
                                                                  exclude=_own_files(args)):
        return False
    with open_published(db.resolve()) as con:  # busy or damaged: said as a writing run would
        if schema_version(con) != SCHEMA_VERSION or not (nothing_new(con, "build") and nothing_new(con, "check")):
            return False
    args.skipped += ["ingest", "build", "check"]
    return True


def _nothing_new(args: argparse.Namespace, db: Path, stage: str) -> bool:
    """In `xxgk run`, a stage with nothing new to do (build.nothing_new) is skipped: a scheduled run on unchanged
    input costs the ingest's look at the files and the dashboard."""
    from .build import nothing_new
    from .warehouse import connect

    if args.command != "run" or args.full_refresh:
        return False
    with connect(db, read_only=True) as con:
        if not nothing_new(con, stage):
            return False
    args.skipped.append(stage)
    return True


def _check_step(args: argparse.Namespace, db: Path) -> int:
    from .checks import severities
    from .checks.run import CheckError, run_checks
    from .paths import dbt_dir

    if _nothing_new(args, db, "check"):
        return 0
    _mark_as_output(dbt_dir(args.db, "check").parent)
    try:
        result = run_checks(db, data_docs=not args.no_docs, full=args.full, target_dir=dbt_dir(args.db, "check"),
                            log=_tool_log(args))
    except CheckError as exc:
        raise E.StageFailed(str(exc)) from None
    counts = ", ".join(f"{result.findings_by_severity.get(s['severity'], 0)} {s['severity']}" for s in severities())
    scope = "all" if result.full else "the changed agencies'"
    said_by(args, "check", f"check: run {result.run_id} over {scope} {result.n_reports_in_scope} reports: {counts} "
            f"findings ({result.new_errors} new errors) in {result.seconds:.1f}s → dq.findings"
            + ("; GX Data Docs in dq.data_docs (`xxgk dashboard` writes them out)" if result.data_docs else ""))
    return result.exit_code(fail_on_any_error=args.fail_on_any_error)


def _publish(args: argparse.Namespace, *steps) -> int:
    """Run the steps on one work copy and publish it, unless a step fails (check's 'new errors' is not a
    failure): readers see the warehouse as it was, or with every step done, never in between.

    A failed stage does not throw away the ones before it: before a build that follows a step which
    changed the warehouse, the work copy is kept aside; if the build fails, that copy is published
    instead. A failed check publishes the steps before it as they are (the checks write in one
    transaction, so the work copy is whole).
    """
    from .warehouse import publishing, stage_name

    code, failure = E.OK, None
    if steps[0] is not _ingest_step and not Path(args.db).exists():
        raise E.UsageError(f"{args.db}: no warehouse here; run `xxgk run` (or ingest and build) first")
    with publishing(args.db) as work:
        _migrate(args, work)
        for k, step in enumerate(steps):
            _require(args, step, work)
            kept = stage_name(work) if k and step is _build_step and getattr(args, "ingested", 0) else None
            if kept:
                shutil.copyfile(work, kept)
            try:
                code = step(args, work)
                if code not in (E.OK, NEW_ERRORS) or (code == NEW_ERRORS and step is not _check_step):
                    raise _StepFailed(code, step)
            except Exception as exc:  # noqa: BLE001 — re-raised once what came before is published
                if kept:
                    os.replace(kept, work)  # the build's half-written tables go; the ingest stays
                elif not (k and step is _check_step):
                    raise
                failure = exc
                break
            finally:
                if kept:
                    kept.unlink(missing_ok=True)
    if failure is not None:
        done = " and ".join(s.__name__.strip("_").split("_")[0] for s in steps[:k])
        done += " before it " + ("were" if k > 1 else "was")
        if isinstance(failure, _StepFailed):
            failure.kept = done
        else:
            failure.args = (f"{failure} (the {done} published)", *failure.args[1:])
        raise failure
    return code


def _migrate(args: argparse.Namespace, work: Path) -> None:
    """A warehouse written by an older xxgk is migrated in the work copy: published with the command's work."""
    from .migrations import migrate

    for step in migrate(work):
        say(f"{args.command}: upgraded {args.db} to schema version {step}")


def _require_current_schema(con, db: Path) -> None:
    """A read-only command refuses a warehouse an older xxgk wrote, naming the command that upgrades it."""
    from .migrations import SCHEMA_VERSION, is_new, schema_version

    version = schema_version(con)
    if version < SCHEMA_VERSION and not is_new(con):
        raise E.UsageError(f"{db} was written by an older xxgk (schema version {version}; this one reads "
                           f"{SCHEMA_VERSION}): run `xxgk build` (or `xxgk run`) once, which upgrades it")


def _require(args: argparse.Namespace, step, work: Path) -> None:
    """Refuse a step whose input is not in the warehouse yet, with the command that makes it."""
    need = {_build_step: ("raw", "reports", "xxgk ingest"), _check_step: ("marts", "dim_report", "xxgk build")}
    if step not in need:
        return
    schema, table, command = need[step]
    if not _has_table(work, schema, table):
        raise E.UsageError(f"{args.db} has no {schema}.{table} yet: run `{command}` first (or `xxgk run`)")
    if step is _check_step:
        _require_marts_since_migration(work, args.db)


def _require_marts_since_migration(db: Path, shown: str) -> None:
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


def _has_table(db: Path, schema: str, table: str) -> bool:
    from .warehouse import connect, has_relation

    if not db.exists():
        return False
    with connect(db, read_only=True) as con:
        return has_relation(con, schema, table)


class _StepFailed(Exception):
    def __init__(self, code: int, step=None):
        super().__init__(code)
        self.code = code
        self.step = step
        self.kept = None  # the step whose work was published although this one failed


def _forget_step(args: argparse.Namespace, db: Path) -> int:
    import uuid

    from . import warehouse
    from .versions import forget, still_there

    started = warehouse.now()
    with warehouse.connect(db) as con:
        warehouse.ensure_schema(con)
        done = forget(con, args.targets, args.reason)
        warehouse.record_run(con, uuid.uuid4().hex, "forget", started, True, None, None, len(done))
    args.ingested = len(done)  # the warehouse changed: a failed build after it keeps it (see _publish)
    for report_id, path in done:
        say(f"forgotten: {report_id} {printable(path, one_line=True)} (kept in meta.forgotten)")
    for path in still_there(done):
        say(f"note: {printable(path, one_line=True)} is still there: an ingest of its folder skips it", err=True)
    return 0


def _cmd_forget(args: argparse.Namespace) -> int:
    """Forget the sources; when the warehouse was built, build and check again in the same publish, so the marts
    and findings follow."""
    from .warehouse import check_warehouse_file

    db = Path(args.db)
    check_warehouse_file(db.resolve(), writing=True)
    if not db.exists():
        raise E.UsageError(f"{db}: no warehouse here; nothing to forget")
    built = _has_table(db, "marts", "dim_report")
    code = _publish(args, _forget_step, *((_build_step, _check_step) if built else ()))
    if not built:
        say(f"forget: {args.db} has no marts yet; `xxgk build` builds them without what was forgotten")
    return code


def _cmd_versions(args: argparse.Namespace) -> int:
    from .versions import describe, versions
    from .warehouse import open_published

    db = Path(args.db)
    if not db.exists():
        raise E.UsageError(f"{db}: no warehouse here; run `xxgk run` first")
    con = open_published(db.resolve())
    try:
        _require_current_schema(con, db)
        if not con.execute("select count(*) from duckdb_tables() where schema_name = 'marts' and "
                           "table_name = 'dim_report'").fetchone()[0]:
            raise E.UsageError(f"{db} has no marts yet: run `xxgk build` first (or `xxgk run`)")
        _require_marts_since_migration(db, args.db)
        found = versions(con, args.agency, args.year, args.all)
    finally:
        con.close()
    if not found:
        say("no agency-year has more than one version" + (" matching that" if args.agency or args.year else ""))
        return 0
    for line in describe(found):
        say(line)
    say("* current. To pin another: add `REPORT_ID,why` to dbt_project/seeds/version_pins.csv, then `xxgk build`; "
        "to remove a source: `xxgk forget REPORT_ID`")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    return _publish(args, _check_step)


def _cmd_dashboard(args: argparse.Namespace) -> int:
    from .dashboard.site import build_site
    from .paths import dbt_dir
    from .warehouse import open_published

    _check_out(args)
    db = Path(args.db)
    if not db.exists():
        raise E.UsageError(f"{db}: no warehouse here; run `xxgk run` first")
    with open_published(db.resolve()) as con:  # busy, damaged or unreadable: said before anything is written
        _require_current_schema(con, db)
    if not _has_table(db, "marts", "dim_report"):
        raise E.UsageError(f"{db} has no marts yet: run `xxgk build` first (or `xxgk run`)")
    _require_marts_since_migration(db, args.db)
    try:
        site = build_site(args.db, args.out, dbt_docs=dbt_dir(args.db, "build") / "static_index.html")
    except OSError as exc:
        raise E.classify(exc) or E.StageFailed(f"cannot write the dashboard in {args.out}: {exc}") from None
    _mark_as_output(Path(args.out))
    args.dashboard_line = (f"dashboard: {site.n_report_pages} report pages, {site.n_findings_listed} of "
                           f"{site.n_findings} findings listed → {Path(site.index).resolve()}")
    if args.command == "dashboard":
        say(args.dashboard_line)
    return 0


def _mark_as_output(out: Path) -> None:
    """Leave the marker by which ingest recognises this folder as xxgk's output, never to be read as input."""
    from .scan import OUTPUT_MARKER

    out.mkdir(parents=True, exist_ok=True)
    marker = out / OUTPUT_MARKER
    if not marker.exists():
        marker.write_text("Written by xxgk; `xxgk ingest` skips this folder.\n", encoding="utf-8")


def _own_files(args: argparse.Namespace) -> list[Path]:
    """The warehouse and the files beside it that are xxgk's, not reports, should an input folder hold them (its
    output folders carry the marker)."""
    from .paths import log_file

    return [Path(args.db), log_file(args.db)]


def _check_out(args: argparse.Namespace) -> None:
    """--out must be a folder (or not exist yet), and neither inside nor around an input folder. The default, beside
    the warehouse, is the warehouse's own output wherever the warehouse is: ingest skips it by its marker."""
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise E.UsageError(f"--out {out} is a file, not a folder: give the folder to write the dashboard into")
    if args.default_out:
        return
    resolved = out.resolve()
    for p in getattr(args, "paths", None) or ([DEFAULT_RAW] if args.command == "run" else []):
        inp = Path(p).resolve()
        if resolved == inp or resolved.is_relative_to(inp) or (inp.is_dir() and inp.is_relative_to(resolved)):
            raise E.UsageError(f"--out {out} overlaps the input {p}: the next run would ingest the dashboard's own "
                               "pages. Write the dashboard outside the input folders")


def _check_inputs(args: argparse.Namespace) -> None:
    for p in args.paths or [DEFAULT_RAW]:
        if not os.path.lexists(p):
            raise E.UsageError(f"{p}: no such file or directory (give report files or folders of them)")


def _cmd_ingest(args: argparse.Namespace) -> int:
    _check_inputs(args)
    return _publish(args, _ingest_step)


def _cmd_run(args: argparse.Namespace) -> int:
    """The whole pipeline; findings are its product, so new errors do not fail it.

    A failed build (or check) never throws the ingested reports away: they are published, and the
    next run builds them.
    """
    _check_inputs(args)
    _check_out(args)
    code = E.OK if _nothing_to_run(args) else _publish(args, _ingest_step, _build_step, _check_step)
    try:
        code = _cmd_dashboard(args) or code
    except E.XxgkError as exc:
        exc.args = (f"{exc} (the warehouse was published; only the dashboard was not written)",)
        raise
    from .summary import run_summary

    for line in run_summary(Path(args.db), args, code):
        say(line)
    return code


def _cmd_review(args: argparse.Namespace) -> int:
    """Record a decision on each finding given (one transaction, published as every write is), or, with no
    decision, show each finding and its history."""
    from . import review
    from .warehouse import connect, open_published

    db = Path(args.db)
    if not db.exists():
        raise E.UsageError(f"{db}: no warehouse here; run `xxgk run` first")
    if args.decision is None:
        with open_published(db.resolve()) as con:
            for key in args.finding_ids:
                finding = review.find(con, key)
                say(finding.line())
                for at, decision, by, note, where in review.history(con, finding.finding_id) or [("", "", "", "", "")]:
                    say(f"  {at:%Y-%m-%d %H:%M} {decision} by {by} ({where}): {note}" if at else "  not reviewed")
        return 0
    if not args.note:
        raise E.UsageError(f"--{args.decision} needs --note: say why, for whoever reads the finding next")
    from .warehouse import publishing

    with publishing(db) as work:
        with connect(work) as con:
            found = [review.find(con, key) for key in args.finding_ids]
            before = {f.report_id: review.score(con, f.report_id) for f in found}
            con.execute("begin transaction")
            review.record(con, found, review.DECISIONS[args.decision], args.note, args.by)
            con.execute("commit")
            after = {r: review.score(con, r) for r in before}
    for f in found:
        say(f"{review.DECISIONS[args.decision]}: {f.line()}")
    for report_id, was in before.items():
        if was != after[report_id]:
            say(f"score of report {report_id}: {was} → {after[report_id]}")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from .export import export
    from .paths import beside
    from .warehouse import open_published

    db = Path(args.db)
    if not db.exists():
        raise E.UsageError(f"{db}: no warehouse here; run `xxgk run` first")
    out = Path(args.out) if args.out else beside(db, "export")
    if out.exists() and not out.is_dir():
        raise E.UsageError(f"--out {out} is a file, not a folder: give the folder to write the files into")
    _mark_as_output(out)
    if not _has_table(db, "marts", "dim_report"):
        raise E.UsageError(f"{db} has no marts yet: run `xxgk build` first (or `xxgk run`)")
    with open_published(db.resolve()) as con:
        try:
            written = export(con, out, args.format)
        except OSError as exc:
            raise E.classify(exc) or E.StageFailed(f"cannot write in {out}: {exc}") from None
    for table, path, n in written if not args.quiet else []:
        say(f"  {table}: {n} rows → {path}")
    say(f"export: {len(written)} tables as {args.format} → {out.resolve()}")
    return 0


EXIT_CODES = ("exit codes: 0 ok; 1 new report errors (check, run: alert on it); 2 usage or input error; 3 warehouse "
              "busy (retry later); 4 warehouse unreadable (do not retry); 5 environment (disk full, permissions, "
              "read-only warehouse); 6 a stage failed; 70 internal error; 130 interrupted (Ctrl-C, SIGTERM)")


def _parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The parser, and each command's own (whose usage a bad flag prints)."""
    parser = argparse.ArgumentParser(prog="xxgk", description=__doc__.splitlines()[0], epilog=EXIT_CODES)
    sub = parser.add_subparsers(dest="command", required=True)
    commands: dict[str, argparse.ArgumentParser] = {}

    def command(name: str, help: str, func, db: bool = True):
        p = commands[name] = sub.add_parser(name, help=help, description=help, epilog=EXIT_CODES)
        if db:
            p.add_argument("--db", default=DEFAULT_DB, help="warehouse file (default: %(default)s, or $XXGK_DB)")
        p.add_argument("--quiet", action="store_true",
                       help="print only warnings, errors and the result: no progress bars, no stage lines")
        p.add_argument("--verbose", action="store_true",
                       help="show dbt's and GX's own output as it comes (it always goes to the log file beside the "
                            "warehouse, DB.log)")
        p.set_defaults(func=func, paths=[], workers=os.cpu_count() or 1, reparse=False, no_docs=False,
                       fail_on_any_error=False, full_refresh=False, full=False, out=None, skipped=[],
                       no_ocr=False)
        return p

    def inputs(p):
        p.add_argument("paths", nargs="*", help=f"files or folders (default: {DEFAULT_RAW})")
        p.add_argument("--workers", type=_positive_workers, default=os.cpu_count() or 1,
                       help="parser processes, 1 to the number of cores (default: one per core, %(default)s)")
        p.add_argument("--reparse", action="store_true",
                       help="parse every report again from its stored bytes (automatic for reports an older parser "
                            "read)")
        p.add_argument("--no-ocr", action="store_true",
                       help="do not OCR scanned PDFs and page images: they are listed as skipped, not stored, so a "
                            "later ingest without it reads them")

    def no_docs(p):
        p.add_argument("--no-docs", action="store_true", help="skip the dbt docs page and GX Data Docs")

    def full_refresh(p):
        p.add_argument("--full-refresh", action="store_true",
                       help="rebuild every model from all reports (automatic when the dbt project changed)")

    def out(p):
        p.add_argument("--out", help="dashboard folder (default: beside the warehouse, DB.site)")

    p = command("ingest", "load raw report files into raw.* staging tables", _cmd_ingest)
    inputs(p)
    p = command("build", "dbt build: staging views, intermediate and marts tables, data tests",
                lambda a: _publish(a, _build_step))
    no_docs(p), full_refresh(p)
    p = command("check", "run the check models (dbt), validate them with GX; findings in dq.findings", _cmd_check)
    p.add_argument("--fail-on-any-error", action="store_true",
                   help="exit 1 when any error finding exists (default: only when one is new since the last run)")
    p.add_argument("--full", action="store_true",
                   help="evaluate every report (default: every report of the agencies with new reports since the "
                        "last run; automatic when the checks changed)")
    no_docs(p)
    p = command("dashboard", "write the static data-quality dashboard (opens the warehouse read-only)",
                _cmd_dashboard)
    out(p)
    p = command("versions", "list the versions of each agency-year with several, which is current and why "
                            "(read-only)", _cmd_versions)
    p.add_argument("--agency", help="only agencies whose name (canonical or printed) contains this")
    p.add_argument("--year", type=int, help="only this year")
    p.add_argument("--all", action="store_true", help="every agency-year, also those with one version")
    p = command("forget", "remove sources (kept in meta.forgotten) and rebuild, so marts and findings follow",
                _cmd_forget)
    p.add_argument("targets", nargs="+", metavar="PATH|REPORT_ID",
                   help="a report_id or SHA-256 (`xxgk versions`), or the path of a file or folder as ingested")
    p.add_argument("--reason", help="why, kept in meta.forgotten")
    no_docs(p)
    p = command("run", "the whole pipeline: ingest, build, check, then the dashboard; build and check are skipped "
                       "when nothing is new", _cmd_run)
    inputs(p), no_docs(p), full_refresh(p), out(p)
    p = command("review", "record a reviewer's decision about findings (confirmed, dismissed, reopened), or show "
                          "a finding's history", _cmd_review)
    p.add_argument("finding_ids", nargs="+", metavar="FINDING_ID",
                   help="a finding's id (dq.findings.finding_id, shown on the findings page), or its first 6+ "
                        "characters")
    decision = p.add_mutually_exclusive_group()
    for flag, word in (("--confirm", "a real error of the report"), ("--dismiss", "a false positive: it leaves the "
                       "score and the new-error gate"), ("--reopen", "undecided again")):
        decision.add_argument(flag, dest="decision", action="store_const", const=flag[2:], help=word)
    p.add_argument("--note", help="why (required with a decision)")
    p.add_argument("--by", help="who decides (default: the login name)")
    p = command("export", "write the marts and the findings as CSV or Parquet files (opens the warehouse read-only)",
                _cmd_export)
    p.add_argument("--format", choices=("csv", "parquet"), default="csv", help="file format (default: %(default)s)")
    p.add_argument("--out", help="folder (default: beside the warehouse, DB.export)")
    return parser, commands


class Terminated(KeyboardInterrupt):
    """SIGTERM (a scheduler stopping the job), raised as Ctrl-C is: the work copy is removed on the way out."""


def _terminate(signum, frame) -> None:
    raise Terminated


def _interruption(exc: BaseException) -> KeyboardInterrupt | None:
    """The Ctrl-C or SIGTERM an exception was raised while handling, if any: a signal that lands while a worker
    pool starts makes the pool's own clean-up fail (``cannot join thread before it is started``), and that error,
    not the signal, reaches ``main``.

    >>> try:
    ...     try:
    ...         raise Terminated
    ...     except Terminated:
    ...         raise RuntimeError("cannot join thread before it is started")
    ... except RuntimeError as exc:
    ...     type(_interruption(exc)).__name__
    'Terminated'
    """
    while exc is not None:
        if isinstance(exc, KeyboardInterrupt):
            return exc
        exc = exc.__context__
    return None


def main(argv: list[str] | None = None) -> int:
    from .warehouse import work_name

    parser, commands = _parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # said with the command's own usage, not the top level's
        commands[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    db = Path(getattr(args, "db", DEFAULT_DB)).resolve()
    args.default_out = args.command in ("dashboard", "run") and args.out is None
    if args.default_out:
        from .paths import site_dir

        args.out = str(site_dir(args.db))

    def fail(message: str, code: int) -> int:
        # Errors met in the work copy name the warehouse the user gave, not the hidden work file.
        say(f"xxgk {args.command}: {message.replace(str(work_name(db)), str(db))}", err=True)
        return code

    def interrupted(how: KeyboardInterrupt) -> int:
        if isinstance(how, Terminated):
            return fail("terminated (SIGTERM); the published warehouse was left as it was, its work copy removed",
                        E.INTERRUPTED)
        return fail("interrupted; the published warehouse was left as it was", E.INTERRUPTED)

    signal.signal(signal.SIGTERM, _terminate)
    try:
        return args.func(args)
    except _StepFailed as exc:
        if exc.kept:
            return fail(f"a step failed; the {exc.kept} published to {args.db}", exc.code)
        return fail(f"a step failed; {args.db} was left as it was", exc.code)
    except E.XxgkError as exc:
        return fail(str(exc), exc.exit_code)
    except KeyboardInterrupt as exc:
        return interrupted(exc)
    except Exception as exc:  # noqa: BLE001 — mapped to a message and an exit code, or reported as a bug
        if _interruption(exc) is not None:
            return interrupted(_interruption(exc))
        known = E.classify(exc)
        if known is not None:
            return fail(str(known), known.exit_code)
        traceback.print_exc()
        return fail(f"internal error ({type(exc).__name__}: {exc}); the published warehouse was left as it was. "
                    "Please report it with the traceback above", E.INTERNAL)


if __name__ == "__main__":
    sys.exit(main())
