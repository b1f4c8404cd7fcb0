"""``xxgk``: the command line over the loaders, the dbt project, the checks and the dashboard."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DEFAULT_DB = os.environ.get("XXGK_DB", "data/warehouse.duckdb")
DEFAULT_RAW = "data/raw"


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


def _cmd_run(args: argparse.Namespace) -> int:
    """The whole pipeline on the given files (default: the sample data in data/raw)."""
    for step in (_cmd_ingest, _cmd_build):
        code = step(args)
        if code:
            return code
    return 0


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
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("run", help="the whole pipeline: ingest, then build, check and dashboard")
    p.add_argument("paths", nargs="*", help=f"files or folders (default: {DEFAULT_RAW})")
    p.add_argument("--db", default=DEFAULT_DB, help="warehouse file (default: %(default)s, or $XXGK_DB)")
    p.add_argument("--workers", type=int, default=1, help="parser processes (default: %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--no-docs", action="store_true", help="skip the static dbt docs page")
    p.set_defaults(func=_cmd_run)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except FileNotFoundError as exc:
        print(f"xxgk {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
