"""The one form every container brings a report to, before any text is written: prose and tables.

A container (``loaders/containers``: HTML, markdown, Word, PDF, OCR) reads its format into a ``Document``:
its blocks in reading order, each either prose (a ``str``: a line as printed, or several lines as printed
one under the other; ``""`` is a blank line) or a ``Table``. The one writer, ``loaders/text/writer.py``,
makes the normalised text of it, in the tab dialect the cells are read from. A text dump is already in
that dialect and is read as it is.

A table's rows are lists (or tuples) of their cells' texts, not an object per cell: a report has hundreds
of cells and the parser reads a thousand reports a second per core.

>>> doc = Document(["一、总体情况"], [])
>>> apart(doc.blocks); doc.blocks.append(table([("规章", "0")]))
>>> doc.blocks
['一、总体情况', '', Table(rows=[('规章', '0')], laid_out=False, page=None, box=None)]
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import NamedTuple


class Table(NamedTuple):
    """A table: its rows in reading order, each the texts of its printed cells (trimmed, on one line); a
    marked-up table has a row at least, and a row a cell.

    ``laid_out``: the cells were placed from a page's layout (a PDF's text layer, an OCR'd scan), not marked
    up (HTML, Word, markdown): a column can be cut or shifted, so a table whose rows do not add up is not
    read. ``page`` and ``box``: where a laid-out table starts, its 1-based page and (x0, top, x1, bottom) in
    points.
    """

    rows: list[Sequence[str]]
    laid_out: bool = False
    page: int | None = None
    box: tuple[float, float, float, float] | None = None


# Builds a marked-up Table from its rows in C, without the Python-level __new__: HTML gives one per row.
_new_table = partial(tuple.__new__, Table)


def table(rows: list[Sequence[str]]) -> Table:
    """A marked-up table (HTML, Word, markdown) of ``rows``.

    >>> table([["规章", "0"]]).laid_out
    False
    """
    return _new_table((rows, False, None, None))


class Document(NamedTuple):
    """A report as its container read it: blocks (prose, ``Table``) and what could not be read of it."""

    blocks: list  # str | Table, in reading order
    problems: list[str]  # what the container could not read: it makes the report partial


def apart(blocks: list) -> None:
    """Before a table that follows prose: a blank line, unless the blocks end with one (or a table, whose
    last row the writer ends with one, or nothing).

    >>> blocks = ["一、总体情况"]; apart(blocks); apart(blocks); blocks
    ['一、总体情况', '']
    """
    if blocks and blocks[-1].__class__ is str and blocks[-1]:
        blocks.append("")
