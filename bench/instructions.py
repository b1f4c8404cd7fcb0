"""Parsing cost in CPU instructions, which a busy machine does not blur:
``python bench/instructions.py CORPUS_DIR [ROOT ...]``.

Wall and CPU time on a shared 2-core machine move by ±5% from run to run; the instructions valgrind counts
(callgrind) move by less than 0.1%. For each ROOT (a checkout of xxgk: this one by default, or an older commit's
``git worktree``), parses every file of CORPUS_DIR twice in a fresh interpreter under callgrind, subtracts an
interpreter that only imports and reads, and prints instructions per 1,000 parses.

A checkout from before printed dates and further reports were read in ``parse_source`` (issue 29) has that work
done after the parse here, as its ingest did, so that both sides count the same work.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 2

_CHILD = """
import sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
try:
    from loaders.assembly.report import parse_source as parse
except ImportError:  # before the loaders' stages: printed date and further reports were ingest's work
    from loaders.files import _further_reports
    from loaders.metadata import printed_date
    from loaders.report import parse_source

    def parse(data):
        report = parse_source(data)
        _further_reports(report)
        if report.normalised_text:
            printed_date(report.normalised_text, report.year)
files = [p.read_bytes() for p in sorted(Path(sys.argv[2]).rglob("*")) if p.is_file() and p.name != "truth.csv"]
for _ in range(int(sys.argv[3])):
    for data in files:
        parse(data)
print(len(files))
"""


def instructions(root: Path, corpus: Path, rounds: int) -> tuple[int, int]:
    """(instructions, files) of parsing ``corpus`` ``rounds`` times with the code at ``root``."""
    run = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c",
                          _CHILD, str(root), str(corpus), str(rounds)], capture_output=True, text=True, check=True)
    collected = re.search(r"Collected : (\d+)", run.stderr)
    if collected is None:
        raise SystemExit(f"valgrind printed no instruction count for {root}: {run.stderr[-500:]}")
    return int(collected[1]), int(run.stdout.split()[-1])


def per_thousand(root: Path, corpus: Path) -> float:
    """Instructions per 1,000 parses of the corpus' files, the interpreter's start and the reading excluded."""
    start, _ = instructions(root, corpus, 0)
    total, files = instructions(root, corpus, ROUNDS)
    return (total - start) / (files * ROUNDS) * 1000


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit("usage: python bench/instructions.py CORPUS_DIR [ROOT ...]  (needs valgrind)")
    corpus = Path(sys.argv[1])
    roots = [Path(r) for r in sys.argv[2:]] or [ROOT]
    first = None
    for root in roots:
        cost = per_thousand(root, corpus)
        first = first or cost
        print(f"{str(root):30} {corpus.name:12} {cost / 1e9:8.3f} G instructions / 1,000 parses  ({cost / first - 1:+.2%})")
