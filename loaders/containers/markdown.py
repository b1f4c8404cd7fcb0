"""Markdown → the tab dialect: pipe tables become tab-led cells; other lines stay as they are."""
from __future__ import annotations

import re
from functools import lru_cache

MD_ROW = re.compile(r"^\s*\|.*\|\s*$", re.M)
MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$", re.M)


def markdown_to_text(text: str) -> str:
    """Markdown pipe tables become tab-led cells; other lines stay as they are.

    >>> markdown_to_text("| 规章 | 0 |\\n|---|---|\\n| 规范性文件 | 3 |")
    '\\t规章\\n\\t0\\n\\n\\t规范性文件\\n\\t3\\n'
    """
    out: list[str] = []
    for line in text.split("\n"):
        if "|" not in line:  # neither a row nor a separator
            out.append(line)
        elif MD_SEPARATOR.fullmatch(line):
            continue
        elif MD_ROW.fullmatch(line):
            if out and out[-1]:  # a table row starts a row of its own, apart from text above it
                out.append("")
            out.extend(_md_cells(line))
            out.append("")
        else:
            out.append(line)
    return "\n".join(out).rstrip("\n") + "\n"


_MD_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_MD_EMPHASIS = re.compile(r"\*\*|__")
_MD_BREAK = re.compile(r"<br\s*/?>", re.I)


@lru_cache(maxsize=4096)  # table rows repeat across reports
def _md_cells(row: str) -> tuple[str, ...]:
    """A pipe-table row's cells as tab-led lines, emphasis dropped, a line break a space ("3<br>5" is two
    numbers)."""
    return tuple("\t" + _MD_BREAK.sub(" ", _MD_EMPHASIS.sub("", c)).strip()
                 for c in _MD_CELL_SPLIT.split(row.strip())[1:-1])
