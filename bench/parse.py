"""Parsing speed per core, by input shape: ``python bench/parse.py CORPUS_DIR [FILES_PER_SHAPE]``.

One process parses files of each shape already read into memory (bytes → ParsedReport, decoding
included), so the figure is what one core does, without disk or the warehouse. Appends a table to
bench/RESULTS.md with the commit.
"""
from __future__ import annotations

import datetime as dt
import gc
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from run import commit, record  # noqa: E402  (bench/run.py, beside this file)

from loaders.assembly.report import parse_source  # noqa: E402
from loaders.containers.decode import decode_bytes, sniff_container, sniff_format  # noqa: E402

# The targets, reports/s on one core.
TARGETS = {"text": 1000, "html": 300}
SHAPES = ("docx", "html", "markdown", "text")


def shape(data: bytes) -> str:
    """The input shape as the targets name it: docx, html, markdown, or text (tab or line dumps).

    >>> shape('<html><body><table></table></body></html>'.encode()), shape(b"PK\\x03\\x04")
    ('html', 'docx')
    """
    if sniff_container(data) == "docx":
        return "docx"
    return sniff_format(decode_bytes(data).text)


def sample(corpus: Path, per_shape: int) -> dict[str, list[bytes]]:
    """Up to ``per_shape`` files' bytes of each shape, in file order."""
    found: dict[str, list[bytes]] = {}
    for path in sorted(corpus.rglob("*")):
        if path.suffix not in (".txt", ".html", ".md", ".docx"):
            continue
        data = path.read_bytes()
        group = found.setdefault(shape(data), [])
        if len(group) < per_shape:
            group.append(data)
        if len(found) == len(SHAPES) and all(len(g) >= per_shape for g in found.values()):
            break
    return found


def rate(files: list[bytes], rounds: int = 3) -> float:
    """Best of ``rounds`` passes, reports/s: the least disturbed by whatever else the machine does."""
    best = float("inf")
    for _ in range(rounds):
        gc.collect()
        started = time.perf_counter()
        for data in files:
            parse_source(data)
        best = min(best, time.perf_counter() - started)
    return len(files) / best


def main() -> None:
    corpus = Path(sys.argv[1])
    per_shape = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    lines = [f"\n## {dt.date.today()} · commit {commit()} · parsing on one core ({corpus.name}, "
             f"up to {per_shape:,} files a shape, best of 3)\n",
             "| shape | files | reports/s per core | target |", "|---|---|---|---|"]
    for name, files in sorted(sample(corpus, per_shape).items()):
        target = TARGETS.get(name)
        lines.append(f"| {name} | {len(files):,} | {rate(files):,.0f} | "
                     f"{f'≥ {target:,}' if target else '—'} |")
    record("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
