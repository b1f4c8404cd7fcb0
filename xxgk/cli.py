"""``xxgk``: the command line over the loaders, the dbt project, the checks and the dashboard.

It parses the arguments and hands the stages a command names (ingest, build, check, dashboard, forget, or all of
them for ``run``) to the one runner, xxgk/pipeline.py, which runs the writing ones on a private copy of the warehouse
and publishes it atomically (xxgk/warehouse.py). Exit codes: xxgk/errors.py (and the README).
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import traceback
from pathlib import Path

from . import errors as E
from . import pipeline
from .pipeline import DEFAULT_RAW, say

DEFAULT_DB = os.environ.get("XXGK_DB", "data/warehouse.duckdb")


def _positive_workers(text: str) -> int:
    """--workers: a whole number of processes, at least 1 (argparse says what is wrong and exits 2)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of parser processes") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{n}: give at least 1 parser process (at most one per core is used)")
    return n


def _cmd_versions(args: argparse.Namespace) -> int:
    from .versions import describe, versions
    from .warehouse import open_published

    db = Path(args.db)
    if not db.exists():
        raise E.UsageError(f"{db}: no warehouse here; run `xxgk run` first")
    con = open_published(db.resolve())
    try:
        pipeline.require_current_schema(con, db)
        pipeline.require(pipeline.MARTS, db, args.db)
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
    return pipeline.run(pipeline.Context.of(args), [pipeline.INGEST])


def _cmd_build(args: argparse.Namespace) -> int:
    return pipeline.run(pipeline.Context.of(args), [pipeline.BUILD])


def _cmd_check(args: argparse.Namespace) -> int:
    return pipeline.run(pipeline.Context.of(args), [pipeline.CHECK])


def _cmd_dashboard(args: argparse.Namespace) -> int:
    _check_out(args)
    return pipeline.run(pipeline.Context.of(args), [pipeline.DASHBOARD])


def _cmd_forget(args: argparse.Namespace) -> int:
    return pipeline.forget(pipeline.Context.of(args))


def _cmd_run(args: argparse.Namespace) -> int:
    """The whole pipeline; findings are its product, so new errors do not fail it.

    A failed build (or check) never throws the ingested reports away: they are published, and the
    next run builds them.
    """
    from .summary import run_summary

    _check_inputs(args)
    _check_out(args)
    ctx = pipeline.Context.of(args)
    code = pipeline.run_all(ctx)
    for line in run_summary(Path(ctx.db), ctx, code):
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
    pipeline.mark_as_output(out)
    if not pipeline.has_table(db, "marts", "dim_report"):
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
                _cmd_build)
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


# The SIGTERM received, if any. Raised in the middle of a DuckDB call, it comes back as DuckDB's own error, with no
# trace of it but the word "Terminated" in the message: this says it was received all the same.
_RECEIVED: list[Terminated] = []


def _terminate(signum, frame) -> None:
    _RECEIVED.append(Terminated())
    raise _RECEIVED[-1]


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
        # (dbt opens it by its name alone, from its folder: see dbt.run).
        work = work_name(db)
        say(f"xxgk {args.command}: {message.replace(str(work), str(db)).replace(work.name, db.name)}", err=True)
        return code

    def interrupted(how: KeyboardInterrupt) -> int:
        if isinstance(how, Terminated):
            return fail("terminated (SIGTERM); the published warehouse was left as it was, its work copy removed",
                        E.INTERRUPTED)
        return fail("interrupted; the published warehouse was left as it was", E.INTERRUPTED)

    _RECEIVED.clear()  # a signal an earlier call in this process received is not this one's
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return args.func(args)
    except pipeline.StepFailed as exc:
        if exc.kept:
            return fail(f"a step failed; the {exc.kept} published to {args.db}", exc.code)
        return fail(f"a step failed; {args.db} was left as it was", exc.code)
    except E.XxgkError as exc:
        return fail(str(exc), exc.exit_code)
    except KeyboardInterrupt as exc:
        return interrupted(exc)
    except Exception as exc:  # noqa: BLE001 — mapped to a message and an exit code, or reported as a bug
        how = _interruption(exc) or (_RECEIVED[0] if _RECEIVED else None)
        if how is not None:
            return interrupted(how)
        known = E.classify(exc)
        if known is not None:
            return fail(str(known), known.exit_code)
        traceback.print_exc()
        return fail(f"internal error ({type(exc).__name__}: {exc}); the published warehouse was left as it was. "
                    "Please report it with the traceback above", E.INTERNAL)


if __name__ == "__main__":
    sys.exit(main())
