"""Word documents for the parsing benchmark: ``python bench/docx_corpus.py CORPUS_DIR OUT_DIR [N]``.

The first N (default 300) HTML reports of a synthetic corpus (``xxgk synth``), rebuilt as the
Word documents they were pasted from (tests/docx_files.py: their merges, Word's split runs,
formatted runs), so that ``bench/parse.py OUT_DIR`` measures DOCX parsing on one core.
Needs the dev dependencies (python-docx).
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.docx_files import html_to_docx  # noqa: E402


def main() -> None:
    corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    out.mkdir(parents=True, exist_ok=True)
    sources = sorted(corpus.rglob("*.html"))[:n]
    for path in sources:
        (out / path.with_suffix(".docx").name).write_bytes(html_to_docx(path.read_text("utf-8")))
    print(f"{len(sources)} Word documents in {out}")


if __name__ == "__main__":
    main()
