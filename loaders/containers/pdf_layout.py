"""Characters and ruling lines of PDF pages → a Document. Pure geometry: no pdfium here.

Coordinates are in points, x to the right and y *down* from the top of the page as displayed.
Tables come from the ruling lines where a table has them: the lines cut the table into base cells,
base cells with no line between them are one (merged) cell, and each cell's characters are its
text. A row of the output is the cells whose top edge is on the same rule, as an HTML table lists
a ``rowspan`` cell in the row where it starts. Tables with no rules are read from alignment
(``read_text_tables``). Text outside tables becomes paragraphs; running page headers and footers are
dropped, and a table or paragraph broken by a page break is joined again.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from itertools import groupby
from typing import NamedTuple

from .. import document
from ..patterns import LINE_NUMBERED, PDF_PAGE_NUMBER


class Char(NamedTuple):
    """One printed character and its box."""

    ch: str
    x0: float
    top: float
    x1: float
    bottom: float


class Page(NamedTuple):
    """What one page holds, as read from the PDF."""

    number: int  # 1-based
    width: float
    height: float
    chars: list[Char]
    hrules: list[tuple[float, float, float]]  # (y, x0, x1)
    vrules: list[tuple[float, float, float]]  # (x, y0, y1)


class Line(NamedTuple):
    """A line of prose: its text, box, character height and the chunks a wide gap separates."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    chunks: tuple[tuple[str, float, float], ...]  # (text, x0, x1)


class GridCell:
    """A table cell: its span of grid rows and columns (last ones inclusive), its box and its text.

    ``origin`` is set on the part of a cell that a page break carried to the next page: the cell
    it continues, which holds the text; such a part is not printed.
    """

    __slots__ = ("r0", "c0", "r1", "c1", "x0", "top", "x1", "bottom", "text", "origin")

    def __init__(self, r0: int, c0: int, r1: int, c1: int, x0: float, top: float, x1: float, bottom: float,
                 text: str, origin: GridCell | None = None):
        self.r0, self.c0, self.r1, self.c1 = r0, c0, r1, c1
        self.x0, self.top, self.x1, self.bottom = x0, top, x1, bottom
        self.text, self.origin = text, origin

    def __repr__(self) -> str:
        return f"GridCell({self.r0}, {self.c0}, {self.r1}, {self.c1}, {self.text!r})"


class Table(NamedTuple):
    """A table: cells in reading order (by first row, then column). A table continued over pages
    holds the cells of every page; ``part_row`` is the first row of the last page's part."""

    cells: list[GridCell]
    x0: float
    top: float
    x1: float
    bottom: float
    part_row: int = 0

    def rows(self) -> list[list[GridCell]]:
        """The printed cells, grouped by the row they start in."""
        return [list(g) for _, g in groupby((c for c in self.cells if c.origin is None), key=lambda c: c.r0)]


# Ruling lines closer than this are one line (double borders, half-pixel offsets); no real row or
# column is this narrow.
SNAP = 3.0
# A path this thin (points) is a line, not a filled box.
THIN = 3.0
# Rules shorter than this are glyph decorations (underlines, bullets), not table borders.
MIN_RULE = 5.0


# --- characters → lines ------------------------------------------------------------------------
def is_wide(ch: str) -> bool:
    """CJK characters and full-width forms: text written without spaces between them.

    >>> is_wide("表"), is_wide("，"), is_wide("7"), is_wide("a")
    (True, True, False, False)
    """
    o = ord(ch)
    return 0x2E80 <= o <= 0xA4CF or 0xF900 <= o <= 0xFAFF or 0xFE30 <= o <= 0xFE4F \
        or 0xFF00 <= o <= 0xFF60 or 0xFFE0 <= o <= 0xFFE6 or 0x20000 <= o <= 0x3FFFF


def group_lines(chars: Sequence[Char]) -> list[list[Char]]:
    """Characters → visual lines, top to bottom, each left to right.

    A character belongs to the line whose vertical band holds its middle; a larger character (a
    heading) widens the band.

    >>> lines = group_lines([Char("b", 20, 0, 30, 10), Char("c", 0, 20, 10, 30), Char("a", 0, 1, 10, 11)])
    >>> ["".join(c.ch for c in line) for line in lines]
    ['ab', 'c']
    """
    ordered = sorted(chars, key=_middle)
    lines: list[list[Char]] = []
    top = bottom = None
    for c in ordered:
        mid = (c.top + c.bottom) / 2
        if lines and top <= mid <= bottom:
            lines[-1].append(c)
            if c.bottom - c.top > bottom - top:
                top, bottom = c.top, c.bottom
        else:
            lines.append([c])
            top, bottom = c.top, c.bottom
    for line in lines:
        line.sort(key=_left)
    return lines


def _middle(c: Char) -> float:
    return c.top + c.bottom


def _left(c: Char) -> float:
    return c.x0


def line_text(chars: Sequence[Char], chunk_gap: float | None = None) -> tuple[str, tuple[tuple[str, float, float], ...]]:
    """The text of one visual line, and its chunks: the runs a gap wider than ``chunk_gap`` separates.

    A gap becomes a space unless a CJK character is on either side (justified Chinese text is
    spaced out, "只计这一情 形" is one word). A character drawn twice on itself (fake bold) is read once.

    >>> line_text([Char("2", 0, 0, 5, 10), Char("0", 5, 0, 10, 10), Char("年", 14, 0, 24, 10), Char("9", 60, 0, 65, 10)], 20)
    ('20年 9', (('20年', 0, 24), ('9', 60, 65)))
    >>> line_text([Char("表", 0, 0, 10, 10), Char("表", 0.3, 0, 10.3, 10), Char("/", 11, 0, 14, 10), Char("/", 14, 0, 17, 10)])[0]
    '表//'
    """
    out: list[str] = []
    chunks: list[tuple[str, float, float]] = []
    start = 0
    prev = None
    for c in chars:
        if prev is not None:
            height = max(c.bottom - c.top, prev.bottom - prev.top, 1.0)
            gap = c.x0 - prev.x1
            if c.ch == prev.ch and abs(c.x0 - prev.x0) < 0.2 * (prev.x1 - prev.x0):
                continue
            if chunk_gap is not None and gap > chunk_gap:
                chunks.append(("".join(out[start:]).strip(), chunk_x0, prev.x1))  # noqa: F821 (set at the first character)
                out.append(" ")
                start = len(out)
                chunk_x0 = c.x0
            elif gap > 0.3 * height and not (is_wide(c.ch) or is_wide(prev.ch)):
                out.append(" ")
        else:
            chunk_x0 = c.x0
        out.append(c.ch)
        prev = c
    if prev is not None:
        chunks.append(("".join(out[start:]).strip(), chunk_x0, prev.x1))
    return "".join(out), tuple(chunks)


def join_wrapped(parts: Sequence[str]) -> str:
    """Lines of one cell or paragraph as one text: no space where a CJK character meets the break.

    >>> join_wrapped(["商业", "企业"]), join_wrapped(["hzzwgk@126.com", "（地址"]), join_wrapped(["Page", "two"])
    ('商业企业', 'hzzwgk@126.com（地址', 'Page two')
    """
    out = ""
    for part in parts:
        if not part:
            continue
        if out and not (is_wide(out[-1]) or is_wide(part[0])):
            out += " "
        out += part
    return out


def make_lines(chars: Sequence[Char]) -> list[Line]:
    """Prose characters → Lines, with chunks split at gaps wider than the character height."""
    out = []
    for group in group_lines(chars):
        size = max(c.bottom - c.top for c in group)
        text, chunks = line_text(group, chunk_gap=size)
        out.append(Line(text, group[0].x0, min(c.top for c in group), group[-1].x1,
                        max(c.bottom for c in group), size, chunks))
    return out


# --- ruling lines → grids ------------------------------------------------------------------------
def merge_rules(rules: Sequence[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Collinear rules (same coordinate within SNAP) that overlap or nearly touch → one rule each.

    >>> merge_rules([(10.0, 0.0, 50.0), (11.5, 51.0, 90.0), (40.0, 0.0, 90.0)])
    [(10.0, 0.0, 90.0), (40.0, 0.0, 90.0)]
    """
    out: list[tuple[float, float, float]] = []
    for _, group in _clusters(sorted(rules), SNAP):
        coord = group[0][0]
        spans = sorted((a, b) for _, a, b in group)
        lo, hi = spans[0]
        for a, b in spans[1:]:
            if a <= hi + SNAP:
                hi = max(hi, b)
            else:
                out.append((coord, lo, hi))
                lo, hi = a, b
        out.append((coord, lo, hi))
    return out


def _clusters(items: Sequence[tuple], tol: float):
    """Runs of sorted items whose first field is within ``tol`` of the previous item's."""
    group: list = []
    for item in items:
        if group and item[0] - group[-1][0] > tol:
            yield group[0][0], group
            group = []
        group.append(item)
    if group:
        yield group[0][0], group


def find_grids(hrules, vrules) -> list[tuple[list, list]]:
    """Rules → the (horizontal, vertical) rules of each table: the sets of rules that cross or touch.

    A box alone (two rules each way, one cell) is a frame, not a table: it is left out.
    """
    hs, vs = merge_rules(hrules), merge_rules(vrules)
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (y, hx0, hx1) in enumerate(hs):
        for j, (x, vy0, vy1) in enumerate(vs):
            if hx0 - SNAP <= x <= hx1 + SNAP and vy0 - SNAP <= y <= vy1 + SNAP:
                a, b = find(i), find(len(hs) + j)
                if a != b:
                    parent[a] = b
    groups: dict[int, tuple[list, list]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    return [(h, v) for h, v in groups.values() if len(h) >= 2 and len(v) >= 2 and len(h) + len(v) > 4]


def build_grid(hs, vs) -> tuple[list[float], list[float], list[tuple[int, int, int, int]], list[int]]:
    """One table's rules → column edges, row edges, its cells as (r0, c0, r1, c1) spans, and the
    cell each base cell (row by row) belongs to.

    Base cells with no rule between them are merged, so a cell spanning rows or columns (and the
    part of a cell a page break left open) is one cell.

    >>> xs, ys, cells, of_base = build_grid([(0, 0, 20), (10, 10, 20), (20, 0, 20)], [(0, 0, 20), (10, 0, 20), (20, 0, 20)])
    >>> cells, of_base
    ([(0, 0, 1, 0), (0, 1, 0, 1), (1, 1, 1, 1)], [0, 1, 0, 2])
    """
    xs = _edges([v[0] for v in vs] + [min(h[1] for h in hs), max(h[2] for h in hs)])
    ys = _edges([h[0] for h in hs] + [min(v[1] for v in vs), max(v[2] for v in vs)])
    v_at = _rules_at(vs, xs)
    h_at = _rules_at(hs, ys)
    ncols, nrows = len(xs) - 1, len(ys) - 1
    parent = list(range(nrows * ncols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(nrows):
        mid = (ys[r] + ys[r + 1]) / 2
        for c in range(ncols - 1):
            if not _covered(v_at[c + 1], mid):
                parent[find(r * ncols + c + 1)] = find(r * ncols + c)
    for c in range(ncols):
        mid = (xs[c] + xs[c + 1]) / 2
        for r in range(nrows - 1):
            if not _covered(h_at[r + 1], mid):
                parent[find((r + 1) * ncols + c)] = find(r * ncols + c)
    spans: dict[int, list[int]] = {}
    for i in range(nrows * ncols):
        r, c = divmod(i, ncols)
        s = spans.get(find(i))
        if s is None:
            spans[find(i)] = [r, c, r, c]
        else:
            s[0], s[1], s[2], s[3] = min(s[0], r), min(s[1], c), max(s[2], r), max(s[3], c)
    order = sorted(spans, key=lambda root: spans[root])
    number = {root: k for k, root in enumerate(order)}
    return xs, ys, [tuple(spans[root]) for root in order], [number[find(i)] for i in range(nrows * ncols)]


def _edges(coords: list[float]) -> list[float]:
    """Distinct coordinates, those within SNAP of each other taken as one (their first)."""
    return [k for k, _ in _clusters(sorted((c,) for c in coords), SNAP)]


def _rules_at(rules, edges: list[float]) -> list[list[tuple[float, float]]]:
    """For each edge, the spans of the rules that lie on it."""
    out: list[list[tuple[float, float]]] = [[] for _ in edges]
    for coord, a, b in rules:
        k = min(range(len(edges)), key=lambda i: abs(edges[i] - coord))
        if abs(edges[k] - coord) <= SNAP:
            out[k].append((a, b))
    return out


def _covered(spans: list[tuple[float, float]], at: float) -> bool:
    return any(a - SNAP <= at <= b + SNAP for a, b in spans)


def read_tables(page: Page) -> tuple[list[Table], list[Char]]:
    """A page's ruled tables, with their cells' text, and the characters outside them."""
    grids = []
    for hs, vs in find_grids(page.hrules, page.vrules):
        xs, ys, spans, of_base = build_grid(hs, vs)
        if len(xs) > 2:  # one column of boxes is a frame or paragraph shading, not a table
            grids.append((xs, ys, spans, of_base))
    if not grids:
        return [], list(page.chars)
    loose: list[Char] = []
    held: list[list[list[Char]]] = [[[] for _ in spans] for _, _, spans, _ in grids]
    for ch in page.chars:
        mx, my = (ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2
        for g, (xs, ys, spans, of_base) in enumerate(grids):
            if xs[0] <= mx <= xs[-1] and ys[0] <= my <= ys[-1]:
                c = min(bisect_right(xs, mx) - 1, len(xs) - 2)
                r = min(bisect_right(ys, my) - 1, len(ys) - 2)
                held[g][of_base[r * (len(xs) - 1) + c]].append(ch)
                break
        else:
            loose.append(ch)
    tables = []
    for g, ((xs, ys, spans, _), texts) in enumerate(zip(grids, held)):
        if _is_layout(g, grids, texts):
            loose.extend(ch for chars in texts for ch in chars)
            continue
        cells = [GridCell(r0, c0, r1, c1, xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1], cell_text(chars))
                 for (r0, c0, r1, c1), chars in zip(spans, texts)]
        tables.append(Table(cells, xs[0], ys[0], xs[-1], ys[-1]))
    return tables, loose


# A table cell holds a label or a number; a cell holding more characters than this holds
# paragraphs: its grid is a frame around the page's text, not a table.
MAX_CELL_CHARS = 300


def _is_layout(g: int, grids: list, texts: list[list[Char]]) -> bool:
    """Whether grid ``g`` is a layout frame: it holds another table, or paragraphs in a cell."""
    xs, ys = grids[g][:2]
    if any(len(chars) > MAX_CELL_CHARS for chars in texts):
        return True
    return any(k != g and xs[0] - SNAP <= oxs[0] and oxs[-1] <= xs[-1] + SNAP and ys[0] - SNAP <= oys[0]
               and oys[-1] <= ys[-1] + SNAP for k, (oxs, oys, _, _) in enumerate(grids))


def cell_text(chars: Sequence[Char]) -> str:
    """The text of one cell: its lines joined (a label wrapped in its cell is one label).

    >>> cell_text([Char("商", 0, 0, 10, 10), Char("业", 10, 0, 20, 10), Char("企", 0, 12, 10, 22), Char("业", 10, 12, 20, 22)])
    '商业企业'
    """
    return join_wrapped([line_text(line)[0].strip() for line in group_lines(chars)])


# --- tables without rules ---------------------------------------------------------------------------
def read_text_tables(lines: Sequence[Line]) -> tuple[list[Table], list[Line]]:
    """Tables printed without rules, read from alignment, and the lines that are not in one.

    A table is a run of lines with wide gaps (chunks) holding two rows of numbers, or a header and
    one; a line without gaps inside the run is a header line, a label fragment or a row with blank
    cells.
    """
    tables: list[Table] = []
    rest: list[Line] = []
    run: list[Line] = []

    def close(page_end: bool = False) -> None:
        pitch = _row_pitch(run)
        while run and len(run[-1].chunks) < 2 and not (
                page_end and LINE_NUMBERED.match(run[-1].text) and len(run) > 1 and run[-1].top - run[-2].top <= 1.5 * pitch):
            rest.append(run.pop())  # what follows the last row (a heading, a caption) is prose
        data = [k for k, line in enumerate(run) if _is_data(line)]
        if len(data) >= 2 or data and any(len(line.chunks) > 1 for line in run[:data[0]]):
            tables.append(text_table(run))
        else:
            rest.extend(run)
        run.clear()

    for line in sorted(lines, key=lambda l: l.top):
        if run and line.top - run[-1].bottom > 3 * line.size:
            close()
        if len(line.chunks) > 1:
            if not _is_data(line) and any(_is_data(r) for r in run):
                close()  # a header after rows of numbers: the next table begins
            run.append(line)
        elif run:
            run.append(line)
        else:
            rest.append(line)
    close(page_end=True)
    return tables, sorted(rest, key=lambda l: l.top)


def _row_pitch(lines: Sequence[Line]) -> float:
    """The usual distance between the tops of consecutive rows of numbers (0 if unknown)."""
    tops = [line.top for line in lines if _is_data(line)]
    steps = sorted(b - a for a, b in zip(tops, tops[1:]))
    return steps[len(steps) // 2] if steps else 0.0


def _is_data(line: Line) -> bool:
    return len(line.chunks) > 1 and any(_VALUE.match(text) for text, _, _ in line.chunks)


def text_table(lines: Sequence[Line]) -> Table:
    """One table without rules → a Table: its value columns are where the numbers line up.

    The header lines above the first row of numbers are merged column by column ("本年新" over
    "制作数量" is one header). A line without numbers below it is a label fragment of the nearest
    row, or, when numbered ("（六）其他处理") and that row has its own label, a row whose cells are
    blank. A column left blank in every row cannot be seen without rules; its rows then hold fewer
    cells than the header names, and the parser leaves them unresolved.

    >>> line = lambda top, *chunks: Line("", chunks[0][1], top, chunks[-1][2], top + 10, 10, chunks)
    >>> t = text_table([line(0, ("信息内容", 0, 40), ("本年新", 100, 130)), line(12, ("制作数量", 95, 135)),
    ...                 line(30, ("规章", 0, 20), ("13", 110, 120)), line(50, ("规范性文件", 0, 50), ("60", 110, 120))])
    >>> [[c.text for c in row] for row in t.rows()]
    [['信息内容', '本年新制作数量'], ['规章', '13'], ['规范性文件', '60']]
    """
    first_data = next(k for k, line in enumerate(lines) if _is_data(line))
    bands = _value_bands([line for line in lines if _is_data(line)])
    label_edge = bands[0][0]
    rows: list[tuple[float, list[str], list[str]]] = []  # (middle, label cells, value cells)
    header_labels: list[str] = []
    header_values = [[] for _ in bands]
    for line in lines[:first_data]:
        for text, x0, x1 in line.chunks:
            k = _band_of(bands, x0, x1)
            (header_labels if k is None else header_values[k]).append(text)
    loose: list[Line] = []
    for line in lines[first_data:]:
        if not _is_data(line):
            loose.append(line)
            continue
        labels = [text for text, x0, x1 in line.chunks if x1 <= label_edge]
        values = [""] * len(bands)
        for text, x0, x1 in line.chunks:
            k = _band_of(bands, x0, x1)
            if k is not None and x1 > label_edge:
                values[k] = join_wrapped([values[k], text])
        rows.append(((line.top + line.bottom) / 2, labels, values))
    for line in loose:
        middle = (line.top + line.bottom) / 2
        texts = [text for text, _, _ in line.chunks]
        nearest = min(range(len(rows)), key=lambda k: abs(rows[k][0] - middle))
        _, labels, _ = rows[nearest]
        if LINE_NUMBERED.match(line.text) and labels:
            rows.append((middle, texts, [""] * len(bands)))
        elif middle < rows[nearest][0]:
            labels[:1] = [join_wrapped(texts + labels[:1])]
        else:
            labels[-1:] = [join_wrapped(labels[-1:] + texts)]
    rows.sort(key=lambda row: row[0])
    header = [join_wrapped(header_labels), *(join_wrapped(v) for v in header_values)] if first_data else None
    cells: list[GridCell] = []
    top, bottom = lines[0].top, lines[-1].bottom
    for r, texts in enumerate(([header] if header else []) + [labels + values for _, labels, values in rows]):
        n_labels = len(texts) - len(bands)
        for c, text in enumerate(texts):
            x0, x1 = bands[c - n_labels] if c >= n_labels else (lines[0].x0, label_edge)
            cells.append(GridCell(r, c, r, c, x0, top, x1, bottom, text))
    return Table(cells, min(line.x0 for line in lines), top, max(line.x1 for line in lines), bottom)


def _value_bands(lines: Sequence[Line]) -> list[tuple[float, float]]:
    """The x ranges of the value columns: where the value chunks of the rows overlap."""
    spans = sorted((x0, x1) for line in lines for text, x0, x1 in line.chunks if _VALUE.match(text))
    bands: list[list[float]] = []
    for x0, x1 in spans:
        if bands and x0 <= bands[-1][1] + 1:
            bands[-1][1] = max(bands[-1][1], x1)
        else:
            bands.append([x0, x1])
    return [(a, b) for a, b in bands]


def _band_of(bands: list[tuple[float, float]], x0: float, x1: float) -> int | None:
    """The value column a chunk lies over (most overlap), or None left of the first one."""
    best, overlap = None, 0.0
    for k, (a, b) in enumerate(bands):
        o = min(b, x1) - max(a, x0)
        if o > overlap:
            best, overlap = k, o
    return best


# --- pages → blocks ---------------------------------------------------------------------------------
class Prose(NamedTuple):
    """A paragraph: its lines, top to bottom, and the left and right margins of the page's prose."""

    lines: list[Line]
    left: float
    right: float

    @property
    def top(self) -> float:
        return self.lines[0].top

    @property
    def text(self) -> str:
        return join_wrapped([line.text.strip() for line in self.lines])


# Running headers and footers sit in the top or bottom eighth of a page.
_BAND = 0.12
# A value cell: a number (with a unit), a dash, 无.
_VALUE = re.compile(r"^[+\-]?\d[\d,.]*\s*(?:万元|亿元|元|项|件|个|条|次|%)?$|^[/\-—–－\\]{1,2}$|^无$")


def render(pages: Sequence[Page]) -> document.Document:
    """Pages → the report's Document: paragraphs and laid-out tables, running headers and footers dropped,
    and what a page break split joined.
    """
    blocks: list = []
    numbers: list[int] = []  # the page each block starts on
    for page, page_blocks in zip(pages, layout(pages)):
        joined = bool(blocks and page_blocks) and _join_across(blocks, page_blocks[0])
        kept = page_blocks[1:] if joined else page_blocks
        blocks.extend(kept)
        numbers.extend([page.number] * len(kept))
    return to_document(blocks, numbers)


def layout(pages: Sequence[Page]) -> list[list]:
    """Each page's blocks (paragraphs and tables) in reading order, its running lines removed."""
    read = []
    for page in pages:
        tables, loose = read_tables(page)
        read.append((page, tables, make_lines(loose)))
    running = running_lines([(page, lines) for page, _, lines in read])
    out = []
    for page, tables, lines in read:
        kept = [line for line in lines if (page.number, line.top) not in running]
        text_tables, prose = read_text_tables(kept)
        items = sorted([*tables, *text_tables, *prose], key=lambda b: b.top)
        out.append(_paragraphs(items, prose))
    return out


def running_lines(pages: Sequence[tuple[Page, list[Line]]]) -> set[tuple[int, float]]:
    """(page number, top) of the running headers and footers: lines in a page's top or bottom band,
    with nothing but other such lines between them and the edge, that are a page number ("- 3 -",
    "第 3 页") or that recur on at least half the pages (digits aside).

    >>> page = Page(1, 600, 800, [], [], [])
    >>> line = lambda text, top: Line(text, 280, top, 320, top + 10, 10, ())
    >>> sorted(running_lines([(page, [line("洪泽区人民政府", 60), line("正文", 300), line("- 1 -", 770)])]))
    [(1, 770)]
    """
    candidates: dict[tuple[int, float], str] = {}
    for page, lines in pages:
        ordered = sorted(lines, key=lambda l: l.top)
        for edge in (ordered, ordered[::-1]):
            for line in edge:
                if page.height * _BAND < line.top and line.bottom < page.height * (1 - _BAND):
                    break
                candidates[(page.number, line.top)] = line.text
    masked = {key: re.sub(r"\d+", "#", text.replace(" ", "")) for key, text in candidates.items()}
    counts: dict[str, int] = {}
    for text in masked.values():
        counts[text] = counts.get(text, 0) + 1
    recurring = max(2, (len(pages) + 1) // 2)
    return {key for key, text in candidates.items() if counts[masked[key]] >= recurring or PDF_PAGE_NUMBER.match(text)}


def _paragraphs(items: list, lines: list[Line]) -> list:
    """Consecutive prose lines → paragraphs: a line that runs to the right margin continues on the
    next line unless that one is indented, numbered, or set in another size."""
    if not lines:
        return items
    right = max(line.x1 for line in lines)
    left = min(line.x0 for line in lines)
    out: list = []
    for item in items:
        if isinstance(item, Line):
            if out and isinstance(out[-1], Prose) and continues(out[-1].lines[-1], item, right, left):
                out[-1].lines.append(item)
                continue
            out.append(Prose([item], left, right))
        else:
            out.append(item)
    return out


def continues(a: Line, b: Line, right: float, left: float, same_page: bool = True) -> bool:
    """Whether line ``b`` carries on the paragraph that line ``a`` ends: ``a`` runs to the right margin
    and ``b`` is not indented, or both are centred (a title on two lines); and ``b`` is not numbered,
    nor set in another size.

    >>> a = Line("本报告由淮安市洪泽区人民政府办公室根据", 80, 100, 516, 112, 12, ())
    >>> continues(a, Line("国政府信息公开条例》", 80, 120, 300, 132, 12, ()), 516, 80)
    True
    >>> continues(a, Line("一、总体情况", 80, 120, 160, 132, 12, ()), 516, 80)
    False
    >>> continues(Line("洪泽区人民政府", 220, 60, 376, 82, 22, ()), Line("2023年政府信息公开工作年度报告", 140, 88, 456, 110, 22, ()), 516, 80)
    True
    """
    size = max(a.size, b.size)
    if LINE_NUMBERED.match(b.text) or abs(a.size - b.size) > 0.2 * size or len(a.chunks) > 1 or len(b.chunks) > 1:
        return False  # a line with wide gaps is a row of a table without rules, not running text
    if same_page and not -0.5 * size <= b.top - a.bottom <= 1.5 * size:
        return False
    middle = (left + right) / 2
    if same_page and abs(a.x0 + a.x1 - 2 * middle) < size and abs(b.x0 + b.x1 - 2 * middle) < size \
            and a.x0 > left + 2 * size:
        return True  # a title centred on two lines
    return a.x1 >= right - 1.5 * size and b.x0 <= left + 0.8 * size


def _join_across(blocks: list, first) -> bool:
    """Join the first block of a page to the last block before it, if a page break split it.

    Returns whether ``first`` was absorbed.
    """
    last = blocks[-1]
    if isinstance(last, Prose) and isinstance(first, Prose):
        a, b = last.lines[-1], first.lines[0]
        if continues(a, b, last.right, first.left, same_page=False) and a.x0 - last.left < 3 * a.size:
            blocks[-1] = Prose(last.lines + first.lines, last.left, last.right)
            return True
        return False
    if isinstance(last, Table) and isinstance(first, Table) and _same_columns(last, first):
        blocks[-1] = continue_table(last, first)
        return True
    if isinstance(last, Prose) and isinstance(first, Table) and all(len(line.chunks) > 1 for line in last.lines):
        header = _header_over(first, last.lines)
        if header is not None:
            blocks[-1] = header
            return True
    return False


def _header_over(table: Table, lines: Sequence[Line]) -> Table | None:
    """A table without rules whose header the page break left at the foot of the page before: the
    header lines' chunks, column by column, as its first row; None if they do not line up."""
    row = table.rows()[0]
    values = [c for c in row if _VALUE.match(c.text) or not c.text]
    if not values or len(values) == len(row):
        return None
    label_edge = values[0].x0
    bands = [(c.x0, c.x1) for c in values]
    texts = [[] for _ in range(len(bands) + 1)]
    for line in lines:
        for text, x0, x1 in line.chunks:
            k = _band_of(bands, x0, x1)
            texts[0 if k is None or x1 <= label_edge else k + 1].append(text)
    if not all(texts[1:]):
        return None
    header = [GridCell(-1, c, -1, c, *((table.x0, label_edge) if c == 0 else bands[c - 1])[:1], table.top,
                       ((table.x0, label_edge) if c == 0 else bands[c - 1])[1], table.top, join_wrapped(t))
              for c, t in enumerate(texts)]
    return Table(header + table.cells, table.x0, table.top, table.x1, table.bottom)


def continue_table(a: Table, b: Table) -> Table:
    """A table split by a page break: ``b``, at the top of the next page, continues ``a``. Returns
    the two as one table.

    Header rows ``b`` repeats from ``a`` are dropped. A cell at the top of ``b`` that continues a
    merged cell of ``a`` (same column) becomes part of it, and the rest of its label, if it holds
    any ("（四）无" + "法提供"), is joined to it. A row the break cut in two (its label on one page,
    its numbers or the rest of its label on the other) is made one row again.
    """
    b = _without_repeated_header(a, b)
    if not b.cells:
        return a
    last_row, first_row = a.cells[-1].r0, b.cells[0].r0
    part = [c for c in a.cells if c.r0 >= a.part_row]
    merged = [c for c in part if c.r0 < last_row and abs(c.bottom - a.bottom) <= SNAP]
    first = [c for c in b.cells if c.r0 == first_row]
    left = min(c.x0 for c in part)
    for cell in first:
        above = _same_column(cell, merged)
        if above is not None and (not cell.text or _fragment(_visible(above).text, cell.text)):
            _visible(above).text = join_wrapped([_visible(above).text, cell.text])
            cell.text, cell.origin = "", _visible(above)
        elif above is None and not cell.text and cell.x1 <= left + SNAP:
            # A merged column printed on this page but not on the last one (its border was cut).
            b.cells.remove(cell)
    first = [c for c in first if c in b.cells]
    last = [c for c in part if c.r0 == last_row]
    rest = [c for c in first if c.origin is None]
    pairs = [(cell, _same_column(cell, last)) for cell in rest]
    if rest and all(above is not None and (not cell.text or not _visible(above).text
                                           or _fragment(_visible(above).text, cell.text)) for cell, above in pairs) \
            and any(_VALUE.match(t) for cell, above in pairs for t in (cell.text, _visible(above).text)):
        for cell, above in pairs:
            _visible(above).text = join_wrapped([_visible(above).text, cell.text])
            cell.text, cell.origin = "", _visible(above)
    shift = last_row + 1 - first_row
    for cell in b.cells:
        cell.r0, cell.r1 = cell.r0 + shift, cell.r1 + shift
    return Table(a.cells + b.cells, a.x0, a.top, a.x1, b.bottom, first_row + shift)


def _visible(cell: GridCell) -> GridCell:
    """The printed cell that ``cell`` is part of."""
    return cell.origin or cell


def _same_columns(a: Table, b: Table) -> bool:
    """Whether ``b``'s column edges are all ``a``'s (``b`` may lack a merged column at the left
    whose border the page break removed).

    >>> cell = lambda x0, x1: GridCell(0, 0, 0, 0, x0, 0, x1, 10, "")
    >>> a = Table([cell(0, 40), cell(40, 80), cell(80, 120)], 0, 0, 120, 10)
    >>> _same_columns(a, Table([cell(40, 80), cell(80, 121)], 40, 0, 121, 10)), _same_columns(a, Table([cell(0, 60)], 0, 0, 60, 10))
    (True, False)
    """
    edges = sorted({c.x0 for c in a.cells} | {c.x1 for c in a.cells})
    return all(any(abs(x - e) <= 2 * SNAP for e in edges) for c in b.cells for x in (c.x0, c.x1))


def _fragment(before: str, after: str) -> bool:
    """Whether ``after`` can be the rest of the label ``before``: both labels, and ``after`` not
    numbered as a row of its own.

    >>> _fragment("（四）无", "法提供"), _fragment("（四）无法提供", "（五）不予处理"), _fragment("3", "法提供")
    (True, False, False)
    """
    return bool(before) and bool(after) and not _VALUE.match(before) and not _VALUE.match(after) \
        and not LINE_NUMBERED.match(after)


def _same_column(cell: GridCell, candidates: Sequence[GridCell]) -> GridCell | None:
    return next((c for c in candidates if abs(c.x0 - cell.x0) <= 2 * SNAP and abs(c.x1 - cell.x1) <= 2 * SNAP), None)


def _without_repeated_header(a: Table, b: Table) -> Table:
    """``b`` without the rows at its top that repeat ``a``'s first rows (a header printed on every page)."""
    a_rows, b_rows = a.rows(), b.rows()
    repeated = 0
    for ra, rb in zip(a_rows, b_rows):
        texts = [c.text for c in rb]
        if texts != [c.text for c in ra] or any(_VALUE.match(t) for t in texts):
            break
        repeated += 1
    if not repeated:
        return b
    return Table([c for row in b_rows[repeated:] for c in row], b.x0, b.top, b.x1, b.bottom)


# --- blocks → the document -------------------------------------------------------------------------
def to_document(blocks: Sequence, numbers: Sequence[int]) -> document.Document:
    """Paragraphs as prose lines; each table as a laid-out table of its printed rows (a row with no text is
    not printed), apart from the prose above it, with the page (``numbers``) and box it starts in. Nothing
    that prints only blank lines comes before the first line of text.

    >>> cells = [GridCell(0, 0, 0, 0, 0, 0, 9, 9, "规章"), GridCell(0, 1, 0, 1, 9, 0, 19, 9, "0"),
    ...          GridCell(1, 0, 1, 1, 0, 9, 19, 19, "")]
    >>> to_document([Prose([Line("二、主动公开", 0, 0, 9, 9, 9, ())], 0, 9), Table(cells, 0, 0, 19, 19)], [1, 2]).blocks
    ['二、主动公开', '', Table(rows=[['规章', '0']], laid_out=True, page=2, box=(0, 0, 19, 19))]
    """
    out: list = []
    for block, number in zip(blocks, numbers):
        if isinstance(block, Prose):
            text = block.text
            if text or out:
                out.append(text)
            continue
        rows = [texts for texts in ([c.text for c in row] for row in block.rows()) if any(texts)]
        if rows or out:
            document.apart(out)
            out.append(document.Table(rows, True, number, (block.x0, block.top, block.x1, block.bottom)))
    return document.Document(out, [])
