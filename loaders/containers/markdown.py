"""Markdown → a Document: pipe tables become tables; other lines stay as they are."""
from __future__ import annotations

import re
from functools import lru_cache

from ..document import Document, apart, table

MD_ROW = re.compile(r"^\s*\|.*\|\s*$", re.M)
MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$", re.M)


def markdown_document(text: str) -> Document:
    """Markdown pipe tables become tables (their separator lines left out); other lines stay as they are.

    >>> markdown_document("说明\\n| 规章 | 0 |\\n|---|---|\\n| 规范性文件 | 3 |").blocks
    ['说明', '', Table(rows=[('规章', '0'), ('规范性文件', '3')], laid_out=False, page=None, box=None)]
    """
    blocks: list = []
    rows = None  # the rows of the table the lines above are in
    for line in text.split("\n"):
        if "|" not in line:  # neither a row nor a separator
            blocks.append(line)
            rows = None
        elif MD_SEPARATOR.fullmatch(line):
            continue
        elif MD_ROW.fullmatch(line):
            cells = _md_cells(line)
            if rows is None or not cells:
                apart(blocks)
                if not cells:  # a row of no cells ("|a\\|"): only the blank line that ends a row
                    blocks.append("")
                    rows = None
                    continue
                rows = []
                blocks.append(table(rows))
            rows.append(cells)
        else:
            blocks.append(line)
            rows = None
    return Document(blocks, [])


_MD_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_MD_EMPHASIS = re.compile(r"\*\*|__")
_MD_BREAK = re.compile(r"<br\s*/?>", re.I)


@lru_cache(maxsize=4096)  # table rows repeat across reports
def _md_cells(row: str) -> tuple[str, ...]:
    """A pipe-table row's cells, emphasis dropped, a line break a space ("3<br>5" is two numbers).

    >>> _md_cells("| **合计** | 3<br>5 |")
    ('合计', '3 5')
    """
    return tuple(_MD_BREAK.sub(" ", _MD_EMPHASIS.sub("", c)).strip() for c in _MD_CELL_SPLIT.split(row.strip())[1:-1])
