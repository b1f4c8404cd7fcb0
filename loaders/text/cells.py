"""Normalised text → sections → a stream of cells, grouped into (labels, values) runs.

One mechanism serves every input shape:

* **tab dialect** (seed dumps, and what ``writer.py`` writes of every container's Document): a line starting with
  a tab is a cell, a blank line ends a row, a line without a tab continues the label above it
  (``商业\\n企业``, ``三、\\n本\\n年…``). A line with tabs inside is a whole row.
* **line dialect** (dumps with no tabs): each line is a cell, rows are unknown, blank cells are
  invisible; a line "label 1 2 3" (PDF text) is split into its label and numbers.

Table parsers then read *runs*: a group of consecutive label cells followed by the value cells
that come after them (within the same row when rows are known).

The text is held as parallel columns of lines (``Lines``), not as an object per line: a report
has hundreds of lines and the parser must read a thousand reports a second per core.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import accumulate
from typing import NamedTuple

from ..patterns import FOOTER_MARK, HEADING_MAX_CHARS, HEADING_NUMBER, PAGE_FOOTER, UNNUMBERED_HEADING_MAX_CHARS
from ..vocabulary import HEADING_KEYS, SECTION_ORDER, TABLE_ANCHORS, TABLE_WORDS, norm_label
from .values import CellValue, parse_value


@lru_cache(maxsize=16384)  # cell texts repeat across reports ("0", "", "自然人"…)
def read_cell(text: str) -> tuple[CellValue, bool]:
    """A cell's value and whether it is a value cell (a number, blank or dash, or an unreadable
    number) rather than a label.

    >>> read_cell("12")[1], read_cell("自然人")[1], read_cell("230 000023")[1]
    (True, False, True)
    """
    parsed = parse_value(text)
    return parsed, parsed.kind != "text" or parsed.unresolved is not None


class Cell(NamedTuple):
    """One table cell of the normalised text, its value read once."""

    raw: str  # as printed (original script), trimmed
    text: str  # simplified script, for matching
    parsed: CellValue
    is_value: bool
    offset: int  # character offset in the normalised text
    line: int  # 1-based line in the normalised text
    row: int | None  # row number within the section; None where the dialect has no rows

    @property
    def label(self) -> str:
        return norm_label(self.text)

    def extended(self, raw: str, text: str) -> Cell:
        """This cell with a wrapped continuation line appended."""
        return make_cell(self.raw + raw, self.text + text, self.offset, self.line, self.row)

    def __repr__(self) -> str:
        return f"Cell({self.raw!r}, line={self.line}, row={self.row})"


# Builds a Cell from one tuple in C, without the Python-level __new__: a report has hundreds of cells.
_new_cell = partial(tuple.__new__, Cell)


def make_cell(raw: str, text: str, offset: int, line: int, row: int | None) -> Cell:
    """
    >>> make_cell("12", "12", 40, 3, 1)
    Cell('12', line=3, row=1)
    """
    return _new_cell((raw, text) + read_cell(text) + (offset, line, row))


# The shapes of a line in the tab dialect.
ONE_CELL, CELLS, BREAK, ROW, TEXT = "one cell", "cells", "break", "row", "text"


@lru_cache(maxsize=16384)  # table lines repeat across reports ("\t0", "", "\t自然人"…)
def tab_line(raw: str) -> tuple[str, tuple[str, str, CellValue, bool] | None, int]:
    """A line's shape in the tab dialect; for ONE_CELL also the cell's fields before its position
    and how many characters precede its text.

    ONE_CELL: a tab, then one cell. CELLS: a tab, then cells separated by tabs. BREAK: blank (ends
    a row). ROW: cells separated by tabs, the first not tab-led. TEXT: no tab (a label, or the rest
    of the label above).

    >>> tab_line("\\t 12")[0::2], tab_line("\\ta\\tb")[0], tab_line("  ")[0], tab_line("企业")[0]
    (('one cell', 2), 'cells', 'break', 'text')
    """
    if raw[:1] == "\t":
        if raw.find("\t", 1) >= 0:
            return CELLS, None, 0
        stripped = raw.strip()  # the leading tab is whitespace too
        return ONE_CELL, (stripped, stripped, *read_cell(stripped)), len(raw) - len(raw.lstrip())
    if not raw.strip():
        return BREAK, None, 0
    return (ROW if "\t" in raw else TEXT), None, 0


@dataclass(slots=True)
class Run:
    labels: list[Cell] = field(default_factory=list)
    values: list[Cell] = field(default_factory=list)
    # The labels were printed on rows above the values, not in their row (PDF conversions detach
    # labels from their numbers): they may belong to another row.
    detached: bool = False

    @property
    def label_texts(self) -> list[str]:
        return [c.label for c in self.labels]


_NEXT_LINE = (1).__add__  # a line's length plus its newline


class Lines(NamedTuple):
    """The normalised text's lines as parallel lists; line i (0-based) is line number i + 1."""

    source: str  # the normalised text, original script
    raw: list[str]  # each line as printed
    text: list[str]  # each line in simplified script (the same list when the text was simplified)
    offset: list[int]  # each line's character offset in ``source``

    def rows(self, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int, str, str]]:
        """(line number, offset, raw, text) of lines ``start`` to ``end`` (0-based, end excluded)."""
        end = len(self.raw) if end is None else end
        return zip(range(start + 1, end + 1), self.offset[start:end], self.raw[start:end], self.text[start:end])

    def span(self, start: int, end: int) -> str:
        """The source text of lines ``start`` to ``end`` (end excluded), newlines included."""
        stop = self.offset[end] - 1 if end < len(self.offset) else len(self.source)
        return self.source[self.offset[start]: stop] if start < end else ""

    def first_holding(self, char: str, start: int, end: int) -> int | None:
        """0-based index of the first line from ``start`` to ``end`` (excluded) holding ``char``; one
        search of the text, not one per line.

        >>> t = "a\\nb\\tc\\nd\\te"
        >>> split_lines(t, t).first_holding("\\t", 0, 3), split_lines(t, t).first_holding("\\t", 0, 1)
        (1, None)
        """
        at = self.span(start, end).find(char)
        return self.index_at(self.offset[start] + at) if at >= 0 else None

    def index_at(self, offset: int) -> int:
        """0-based index of the line holding character ``offset``."""
        return bisect_right(self.offset, offset) - 1


def split_lines(original: str, simplified: str) -> Lines:
    """Lines with their offsets; ``simplified`` has the same length as ``original``.

    >>> lines = split_lines("a\\nbc", "a\\nbc")
    >>> lines.raw, lines.offset, list(lines.rows(1))
    (['a', 'bc'], [0, 2], [(2, 2, 'bc', 'bc')])
    """
    raw = original.split("\n")
    text = raw if simplified is original or simplified == original else simplified.split("\n")
    return Lines(original, raw, text, list(accumulate(map(_NEXT_LINE, map(len, raw[:-1])), initial=0)))


# --- sections --------------------------------------------------------------------------------
# Heading key words, found in one pass over the text; a line whose first one starts within its
# first HEADING_MAX_CHARS characters (and that is not a table cell) may be a heading.
_HEADING_KEY = re.compile("|".join(re.escape(k) for keys in HEADING_KEYS.values() for k in keys))


def find_sections(lines: Lines, text: str) -> dict[str, tuple[int, int]]:
    """Section name → (first line index, end line index), for the sections found, in order.

    ``text`` is the simplified text the lines were split from. Headings are short prose lines
    holding the section's key words; numbering varies between agencies, so it is not relied on.
    """
    starts: dict[str, int] = {}
    wanted = ["s1", *SECTION_ORDER]
    candidates = [(i, _heading_names(lines.text[i])) for i in _heading_lines(lines, text)
                  if _could_be_heading(lines.raw[i], lines.text[i])]
    pos = 0
    for name in wanted:
        matching = [i for i, names in candidates if i >= pos and name in names]
        # A table's heading is the one its table follows: not a line of a table of contents, nor a
        # sub-heading of the overview worded like it.
        chosen = next((i for i in matching if _table_follows(lines, text, i, name, candidates)),
                      matching[0] if matching else None)
        if chosen is not None:
            starts[name] = chosen
            pos = chosen + 1
        else:
            anchor = _find_anchor(lines, text, pos, name)
            if anchor is not None:
                starts[name] = anchor
                pos = anchor + 1
    ordered = sorted(starts.items(), key=lambda kv: kv[1])
    sections = {}
    for k, (name, start) in enumerate(ordered):
        end = ordered[k + 1][1] if k + 1 < len(ordered) else len(lines.raw)
        sections[name] = (start, end)
    return sections


_TABLE_WINDOW = 60


def _table_follows(lines: Lines, text: str, i: int, name: str, candidates: list[tuple[int, str | None]]) -> bool:
    """Whether table ``name``'s words follow heading line ``i`` before the next heading."""
    if name not in TABLE_WORDS:
        return True
    end = next((j for j, _ in candidates if j > i), len(lines.raw))
    window = text[lines.offset[i]: lines.offset[min(end, i + _TABLE_WINDOW, len(lines.raw) - 1)]]
    return any(word in window for word in TABLE_WORDS[name])


def _heading_lines(lines: Lines, text: str) -> list[int]:
    """Indexes of the lines, not tab-led, holding a heading key word among their first HEADING_MAX_CHARS characters."""
    found: list[int] = []
    for m in _HEADING_KEY.finditer(text):
        i = lines.index_at(m.start())
        if (not found or found[-1] != i) and m.start() - lines.offset[i] <= HEADING_MAX_CHARS \
                and not lines.text[i].startswith("\t"):
            found.append(i)
    return found


def _could_be_heading(raw: str, text: str) -> bool:
    return len(raw) < 80 and not raw.startswith("\t") and 0 < len(text.strip()) <= HEADING_MAX_CHARS


@lru_cache(maxsize=4096)  # headings recur in every report
def _heading_names(line_text: str) -> frozenset[str]:
    """The sections whose key words a heading line holds, numbering aside; none when the line is too
    long to be a heading.

    >>> sorted(_heading_names("三、收到和处理政府信息公开申请情况")), _heading_names("x" * 31)
    (['t3'], frozenset())
    """
    text = line_text.strip()
    body = HEADING_NUMBER.sub("", text)
    if body == text and len(body) > UNNUMBERED_HEADING_MAX_CHARS:
        return frozenset()
    return frozenset(name for name, keys in HEADING_KEYS.items() if any(key in body for key in keys))


def _find_anchor(lines: Lines, text: str, pos: int, name: str) -> int | None:
    """The first line from ``pos`` on that holds one of the table's anchors."""
    if pos >= len(lines.raw):
        return None
    found = [at for at in (text.find(a, lines.offset[pos]) for a in TABLE_ANCHORS.get(name, ())) if at >= 0]
    return lines.index_at(min(found)) if found else None


_LABEL_THEN_NUMBERS = re.compile(r"^(?P<label>.*?[^\d\s])\s+(?P<nums>[+\-]?\d[\d.,]*\S{0,4}(?:\s+[+\-]?\d[\d.,]*\S{0,4})*)$")
_NUMBERS = re.compile(r"^[+\-]?\d[\d.,]*\S{0,4}(?:\s+[+\-]?\d[\d.,]*\S{0,4})+$")


def section_cells(lines: Lines, start: int, end: int) -> list[Cell]:
    """The cells of lines ``start`` to ``end`` (a section's body), in reading order."""
    span = lines.span(start, end)
    base = lines.offset[start] if start < end else 0
    marked = {lines.index_at(base + m.start()) for m in FOOTER_MARK.finditer(span)}
    footers = {i + 1 for i in marked if PAGE_FOOTER.match(lines.raw[i])}
    if not footers:
        rows = lines.rows(start, end)
        return _tab_cells(rows) if "\t" in span else _line_cells(rows)
    kept = [r for r in lines.rows(start, end) if r[0] not in footers]
    return _tab_cells(kept) if any("\t" in r[2] for r in kept) else _line_cells(kept)


def _tab_cells(rows) -> list[Cell]:
    cells: list[Cell] = []
    append = cells.append
    row, pending_break = 0, False
    for number, offset, raw, text in rows:
        shape, fields, lead = tab_line(raw)
        if shape is BREAK:
            pending_break = True
            continue
        if shape is ONE_CELL or shape is CELLS:
            if pending_break:
                row += 1
                pending_break = False
            if shape is CELLS:
                cells.extend(_split_on_tabs(number, offset, raw, text, row, skip_first=True))
            elif text is raw:
                append(_new_cell(fields + (offset + lead, number, row)))
            else:
                append(make_cell(fields[0], text[1:].strip(), offset + lead, number, row))
        elif shape is ROW:
            row += 1
            cells.extend(_split_on_tabs(number, offset, raw, text, row, skip_first=False))
            pending_break = True
        elif (parts := line_parts(raw, text)) and any(fields[3] for fields, _ in parts):
            # Text holding numbers ("行政许可 97", a PDF line between table rows): a row of its own.
            row += 1
            cells.extend(_new_cell(fields + (offset + column, number, row)) for fields, column in parts)
            pending_break = True
        elif cells and cells[-1].raw and not cells[-1].is_value:
            # A label wrapped onto the next line, possibly across a blank line.
            cells[-1] = cells[-1].extended(raw.strip(), text.strip())
            pending_break = False
        else:
            row += 1
            append(make_cell(raw.strip(), text.strip(), offset, number, row))
            pending_break = True
    return cells


def _split_on_tabs(number: int, offset: int, raw: str, text: str, row: int, skip_first: bool) -> list[Cell]:
    out, start = [], 0
    for k, (part, part_text) in enumerate(zip(raw.split("\t"), text.split("\t"))):
        if not (k == 0 and skip_first):
            lead = len(part) - len(part.lstrip())
            out.append(make_cell(part.strip(), part_text.strip(), offset + start + lead, number, row))
        start += len(part) + 1
    return out


def _line_cells(rows) -> list[Cell]:
    # An empty line holds no cell: skipped before the cache is asked (dumps leave one between cells).
    return [_new_cell(fields + (offset + column, number, None))
            for number, offset, raw, text in rows if raw for fields, column in line_parts(raw, text)]


@lru_cache(maxsize=16384)  # dump lines repeat across reports ("0", "自然人", "行政许可 0 0 3"…)
def line_parts(raw_line: str, text_line: str) -> tuple[tuple[tuple[str, str, CellValue, bool], int], ...]:
    """The cells of one line of the line dialect: each cell's fields before its position, and the
    column it starts at.

    >>> [(f[0], column) for f, column in line_parts(" 行政许可 0 12", " 行政许可 0 12")]
    [('行政许可', 1), ('0', 6), ('12', 8)]
    """
    raw, text = raw_line.strip(), text_line.strip()
    if not raw:
        return ()
    lead = len(raw_line) - len(raw_line.lstrip())
    m = _LABEL_THEN_NUMBERS.match(text)
    if m and not parse_value(m["label"]).kind == "number":
        return ((_fields(raw[: m.end("label")], m["label"]), lead),
                *_words(raw_line, text_line, lead + m.start("nums")))
    if _NUMBERS.match(text):
        return _words(raw_line, text_line, lead)
    if " " in text and all(not parse_value(w).kind == "number" for w in text.split()):
        # A header printed on one line: "信息内容 本年新制作数量 本年新公开数量".
        return _words(raw_line, text_line, lead)
    return ((_fields(raw, text), lead),)


def _fields(raw: str, text: str) -> tuple[str, str, CellValue, bool]:
    return (raw, text, *read_cell(text))


_WORD = re.compile(r"\S+")


def _words(raw: str, text: str, start: int) -> tuple[tuple[tuple[str, str, CellValue, bool], int], ...]:
    """One cell per space-separated word of the line from column ``start`` on."""
    return tuple((_fields(m.group(), text[m.start(): m.end()]), m.start()) for m in _WORD.finditer(raw, start))


def runs(cells: list[Cell]) -> list[Run]:
    """Group cells into label groups, each followed by its values.

    A value run ends at the next label or at a row break. Value cells at the start of a row, before
    its label, are layout placeholders of merged cells and belong to no run; a row of values with
    no label at all follows the labels printed on the rows above it (a ``detached`` run), or, if
    none are waiting, stands alone as a run without labels (an orphan row).

    Where rows are unknown (text from PDFs), a line holding several numbers is a row's numbers: the
    next such line starts a run of its own, and labels printed on lines above their numbers, not
    beside them, are ``detached`` (a PDF converter wraps a label around its row's numbers).

    The cells are those of one section, of one dialect (``section_cells``): rows all known or all unknown.
    """
    if cells and cells[0].row is None:
        return _runs_of_lines(cells)
    out: list[Run] = []
    current = Run()
    pending: list[Cell] = []  # values seen in this row before any label
    row_has_label = False
    prev_row = None

    def close_row() -> None:
        nonlocal current
        if any(c.parsed.kind != "blank" for c in pending):
            if current.labels and not current.values:
                current.values.extend(pending)
                current.detached = True
            else:
                if current.labels or current.values:
                    out.append(current)
                current = Run(values=list(pending))
        pending.clear()

    for cell in cells:
        row = cell.row
        if row != prev_row:
            if pending:
                close_row()
            row_has_label = False
            if current.values:
                out.append(current)
                current = Run()
        prev_row = row
        if cell.is_value:
            if not row_has_label:
                pending.append(cell)
            elif current.labels or current.values:
                current.values.append(cell)
        else:
            pending.clear()
            if current.values:
                out.append(current)
                current = Run()
            current.labels.append(cell)
            row_has_label = True
    close_row()
    if current.labels or current.values:
        out.append(current)
    return out


def _runs_of_lines(cells: list[Cell]) -> list[Run]:
    """``runs`` of cells whose rows are unknown (text with one cell a line, PDF text)."""
    out: list[Run] = []
    current = Run()
    last_line, on_last_line = -1, 0  # the line of the last value, and how many values it holds
    for cell in cells:
        if cell.is_value:
            line = cell.line
            if current.values and line != last_line and on_last_line >= 2:
                out.append(current)
                current = Run(values=[cell])
            elif current.labels or current.values:
                current.values.append(cell)
            on_last_line = on_last_line + 1 if line == last_line else 1
            last_line = line
        else:
            if current.values:
                out.append(current)
                current = Run()
            current.labels.append(cell)
    if current.labels or current.values:
        out.append(current)
    _detach_wrapped_labels([r for r in out if r.labels and r.values])
    return out


def _detach_wrapped_labels(line_runs: list[Run]) -> None:
    """Where most rows print their label beside their numbers (PDF text), a label on a line of its
    own above a line of numbers is detached: a converter wraps labels around their numbers, above
    and below. Where most rows print the label on the line above (a page whose cells were cut
    apart), that is the layout, not a wrap."""
    beside = [r.labels[-1].line == r.values[0].line for r in line_runs]
    if 2 * sum(beside) < len(line_runs):
        return
    for run, is_beside in zip(line_runs, beside):
        if not is_beside:
            first = run.values[0].line
            run.detached = sum(c.line == first for c in run.values) >= 2
