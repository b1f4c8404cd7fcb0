"""``python -m synth --n N --out DIR``: write a synthetic corpus and its ground truth (truth.csv)."""
from __future__ import annotations

import argparse
import sys

from .corpus import write_corpus


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m synth",
                                description="generate a synthetic corpus with injected defects and its ground truth")
    p.add_argument("--n", type=int, required=True, help="number of reports")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    p.add_argument("--out", required=True, help="output folder (truth.csv is written beside the reports)")
    p.add_argument("--defect-rate", type=float, default=0.1, help="share of reports with a defect (default: %(default)s)")
    p.add_argument("--shapes", help="only these input shapes, comma-separated, from html, tab, flattened, lines, "
                                    "markdown (default: all, in their calibrated shares)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    args = p.parse_args(argv)
    try:
        n, truth = write_corpus(args.n, args.seed, args.out, defect_rate=args.defect_rate,
                                shapes=args.shapes.split(",") if args.shapes else None)
    except ValueError as exc:
        p.error(f"--shapes: {exc}")
    if not args.quiet:
        print(f"synth: {n} reports → {args.out}; ground truth: {truth}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
