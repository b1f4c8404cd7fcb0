"""Normalised text → sections → a stream of cells, grouped into (labels, values) runs.

One mechanism serves every input shape:

* **tab dialect** (seed dumps, and what HTML and markdown are flattened into): a line starting with
  a tab is a cell, a blank line ends a row, a line without a tab continues the label above it
  (``商业\\n企业``, ``三、\\n本\\n年…``). A line with tabs inside is a whole row.
* **line dialect** (dumps with no tabs): each line is a cell, rows are unknown, blank cells are
  invisible; a line "label 1 2 3" (PDF text) is split into its label and numbers.

Table parsers then read *runs*: a group of consecutive label cells followed by the value cells
that come after them (within the same row when rows are known).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from .labels import norm_label
from .values import CellValue, parse_value


class Cell:
    """One table cell of the normalised text, its value read once."""

    __slots__ = ("raw", "text", "offset", "line", "row", "parsed", "is_value")

    def __init__(self, raw: str, text: str, offset: int, line: int, row: int | None):
        self.raw = raw  # as printed (original script), trimmed
        self.text = text  # simplified script, for matching
        self.offset = offset  # character offset in the normalised text
        self.line = line  # 1-based line in the normalised text
        self.row = row  # row number within the section; None where the dialect has no rows
        self._read()

    def _read(self) -> None:
        self.parsed: CellValue = parse_value(self.text)
        self.is_value = self.parsed.kind != "text" or self.parsed.unresolved is not None

    @property
    def label(self) -> str:
        return norm_label(self.text)

    def extend(self, raw: str, text: str) -> None:
        """Append a wrapped continuation line to this cell."""
        self.raw += raw
        self.text += text
        self._read()

    def __repr__(self) -> str:
        return f"Cell({self.raw!r}, line={self.line}, row={self.row})"


@dataclass
class Run:
    labels: list[Cell] = field(default_factory=list)
    values: list[Cell] = field(default_factory=list)

    @property
    def label_texts(self) -> list[str]:
        return [c.label for c in self.labels]


class Line(NamedTuple):
    number: int  # 1-based
    offset: int
    raw: str
    text: str  # simplified


def split_lines(original: str, simplified: str) -> list[Line]:
    """Lines with their offsets; ``simplified`` has the same length as ``original``.

    >>> [(l.number, l.offset, l.raw) for l in split_lines("a\\nbc", "a\\nbc")]
    [(1, 0, 'a'), (2, 2, 'bc')]
    """
    lines, offset = [], 0
    for number, (raw, text) in enumerate(zip(original.split("\n"), simplified.split("\n")), start=1):
        lines.append(Line(number, offset, raw, text))
        offset += len(raw) + 1
    return lines


# --- sections --------------------------------------------------------------------------------
SECTION_ORDER = ("t2", "t3", "t4", "s5", "s6")
_HEADING_KEYS = {
    "s1": ("总体情况",),
    "t2": ("主动公开政府信息情况", "主动公开政府信息",),
    "t3": ("收到和处理政府信息公开申请情况", "收到和处理政府信息公开申请"),
    "t4": ("行政复议、行政诉讼情况", "行政复议、提起行政诉讼情况", "行政复议、行政诉讼"),
    "s5": ("存在的主要问题", "存在的问题", "主要问题及改进", "主要问题和改进"),
    "s6": ("其他需要报告的事项",),
}
# A table can also be found by its own first cells when its heading is missing.
_TABLE_ANCHORS = {
    "t2": ("第二十条第",),
    "t3": ("本列数据的勾稽关系", "本年新收政府信息公开申请"),
}
_HEADING_PREFIX = re.compile(r"^[#*\s]*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|\d+[、.．])?")


# Lines that may be headings, found in one pass over the text instead of line by line.
_HEADING_LINE = re.compile(
    "^(?!\t)[^\n]{0,40}?(?:" + "|".join(re.escape(k) for keys in _HEADING_KEYS.values() for k in keys) + ")",
    re.M)


def find_sections(lines: list[Line], text: str) -> dict[str, tuple[int, int]]:
    """Section name → (first line index, end line index), for the sections found, in order.

    ``text`` is the simplified text the lines were split from. Headings are short prose lines
    holding the section's key words; numbering varies between agencies, so it is not relied on.
    """
    starts: dict[str, int] = {}
    wanted = ["s1", *SECTION_ORDER]
    numbers = (text.count("\n", 0, m.start()) for m in _HEADING_LINE.finditer(text))
    candidates = [(i, _heading_body(lines[i])) for i in numbers if _could_be_heading(lines[i])]
    pos = 0
    for name in wanted:
        for i, body in candidates:
            if i >= pos and body is not None and any(key in body for key in _HEADING_KEYS[name]):
                starts[name] = i
                pos = i + 1
                break
        else:
            anchor = _find_anchor(lines, pos, name)
            if anchor is not None:
                starts[name] = anchor
                pos = anchor + 1
    ordered = sorted(starts.items(), key=lambda kv: kv[1])
    sections = {}
    for k, (name, start) in enumerate(ordered):
        end = ordered[k + 1][1] if k + 1 < len(ordered) else len(lines)
        sections[name] = (start, end)
    return sections


def _could_be_heading(line: Line) -> bool:
    return len(line.raw) < 80 and not line.raw.startswith("\t") and 0 < len(line.text.strip()) <= 40


def _heading_body(line: Line) -> str | None:
    """The heading's words without its numbering; None when the line is too long to be a heading."""
    text = line.text.strip()
    body = _HEADING_PREFIX.sub("", text)
    return body if body != text or len(body) <= 30 else None


def _find_anchor(lines: list[Line], pos: int, name: str) -> int | None:
    for i in range(pos, len(lines)):
        if any(a in lines[i].text for a in _TABLE_ANCHORS.get(name, ())):
            return i
    return None


# --- cells -------------------------------------------------------------------------------------
_PAGE_FOOTER = re.compile(r"^\s*(?:[—–\-－]+\s*\d{1,4}\s*[—–\-－]+|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?)\s*$")
_LABEL_THEN_NUMBERS = re.compile(r"^(?P<label>\S.*?\D)\s+(?P<nums>[+\-]?\d[\d.,]*\S{0,4}(?:\s+[+\-]?\d[\d.,]*\S{0,4})*)$")
_NUMBERS = re.compile(r"^[+\-]?\d[\d.,]*\S{0,4}(?:\s+[+\-]?\d[\d.,]*\S{0,4})+$")


def section_cells(lines: list[Line]) -> list[Cell]:
    """The cells of one section's lines, in reading order."""
    lines = [ln for ln in lines if not _PAGE_FOOTER.match(ln.raw)]
    if any("\t" in ln.raw for ln in lines):
        return _tab_cells(lines)
    return _line_cells(lines)


def _tab_cells(lines: list[Line]) -> list[Cell]:  # noqa: C901 (one pass over the lines, by shape)
    cells: list[Cell] = []
    row, pending_break = 0, False
    for ln in lines:
        if ln.raw.strip() == "" and not ln.raw.startswith("\t"):
            pending_break = True
            continue
        if ln.raw.startswith("\t"):
            if pending_break:
                row += 1
                pending_break = False
            if ln.raw.count("\t") == 1:  # the common shape: one cell on the line
                raw = ln.raw[1:]
                lead = len(raw) - len(raw.lstrip())
                cells.append(Cell(raw.strip(), ln.text[1:].strip(), ln.offset + 1 + lead, ln.number, row))
            else:
                cells.extend(_split_on_tabs(ln, row, skip_first=True))
        elif "\t" in ln.raw:
            row += 1
            cells.extend(_split_on_tabs(ln, row, skip_first=False))
            pending_break = True
        elif cells and cells[-1].raw and not cells[-1].is_value:
            # A label wrapped onto the next line, possibly across a blank line.
            cells[-1].extend(ln.raw.strip(), ln.text.strip())
            pending_break = False
        else:
            row += 1
            cells.append(Cell(ln.raw.strip(), ln.text.strip(), ln.offset, ln.number, row))
            pending_break = True
    return cells


def _split_on_tabs(ln: Line, row: int, skip_first: bool) -> list[Cell]:
    out, start = [], 0
    raw_parts, text_parts = ln.raw.split("\t"), ln.text.split("\t")
    for k, (raw, text) in enumerate(zip(raw_parts, text_parts)):
        if not (k == 0 and skip_first):
            lead = len(raw) - len(raw.lstrip())
            out.append(Cell(raw.strip(), text.strip(), ln.offset + start + lead, ln.number, row))
        start += len(raw) + 1
    return out


def _line_cells(lines: list[Line]) -> list[Cell]:
    cells: list[Cell] = []
    for ln in lines:
        raw, text = ln.raw.strip(), ln.text.strip()
        if not raw:
            continue
        lead = len(ln.raw) - len(ln.raw.lstrip())
        m = _LABEL_THEN_NUMBERS.match(text)
        if m and not parse_value(m["label"]).kind == "number":
            cells.append(Cell(raw[: m.end("label")], m["label"], ln.offset + lead, ln.number, None))
            cells.extend(_word_cells(ln, lead + m.start("nums")))
        elif _NUMBERS.match(text):
            cells.extend(_word_cells(ln, lead))
        elif " " in text and all(not parse_value(w).kind == "number" for w in text.split()):
            # A header printed on one line: "信息内容 本年新制作数量 本年新公开数量".
            cells.extend(_word_cells(ln, lead))
        else:
            cells.append(Cell(raw, text, ln.offset + lead, ln.number, None))
    return cells


_WORD = re.compile(r"\S+")


def _word_cells(ln: Line, start: int) -> list[Cell]:
    """One cell per space-separated word of the line from column ``start`` on."""
    return [Cell(m.group(), ln.text[m.start(): m.end()], ln.offset + m.start(), ln.number, None)
            for m in _WORD.finditer(ln.raw, start)]


def runs(cells: list[Cell]) -> list[Run]:
    """Group cells into label groups, each followed by its values.

    A value run ends at the next label or at a row break; value cells at the start of a row,
    before any label, are layout placeholders of merged cells and belong to no run.
    """
    out: list[Run] = []
    current = Run()
    row_has_label = False
    prev_row = object()
    for cell in cells:
        new_row = cell.row is not None and cell.row != prev_row
        prev_row = cell.row
        if new_row:
            row_has_label = False
            if current.values:
                out.append(current)
                current = Run()
        if cell.is_value:
            if current.labels and (row_has_label or cell.row is None):
                current.values.append(cell)
        else:
            if current.values:
                out.append(current)
                current = Run()
            current.labels.append(cell)
            row_has_label = True
    if current.labels or current.values:
        out.append(current)
    return out
