"""``xxgk``: the command line over the loaders, the dbt project, the checks and the dashboard."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DEFAULT_DB = os.environ.get("XXGK_DB", "data/warehouse.duckdb")
DEFAULT_RAW = "data/raw"
DEFAULT_SITE = "data/site"


def _cmd_ingest(args: argparse.Namespace) -> int:
    from loaders.ingest import ingest

    summary = ingest(args.paths or [DEFAULT_RAW], args.db, workers=args.workers, progress=not args.quiet)
    for path, status, error in summary.problems:
        print(f"{status}: {path}: {error}", file=sys.stderr)
    print(f"ingest: {summary.line()} → {args.db}")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from .build import build

    result = build(args.db, docs=not args.no_docs, quiet=getattr(args, "quiet", False))
    for failure in result.failures:
        print(f"build failed: {failure}", file=sys.stderr)
    if result.success:
        print(f"build: marts built in {args.db}" + (f"; docs: {result.docs_path}" if result.docs_path else ""))
    return 0 if result.success else 1


def _cmd_check(args: argparse.Namespace) -> int:
    from .checks.run import CheckError, run_checks

    if getattr(args, "write_suites", False):
        from .checks.project import write_project

        print(f"check: GX project written to {write_project(args.db)}")
        return 0
    try:
        result = run_checks(args.db, data_docs=not args.no_docs)
    except CheckError as exc:
        print(f"xxgk check: {exc}", file=sys.stderr)
        return 2
    counts = ", ".join(f"{result.findings_by_severity.get(s, 0)} {s}" for s in ("error", "warning", "info"))
    print(f"check: run {result.run_id}: {counts} findings ({result.new_errors} new errors) "
          f"in {result.seconds:.1f}s → dq.findings" + (f"; data docs: {result.data_docs}" if result.data_docs else ""))
    return result.exit_code(fail_on_any_error=getattr(args, "fail_on_any_error", False))


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
    """The whole pipeline on the given files (default: the sample data in data/raw)."""
    for step in (_cmd_ingest, _cmd_build):
        code = step(args)
        if code:
            return code
    # Findings are the product here, not a failure of the run: report them and go on.
    code = _cmd_check(args)
    if code not in (0, 1):
        return code
    return _cmd_dashboard(args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="xxgk", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="load raw report files into raw.* staging tables")
    p.add_argument("paths", nargs="*", help=f"files or folders (default: {DEFAULT_RAW})")
    p.add_argument("--db", default=DEFAULT_DB, help="warehouse file (default: %(default)s, or $XXGK_DB)")
    p.add_argument("--workers", type=int, default=1, help="parser processes (default: %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser("build", help="dbt build: staging views, intermediate and marts tables, data tests")
    p.add_argument("--db", default=DEFAULT_DB, help="warehouse file (default: %(default)s, or $XXGK_DB)")
    p.add_argument("--no-docs", action="store_true", help="skip the static dbt docs page")
    p.add_argument("--quiet", action="store_true", help="show dbt's output only when it fails")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("check", help="run the GX checkpoint; store findings in dq.findings and dq.check_runs")
    p.add_argument("--db", default=DEFAULT_DB, help="warehouse file (default: %(default)s, or $XXGK_DB)")
    p.add_argument("--fail-on-any-error", action="store_true",
                   help="exit 1 when any error finding exists (default: only when one is new since the last run)")
    p.add_argument("--no-docs", action="store_true", help="skip building the GX Data Docs")
    p.add_argument("--write-suites", action="store_true",
                   help="regenerate the GX project in expectations/gx from xxgk/checks/catalog.py and exit")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("dashboard", help="write the static data-quality dashboard (opens the warehouse read-only)")
    p.add_argument("--db", default=DEFAULT_DB, help="warehouse file (default: %(default)s, or $XXGK_DB)")
    p.add_argument("--out", default=DEFAULT_SITE, help="output folder (default: %(default)s)")
    p.set_defaults(func=_cmd_dashboard)

    p = sub.add_parser("run", help="the whole pipeline: ingest, then build, check and dashboard")
    p.add_argument("paths", nargs="*", help=f"files or folders (default: {DEFAULT_RAW})")
    p.add_argument("--db", default=DEFAULT_DB, help="warehouse file (default: %(default)s, or $XXGK_DB)")
    p.add_argument("--workers", type=int, default=1, help="parser processes (default: %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--no-docs", action="store_true", help="skip the static dbt docs page")
    p.add_argument("--out", default=DEFAULT_SITE, help="dashboard folder (default: %(default)s)")
    p.set_defaults(func=_cmd_run)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except FileNotFoundError as exc:
        print(f"xxgk {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
