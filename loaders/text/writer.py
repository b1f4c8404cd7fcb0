"""The one writer of the tab dialect: a container's ``Document`` → the normalised text the cells' offsets
point into.

The dialect (read back by ``cells.py``): prose lines as they are; a marked-up table's row as its cells, one
a line, each led by a tab, then a blank line (a row has a cell at least); a laid-out table's row (a PDF's, an OCR'd page's) as one line
of tab-separated cells, led by a tab after a blank line when its first cell is empty or it is alone, and
the table followed by a blank line. Blank lines at the end go; the text ends with one line break.
"""
from __future__ import annotations

from typing import NamedTuple

from ..document import Document


class Written(NamedTuple):
    """A document's text in the tab dialect, whether a table in it was placed from a page's layout, and what
    its container could not read."""

    text: str
    laid_out: bool
    problems: list[str]


def write(document: Document) -> Written:
    """The document's text in the tab dialect.

    >>> from ..document import Table, table
    >>> write(Document(["二、主动公开", "", table([["规章", "0"], ["规范性文件", "3"]])], []))
    Written(text='二、主动公开\\n\\n\\t规章\\n\\t0\\n\\n\\t规范性文件\\n\\t3\\n', laid_out=False, problems=[])
    >>> write(Document([Table([["规章", "0"], ["第二十条第（五）项"]], laid_out=True)], [])).text
    '规章\\t0\\n\\n\\t第二十条第（五）项\\n'
    """
    out: list[str] = []
    append = out.append
    laid_out = False
    for block in document.blocks:
        if block.__class__ is str:
            append(block)
        elif block.laid_out:
            laid_out = True
            _laid_out_rows(block.rows, out)
        else:  # a row: its cells' lines; a table of several (a Word or markdown table) joined in C, no step a row
            rows = block.rows
            append("\t" + ("\n\t".join(rows[0]) if len(rows) == 1 else "\n\n\t".join(map(_cell_lines, rows))))
            append("")
    return Written("\n".join(out).rstrip("\n") + "\n", laid_out, document.problems)


_cell_lines = "\n\t".join  # a marked-up row's cells, one a line, led by tabs (but the first)


def _laid_out_rows(rows, out: list[str]) -> None:
    """A laid-out table's rows, each one line of tab-separated cells; one whose first cell is empty, or that has
    one cell, is led by a tab (a cell, not prose) after a blank line that ends the row before it."""
    for row in rows:
        line = "\t".join(row)
        if not row[0] or len(row) == 1:
            if out and out[-1] != "":
                out.append("")
            line = "\t" + line
        out.append(line)
    out.append("")
