"""What the loaders extracted, as one digest per table: ``python bench/extraction.py CORPUS_DIR``.

Parses every file of the corpus in this process (no warehouse, no timing) and prints a SHA-256 per
raw table over its rows in a fixed order, with the row counts. Run it before and after a speed change:
the digests must be the same, byte for byte (ingestion times and paths excepted).
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from loaders.assembly.report import parse_source  # noqa: E402


def digests(corpus: Path) -> dict[str, tuple[int, str]]:
    """table → (rows, sha256) over every report of ``corpus``, files in path order."""
    hashes = {name: hashlib.sha256() for name in ("reports", "report_cells", "narrative_facts")}
    counts = dict.fromkeys(hashes, 0)
    for path in sorted(p for p in corpus.rglob("*") if p.is_file() and p.name != "truth.csv"):
        r = parse_source(path.read_bytes())
        rows = {
            "reports": [(path.relative_to(corpus).as_posix(), r.status, r.error, r.source_format, r.encoding, r.title,
                         r.agency, r.year, r.template, r.script, hashlib.sha256(r.normalised_text.encode()).hexdigest())],
            "report_cells": [tuple(c) for c in r.cells],
            "narrative_facts": [tuple(f) for f in r.facts],
        }
        for name, table in rows.items():
            for row in table:
                hashes[name].update(repr(row).encode())
            counts[name] += len(table)
    return {name: (counts[name], h.hexdigest()) for name, h in hashes.items()}


if __name__ == "__main__":
    for name, (n, digest) in digests(Path(sys.argv[1])).items():
        print(f"{name:16} {n:>10,} rows  {digest}")
