"""``xxgk``: the command line over the loaders, the dbt project, the checks and the dashboard.

Every command that writes the warehouse runs its steps on a private copy and publishes it
atomically (xxgk/publish.py); a failed step publishes nothing.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DEFAULT_DB = os.environ.get("XXGK_DB", "data/warehouse.duckdb")
DEFAULT_RAW = "data/raw"
DEFAULT_SITE = "data/site"
# check's exit code 1 means "new error findings": the data is fine to publish.
NEW_ERRORS = 1


def _ingest_step(args: argparse.Namespace, db: Path) -> int:
    from loaders.ingest import ingest

    summary = ingest(args.paths or [DEFAULT_RAW], db, workers=args.workers, progress=not args.quiet,
                     exclude=[Path(args.db)])
    for path, status, error in summary.problems:
        print(f"{status}: {path}: {error}", file=sys.stderr)
    for path, size, reason in summary.skipped:
        print(f"skipped: {path}: {reason}", file=sys.stderr)
    print(f"ingest: {summary.line()} → {args.db}")
    return 0


def _build_step(args: argparse.Namespace, db: Path) -> int:
    from .build import build

    result = build(db, docs=not args.no_docs, quiet=args.quiet, full_refresh=args.full_refresh)
    for failure in result.failures:
        print(f"build failed: {failure}", file=sys.stderr)
    if result.success:
        how = "rebuilt in full" if result.full_refresh else "updated with the reports ingested since the last build"
        print(f"build: marts {how} in {args.db}" + (f"; docs: {result.docs_path}" if result.docs_path else ""))
    return 0 if result.success else 1


def _check_step(args: argparse.Namespace, db: Path) -> int:
    from .checks.run import run_checks

    result = run_checks(db, data_docs=not args.no_docs, full=args.full)
    counts = ", ".join(f"{result.findings_by_severity.get(s, 0)} {s}" for s in ("error", "warning", "info"))
    scope = "all" if result.full else "changed agencies'"
    print(f"check: run {result.run_id} over {scope} {result.n_reports_in_scope} reports: {counts} findings "
          f"({result.new_errors} new errors) "
          f"in {result.seconds:.1f}s → dq.findings" + (f"; data docs: {result.data_docs}" if result.data_docs else ""))
    return result.exit_code(fail_on_any_error=args.fail_on_any_error)


def _publish(args: argparse.Namespace, *steps) -> int:
    """Run the steps on a work copy; publish unless one fails (check's 'new errors' is not a failure)."""
    from .publish import publishing

    code = 0
    with publishing(args.db) as work:
        for step in steps:
            code = step(args, work)
            if code not in (0, NEW_ERRORS) or (code == NEW_ERRORS and step is not _check_step):
                raise _StepFailed(code)
    return code


class _StepFailed(Exception):
    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


def _cmd_check(args: argparse.Namespace) -> int:
    if args.write_suites:
        from .checks.project import write_project

        print(f"check: GX project written to {write_project(args.db)}")
        return 0
    return _publish(args, _check_step)


def _cmd_dashboard(args: argparse.Namespace) -> int:
    from .build import PROJECT_DIR
    from .checks.gx_duckdb import GX_PROJECT_ROOT
    from .dashboard.site import build_site

    site = build_site(args.db, args.out, dbt_docs=PROJECT_DIR / "target" / "static_index.html",
                      gx_docs=GX_PROJECT_ROOT / "gx" / "uncommitted" / "data_docs" / "local_site")
    print(f"dashboard: {site.n_report_pages} report pages, {site.n_findings_listed} of {site.n_findings} findings "
          f"listed → {Path(site.index).resolve()}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    """The whole pipeline; findings are its product, so new errors do not fail it."""
    code = _publish(args, _ingest_step, _build_step, _check_step)
    return _cmd_dashboard(args) if code in (0, NEW_ERRORS) else code


def _cmd_synth(args: argparse.Namespace) -> int:
    from .synth import write_corpus

    n, truth = write_corpus(args.n, args.seed, args.out, defect_rate=args.defect_rate)
    print(f"synth: {n} reports → {args.out}; ground truth: {truth}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xxgk", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help: str, func, **defaults):
        p = sub.add_parser(name, help=help)
        p.add_argument("--db", default=DEFAULT_DB, help="warehouse file (default: %(default)s, or $XXGK_DB)")
        p.set_defaults(func=func, paths=[], workers=os.cpu_count() or 1, quiet=False, no_docs=False,
                       fail_on_any_error=False, write_suites=False, full_refresh=False, full=False,
                       out=DEFAULT_SITE, **defaults)
        return p

    def inputs(p):
        p.add_argument("paths", nargs="*", help=f"files or folders (default: {DEFAULT_RAW})")
        p.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                       help="parser processes (default: one per core, %(default)s)")

    def quiet(p):
        p.add_argument("--quiet", action="store_true", help="no progress bar; dbt output only on failure")

    def no_docs(p):
        p.add_argument("--no-docs", action="store_true", help="skip the dbt docs page and GX Data Docs")

    def full_refresh(p):
        p.add_argument("--full-refresh", action="store_true",
                       help="rebuild every model from all reports (automatic when the dbt project changed)")

    p = command("ingest", "load raw report files into raw.* staging tables", lambda a: _publish(a, _ingest_step))
    inputs(p), quiet(p)
    p = command("build", "dbt build: staging views, intermediate and marts tables, data tests",
                lambda a: _publish(a, _build_step))
    quiet(p), no_docs(p), full_refresh(p)
    p = command("check", "run the GX checkpoint; store findings in dq.findings and dq.check_runs", _cmd_check)
    p.add_argument("--fail-on-any-error", action="store_true",
                   help="exit 1 when any error finding exists (default: only when one is new since the last run)")
    p.add_argument("--full", action="store_true",
                   help="evaluate every report (default: every report of the agencies with new reports since the "
                        "last run; automatic when the checks changed)")
    p.add_argument("--write-suites", action="store_true",
                   help="regenerate the GX project in expectations/gx from xxgk/checks/catalog.py and exit")
    no_docs(p)
    p = command("dashboard", "write the static data-quality dashboard (opens the warehouse read-only)",
                _cmd_dashboard)
    p.add_argument("--out", default=DEFAULT_SITE, help="output folder (default: %(default)s)")
    p = command("run", "the whole pipeline: ingest, build, check, then the dashboard", _cmd_run)
    inputs(p), quiet(p), no_docs(p), full_refresh(p)
    p.add_argument("--out", default=DEFAULT_SITE, help="dashboard folder (default: %(default)s)")
    p = sub.add_parser("synth", help="generate a synthetic corpus with injected defects and its ground truth")
    p.add_argument("--n", type=int, required=True, help="number of reports")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    p.add_argument("--out", required=True, help="output folder (truth.csv is written beside the reports)")
    p.add_argument("--defect-rate", type=float, default=0.1, help="share of reports with a defect (default: %(default)s)")
    p.set_defaults(func=_cmd_synth)
    return parser


def main(argv: list[str] | None = None) -> int:
    from .checks.run import CheckError
    from .publish import WarehouseBusy

    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except _StepFailed as exc:
        print(f"xxgk {args.command}: a step failed; {args.db} was left as it was", file=sys.stderr)
        return exc.code
    except (FileNotFoundError, CheckError, WarehouseBusy) as exc:
        print(f"xxgk {args.command}: {exc}", file=sys.stderr)
        return 3 if isinstance(exc, WarehouseBusy) else 2


if __name__ == "__main__":
    sys.exit(main())
