"""Cells of a section → canonical table cells (tables 2, 3 and 4).

Each parser returns the records it could place and a list of *problems*: reasons the report is
only ``partial``. A row whose values cannot be aligned to its columns is emitted with
``value=None`` and an ``unresolved`` reason for every column — never with a guessed number.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache, partial
from operator import attrgetter, itemgetter
from typing import NamedTuple

from .. import vocabulary as L
from ..patterns import ROW_ENUMERATOR
from ..text.cells import Cell, runs
from ..text.glued import is_digit_run, split_run
from ..text.values import parse_value
from ..vocabulary import norm_label
from .arithmetic import Conflict, GluedRow, derive, has_blanks, read_jointly
from .identities import grid, row_identities


class CellRecord(NamedTuple):
    table_id: str
    row_key: str
    col_key: str
    value: float | None
    raw_text: str
    value_kind: str
    unit: str | None
    row_label: str
    char_offset: int
    line_no: int
    unresolved: str | None
    # What settled a value the report does not print as such: the identities (comma-separated) that chose it
    # among the readings of a glued run or derived it from a blank cell, or template_order (a row placed by it).
    resolved_by: str | None
    candidates: str | None  # an unresolved glued cell: the values it may still take ('2|27')


# Builds a CellRecord from a tuple without the Python-level __new__: a report has hundreds of cells.
_record = partial(tuple.__new__, CellRecord)


class TableResult(NamedTuple):
    records: list[CellRecord]
    problems: list[str]
    template: str | None  # the template this table's layout says, if it says
    conflicts: list[Conflict] = []  # identities no reading of the table's glued digits satisfies


class _Glued(NamedTuple):
    """What a table's glued rows leave for the table to settle: the rows their own identity left with several
    readings, and the rows that cannot add up under any reading."""

    rows: list[GluedRow]
    conflicts: list[Conflict]


def _emit(table_id: str, row_key: str, row_label: str, columns: list[str], values: list[Cell],
          money: dict[str, str] | None = None, glued_table: Callable[[], bool] | None = None,
          blanks_at: str | None = "leading", uncuttable: Callable[[], bool] | None = None,
          places: tuple[tuple[str, str], ...] | None = None,
          glued_rows: _Glued | None = None) -> tuple[list[CellRecord], str | None, bool]:
    """Align a run of values to its columns; unresolved rows keep their text, not a guess.

    Cells glued together (a cell that reads as several numbers; a line of text whose digit runs do
    not match the columns) are cut apart where that is certain (glued.py). Numbers that stand apart
    on a line of text are separate cells unless the table shows it glues cells (``glued_table()``,
    asked only of such a line, as it searches the whole table: runs such as "0000000" that no count is
    printed as): too few of them are missing cells (blanks print nothing), not glued ones. No line is
    cut where ``uncuttable()`` (asked likewise; see ``_blanks_vanish``) but a run of as many zeros as columns,
    which no blank can hide in (a blank prints nothing, a zero is one digit). ``places``: the cells (row,
    column) the columns are, where the row is not one of the table's rows (table 4's one row of fifteen).

    Returns the row's records, the problem that makes the report partial (None for a glued row left for the
    table to settle: ``glued_rows`` gets it), and whether the row was cut from a glued run.
    """
    values = _trim_blank_edges(values, len(columns), blanks_at)
    if len(values) != len(columns):
        glued = (_split_glued(table_id, row_key, row_label, columns, values, places, glued_table, glued_rows)
                 if values and values[0].row is None
                 and (len(values) == 1 or glued_table is not None and glued_table())
                 and (uncuttable is None or not uncuttable() or _zeros(values, len(columns)))
                 else None)
        if glued is not None:
            return glued
        where = values[0] if values else None
        joined = " | ".join(c.raw for c in values)
        reason = f"{table_id} row {row_key!r}: {len(values)} value cell(s) for {len(columns)} columns: {joined!r}"
        return [CellRecord(table_id, row_key, col, None, joined, "text", None, row_label,
                           where.offset if where else -1, where.line if where else -1, reason, None, None)
                for col in columns], reason, False
    # A count reads as the cell already did; money needs its column's unit (萬元 reads as 万元).
    read = [c.parsed if money.get(col) is None else parse_value(c.text, money_unit=money[col])
            for col, c in zip(columns, values)] if money else [c.parsed for c in values]
    problem = next((f"{table_id} {row_key}/{col}: {v.unresolved}"
                    for col, v in zip(reversed(columns), reversed(read)) if v.unresolved),
                   None) if any(map(_read_unresolved, read)) else None
    if problem is not None:
        glued = _split_glued(table_id, row_key, row_label, columns, values, places, glued_table, glued_rows)
        if glued is not None:
            return glued
    return [_record((table_id, row_key, col, v.value, c.raw, v.kind, v.unit, row_label, c.offset, c.line,
                     v.unresolved, None, None))
            for col, c, v in zip(columns, values, read)], problem, False


def _zeros(values: list[Cell], n: int) -> bool:
    """Whether the values print ``n`` zeros and nothing else (spaces aside).

    >>> from ..text.cells import make_cell
    >>> _zeros([make_cell("00 0", "00 0", 0, 1, None)], 3), _zeros([make_cell("000", "000", 0, 1, None)], 4)
    (True, False)
    """
    return "".join("".join([c.raw for c in values]).split()) == "0" * n


def _once(test: Callable[[], bool]) -> Callable[[], bool]:
    """``test``, worked out at its first call only (``functools.cache`` costs more to set up than a
    table's rows ever ask).

    >>> calls = []
    >>> test = _once(lambda: calls.append(1) or True)
    >>> test(), test(), len(calls)
    (True, True, 1)
    """
    result: list[bool] = []

    def once() -> bool:
        if not result:
            result.append(test())
        return result[0]
    return once


_read_unresolved = attrgetter("unresolved")
_TOKEN = re.compile(r"\S+")


def _split_glued(table_id: str, row_key: str, row_label: str, columns: list[str], values: list[Cell],
                 places: tuple[tuple[str, str], ...] | None = None,
                 glued_table: Callable[[], bool] | None = None,
                 glued_rows: _Glued | None = None) -> tuple[list[CellRecord], str | None, bool] | None:
    """A row of bare digit runs read as its columns (glued.py), or None when it is not such a row. The run is
    evidently glued cells when it is one token of digits, or when the table glues its cells (``glued_table``).
    What the table is left to settle goes to ``glued_rows``."""
    tokens = [(m.group(), c.offset + m.start(), c.line) for c in values for m in _TOKEN.finditer(c.raw)]
    if not is_digit_run([t for t, _, _ in tokens]):
        return None
    # A row's own identities depend on its columns, not on which row it is: one cache entry a layout.
    split = split_run(tuple(t for t, _, _ in tokens), len(columns),
                      _row_identity(table_id, places) if places else _columns_identity(table_id, tuple(columns)),
                      len(tokens) == 1 or glued_table is not None and glued_table())
    if split.n_candidates == 0:  # too few or too many digits: missing cells, not glued ones
        return None
    # The run as printed: one cell's text, or the cells it was read from (" | " as in any row not aligned).
    run = values[0].raw if len(values) == 1 else " | ".join(c.raw for c in values)
    at, line = values[0].offset, values[0].line
    reason = f"{table_id} row {row_key!r}: {split.reason}" if split.reason else None
    records = [_record((table_id, row_key, col, value, run, kind, None, row_label, at, line,
                        None if value is not None else reason, by, candidates))
               for col, (value, kind, by, candidates) in zip(columns, split.cells)]
    if split.inconsistent and glued_rows is not None:
        glued_rows.conflicts.append(Conflict(table_id, row_key, None, split.identity, run, split.reason, at, line))
    if split.readings and glued_rows is not None:
        glued_rows.rows.append(GluedRow(places or tuple((row_key, col) for col in columns), split.readings,
                                        split.identity, run))
        return records, None, True  # its problem, if any is left, is the table's reading's
    return records, reason, True


@lru_cache(maxsize=256)  # one per table layout
def _columns_identity(table_id: str, columns: tuple[str, ...]) -> tuple[str, Callable] | None:
    """``_row_identity`` of a row of the table with these columns, whichever row it is."""
    return _row_identity(table_id, tuple(("", col) for col in columns))


@lru_cache(maxsize=256)  # one per table layout
def _row_identity(table_id: str, places: tuple[tuple[str, str], ...]) -> tuple[str, Callable] | None:
    """The identities a row of this table satisfies within itself, as (names, test over the row's values).

    >>> name, holds = _row_identity("t3", tuple(("granted", c) for c in L.T3_COLUMN_ORDER if c != "legal_person_subtotal"))
    >>> name, holds((1, 2, 0, 0, 0, 0, 3)), holds((1, 2, 0, 0, 0, 0, 4))
    ('I3', True, False)
    """
    found = row_identities(table_id, places)
    if not found:
        return None
    at = {place: k for k, place in enumerate(places)}
    return _identity_test(",".join(sorted({i.identity_id for i in found})),
                          tuple((tuple(at[c] for c in i.lhs), tuple(at[c] for c in i.rhs)) for i in found))


@lru_cache(maxsize=256)  # every row of a layout gets the same object, so that split_run's cache serves them all
def _identity_test(name: str, sides: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]) -> tuple[str, Callable]:
    # A side's values fetched in C: a run is tested against its identity once per split the digits allow.
    fetch = [(itemgetter(*lhs), len(lhs) > 1, itemgetter(*rhs), len(rhs) > 1) for lhs, rhs in sides]

    def holds(v: tuple[int, ...]) -> bool:
        return all((sum(lhs(v)) if several_left else lhs(v)) == (sum(rhs(v)) if several_right else rhs(v))
                   for lhs, several_left, rhs, several_right in fetch)
    return name, holds


def _trim_blank_edges(values: list[Cell], n: int, side: str | None = "leading") -> list[Cell]:
    """Drop extra blank cells from the end of the row where the table has them.

    Grid formats (markdown, HTML without spans) repeat merged label columns as empty cells between a
    row's label and its values (``side="leading"``); some tables have an empty column after 总计
    (``"trailing"``). A row blank at both ends is trimmed at the table's side; where the table does
    not tell (``side=None``), it is left as it is, too long, not shifted by a guess.
    """
    if len(values) <= n:
        return values
    values = list(values)
    first, last = values[0].parsed.kind == "blank", values[-1].parsed.kind == "blank"
    if first and last and side is None:
        return values
    order = ("trailing", "leading") if side == "trailing" or not first else ("leading", "trailing")
    for end in order:
        at = 0 if end == "leading" else -1
        while len(values) > n and values[at].parsed.kind == "blank":
            values.pop(at)
    return values


def blank_side(rows: list[list[Cell]], n: int) -> str | None:
    """The end of a row where a table puts its extra blank cells, told by the rows too long by blanks
    at one end only.

    >>> from ..text.cells import make_cell
    >>> row = lambda *t: [make_cell(x, x, 0, 1, 1) for x in t]
    >>> blank_side([row("1", "1", ""), row("", "2", "2", "")], 2), blank_side([row("", "2", "2", "")], 2)
    ('trailing', None)
    """
    votes = {"leading": 0, "trailing": 0}
    for values in rows:
        if len(values) > n:
            first, last = values[0].parsed.kind == "blank", values[-1].parsed.kind == "blank"
            if first != last:
                votes["leading" if first else "trailing"] += 1
    if votes["leading"] == votes["trailing"]:
        return None
    return max(votes, key=votes.get)


# --- table 3 -------------------------------------------------------------------------------------
class _T3Row(NamedTuple):
    key: str | None  # what its labels name
    by_label: bool  # the label is printed in the row's own line, not detached above it
    label: str
    values: list[Cell]


_t3_row = partial(tuple.__new__, _T3Row)
# Fields read in a loop over every cell of a table, in C.
_raw = itemgetter(Cell._fields.index("raw"))


def parse_t3(cells: list[Cell], laid_out: bool = False) -> TableResult:
    """Table 3: 26 rows (2019: 23) × 7 columns (8 with a 小计 column).

    ``laid_out``: the report's tables were placed from a page's layout (a PDF, a scan: ``Table.laid_out``),
    where a column can be cut or shifted; as in text with no rows, a table most of whose rows do not add up
    is then not read.
    """
    rows: list[_T3Row] = []
    header_text, columns = "", None
    group = None  # the group （三）–（六） the rows above opened
    strays: list[str] = []
    for run in runs(cells):
        labels = run.labels
        if columns is None:
            # Before the first label that names a row, labels are the header ("总计" is a column there).
            first = next((i for i, c in enumerate(labels)
                          if L.t3_row_key(c.label, None) not in (None, "total_processed")), len(labels))
            header_text += "".join([c.label for c in labels[:first]])
            if first == len(labels):
                continue
            columns, labels = _t3_columns(header_text), labels[first:]
            read = _read_labels(tuple([c.text for c in labels]), group, False)
        else:
            read = _read_labels(tuple([c.text for c in labels]), group, True)
        group = read.group
        if not run.values:
            continue
        if (not run.labels or run.detached) and len(run.values) == 1:
            strays.append(run.values[0].raw)  # a lone number on a line of its own: a page number
            continue
        row_key = read.key_if_detached if run.detached else read.key
        # A group's own label (（三）不予公开) beside numbers: a subtotal some reports print, not a row.
        if row_key is None and (all(c.parsed.kind == "blank" for c in run.values) or not run.detached
                                and read.names_group):
            continue
        rows.append(_t3_row((row_key, not run.detached and bool(run.labels),
                             "".join([labels[i].raw for i in read.own]), run.values)))
    if columns is None:
        return TableResult([], ["t3: table not found (no 本年新收… row)"], None)
    columns = _total_first(columns, header_text, rows)
    # What a row that does not align asks of its table, worked out once if asked.
    glued, blanks_vanish = _once(partial(glued_table, cells)), _once(
        partial(_blanks_vanish, [(row.values, len(columns)) for row in rows]))
    # A section's cells are all of one dialect (section_cells): rows all known, or all unknown.
    result = _t3_records(rows, columns, glued, blanks_vanish, check_sums=laid_out or cells[0].row is None)
    if strays:
        result.problems.append(f"t3: lone numbers between rows taken for page numbers: {', '.join(strays)}")
    return result


class _RunLabels(NamedTuple):
    own: tuple[int, ...]  # which of the run's labels are its own (not the header printed again)
    key: str | None  # the row they name, printed beside its numbers
    key_if_detached: str | None  # the row they name, printed on lines above numbers they may not belong to
    group: str | None  # the group （三）–（六） open after them
    names_group: bool  # the last label is a group's own (（三）不予公开)


@lru_cache(maxsize=8192)  # a run's labels and the group open before them recur in every report
def _read_labels(texts: tuple[str, ...], group: str | None, header_again: bool) -> _RunLabels:
    """What the labels of one run of table 3 say (``texts`` in simplified script), within the group
    the rows above opened. ``header_again``: the header may be printed again here (a page break, a
    table split in two); its words name no row, and its 总计 is a column, not （七）总计.

    >>> _read_labels(("（四）无法提供", "1.本机关不掌握相关政府信息"), "三", True)[1:4]
    ('unable_not_held', 'unable_not_held', '四')
    >>> _read_labels(("自然人", "总计", "1.本机关不掌握相关政府信息"), "四", True).own
    (2,)
    """
    labels = [norm_label(t) for t in texts]
    own = range(len(texts))
    if header_again and len(labels) >= 2 and sum(label in L.T3_HEADER_WORDS for label in labels) >= 2:
        own = [i for i in own if labels[i] not in L.T3_HEADER_WORDS]
    keys, groups = [], []  # groups: the group open before each own label
    for i in own:
        key = L.t3_row_key(labels[i], group)
        groups.append(group)
        group = L.t3_group(labels[i], key, group)
        keys.append(key)
    # A label group may end in a note such as （区分处理的…）: the last label that names a row wins.
    # Labels detached from their numbers name a row only if they name one row only.
    named = [k for k in keys if k]
    key = named[-1] if named else None
    start = _row_label_start([texts[i] for i in own], groups)
    if start is not None:
        # The row's label begins at its last number (1. （二） 四、): words before it are the tail of
        # the label above, wrapped onto this row's lines, and name no row of this one.
        key = L.t3_row_key(norm_label(start[0]), start[1])
    last = labels[own[-1]] if own else ""
    return _RunLabels(tuple(own), key, named[-1] if named and len(set(named)) == 1 else None, group,
                      any(g in last for g in L.T3_GROUPS))


def glued_table(cells: list[Cell]) -> bool:
    """Whether a table glues its cells: a number printed with a leading zero ("0000000", "00") is
    several cells run together.

    >>> from ..text.cells import make_cell
    >>> glued_table([make_cell("230 000023", "230 000023", 0, 1, None)]), glued_table([make_cell("23", "23", 0, 1, None)])
    (True, False)
    """
    # One search over the values joined by a line break, which no match crosses.
    return _LEADING_ZERO.search("\n".join([c.raw for c in cells if c.is_value])) is not None


_LEADING_ZERO = re.compile(r"(?<![\d.])0\d")


_GROUP_PREFIX = re.compile(r"[（(]([三四五六])[）)]")


def _row_label_start(labels: list[str], groups: list[str | None]) -> tuple[str, str | None] | None:
    """The row's own label, from the last number that begins one (四、 （二） 3.), with the group open
    there; None when no label is numbered.

    >>> _row_label_start(["理 开 法规禁止公开", "结 3.危及“三安全"], ["三", "三"])
    ('3.危及“三安全', '三')
    >>> _row_label_start(["1.本机关不掌握相关政府信息", "（四）无法提供"], ["三", "四"])
    ('（四）无法提供', '四')
    >>> _row_label_start(["（四）无法提供1.本机关不"], ["三"])
    ('1.本机关不', '四')
    """
    for k in range(len(labels) - 1, -1, -1):
        found = list(ROW_ENUMERATOR.finditer(labels[k]))
        if found:
            at = found[-1].start()
            prefix = _GROUP_PREFIX.findall(labels[k], 0, at)
            return labels[k][at:] + "".join(labels[k + 1:]), prefix[-1] if prefix else groups[k]
    return None


def _blanks_vanish(rows: list[tuple[list[Cell], int]]) -> bool:
    """Whether a table's blank cells print nothing where cells run together: a row of bare digits too
    few for its columns (``rows``: each row's values and how many columns it has). Then no run can be
    cut with certainty: a cut the row's sum confirms may still put a number in a blank cell's place
    ("18221822": 1822 … 1822, or 1,8,2,2,1,8,22), and a run with a digit a cell may be fewer cells.

    >>> from ..text.cells import make_cell
    >>> row = lambda *t: [make_cell(x, x, 0, 1, None) for x in t]
    >>> _blanks_vanish([(row("7000007"), 7), (row("55"), 7)]), _blanks_vanish([(row("7000007"), 7)])
    (True, False)
    """
    for values, n in rows:
        if not values or values[0].row is not None:
            continue  # a table with rows keeps its blank cells: only text with none loses them
        if len(values) >= n and all(map(_raw, values)):
            continue  # n cells or more, each printing a character at least: not too few digits
        digits = "".join(" ".join([c.raw for c in values]).split())  # the row's tokens, run together
        if digits.isdigit() and len(digits) < n:
            return True
    return False


def _t3_records(rows: list[_T3Row], columns: list[str], glued: Callable[[], bool],
                blanks_vanish: Callable[[], bool], check_sums: bool = False) -> TableResult:
    side = blank_side([r.values for r in rows], len(columns))
    by_row: list[tuple] = []  # each row kept, as _emit returns it (a row printed twice is kept once)
    glued_rows = _Glued([], [])
    kept: list[_T3Row] = []
    problems: list[str] = []
    seen: set[str] = set()
    unrecognised = 0
    for row, (row_key, placed_by) in zip(rows, _t3_placement(rows)):
        if row_key is None:
            unrecognised += 1
            row_key = f"unrecognised_{unrecognised}"
            shown = row.label or " ".join(c.raw for c in row.values)
            problems.append(f"t3: row {shown!r} not recognised; its values are kept as {row_key}")
        if row_key in seen:
            problems.append(f"t3: row {row_key!r} appears twice; the first is kept")
            continue
        seen.add(row_key)
        emitted, problem, cut = _emit("t3", row_key, row.label, columns, row.values, glued_table=glued,
                                      blanks_at=side, uncuttable=blanks_vanish, glued_rows=glued_rows)
        if placed_by:
            emitted = [r._replace(resolved_by=placed_by) if r.resolved_by is None else r for r in emitted]
        by_row.append((emitted, cut))
        kept.append(row)
        if problem:
            problems.append(problem)
    records = [r for emitted, _ in by_row for r in emitted]
    unsummed = _rows_not_adding_up([emitted for emitted, _ in by_row], columns) if check_sums else None
    if unsummed:
        # Most rows' 总计 not the sum of their parts: a column cut off or shifted in the reading (a
        # table wider than the page, a wrapped number), far likelier than a report wrong in every row.
        reason = (f"t3 not read: {unsummed[0]} of {unsummed[1]} rows do not add up to their 总计; its columns "
                  "were probably misread")
        return TableResult(_not_read(records, reason), [reason], None)
    # Only text with no rows is judged by how its rows line up.
    misaligned = sum(len(row.values) != len(columns)
                     and len(_trim_blank_edges(row.values, len(columns), side)) != len(columns)
                     and not cut
                     for row, (_, cut) in zip(kept, by_row)) if rows and rows[0].values[0].row is None else 0
    if misaligned > max(2, len(rows) // 4):
        # Text with no rows (PDF converted to text) whose numbers do not line up with the labels: a
        # converter that wrote the table column by column. A row that happens to get as many numbers
        # as columns is no more to be trusted than the others.
        reason = (f"t3 not read: its numbers do not line up with its labels ({misaligned} of {len(rows)} rows "
                  "have another number of cells than columns)")
        return TableResult(_not_read(records, reason), [reason], None)
    template = "2021" if seen & set(L.T3_ONLY_2021) else ("2019" if "other_handling" in seen else None)
    missing = [k for k in _t3_sequence(template == "2021") if k not in seen]
    if missing:
        problems.append(f"t3: rows not found: {', '.join(missing)}")
    records, conflicts = _settle("t3", records, columns, glued_rows, problems, whole=not missing and not unrecognised)
    return TableResult(records, problems, template, conflicts)


def _not_read(records: list[CellRecord], reason: str) -> list[CellRecord]:
    """The table's records with no value: it was not read."""
    return [r._replace(value=None, value_kind="text", unresolved=reason, resolved_by=None, candidates=None)
            for r in records]


def _settle(table_id: str, records: list[CellRecord], columns: list[str], glued: _Glued, problems: list[str],
            whole: bool) -> tuple[list[CellRecord], list[Conflict]]:
    """What the table's arithmetic settles (arithmetic.py): its glued rows read together, its blank cells
    derived; the glued rows still not read go to ``problems``. ``records``: the table's rows, each in the order
    of ``columns``. ``whole``: every row of the template is there and recognised, so that the column identities
    can be used."""
    if not glued.rows and not has_blanks(records):
        return records, glued.conflicts
    layout = grid(table_id, tuple([records[k].row_key for k in range(0, len(records), len(columns))]), tuple(columns))
    conflicts = glued.conflicts
    if glued.rows:
        records, found = read_jointly(table_id, records, layout, glued.rows, whole)
        conflicts = conflicts + found
        unread = {(r.row_key, r.col_key): r.unresolved for r in records if r.unresolved}
        for row in glued.rows:
            reason = next((unread[c] for c in row.cells if c in unread), None)
            if reason:
                problems.append(reason)
    return derive(records, layout, whole), conflicts


# The identity along a table-3 row that adds its applicant columns up to its 总计 (I3).
_ROW_SUM = next(i for i in L.IDENTITIES if i.table_id == "t3" and i.axis == "row" and i.lhs == ("total",))


def _rows_not_adding_up(rows: list[list[CellRecord]], columns: list[str]) -> tuple[int, int] | None:
    """(failing, checked) when more than half of the rows checked, at least two, have a 总计 other than
    the sum of their applicant columns (``_ROW_SUM``); None otherwise. ``rows``: each row's records, one per
    column in ``columns`` order. A row is checked when its 总计 and one part at least are numbers and no part
    is unread; blanks and dashes count as 0 here."""
    (total_key,), part_keys = _ROW_SUM.lhs, _ROW_SUM.rhs
    if total_key not in columns or not set(part_keys) <= set(columns):
        return None
    total_at, parts_at = columns.index(total_key), [columns.index(c) for c in part_keys]
    checked = failing = 0
    for cells in rows:
        total = cells[total_at].value
        if total is None:
            continue
        parts, any_part = 0.0, False
        for i in parts_at:
            if cells[i].unresolved:
                break
            if value := cells[i].value:
                parts += value
                any_part = True
        else:
            if any_part:
                checked += 1
                failing += total != parts
    return (failing, checked) if checked >= 2 and 2 * failing > checked else None


@lru_cache(maxsize=2)
def _t3_sequence(other_in_three_rows: bool) -> list[str]:
    """The template's table-3 rows in print order: （六） as three rows (2021) or one (2019, and
    some 2021 reports)."""
    drop = ("other_handling",) if other_in_three_rows else L.T3_ONLY_2021
    return [r for r in L.T3_ROW_ORDER if r not in drop]


def _t3_placement(rows: list[_T3Row]) -> list[tuple[str | None, str | None]]:
    """Each value row's key, and ``template_order`` where the row's own label did not say it.

    When there are exactly as many value rows as the template has rows and every row whose own
    label names it sits at its place in the template's order, the rows without a usable label
    (orphan number rows, labels detached or garbled by a PDF conversion) are placed by that
    order. Otherwise only labels place rows; detached labels that cannot be checked that way
    are not trusted.
    """
    by_label = [r.key if r.by_label else None for r in rows]
    for sequence in (_t3_sequence(True), _t3_sequence(False)):
        if (len(sequence) == len(rows) and 2 * (len(rows) - by_label.count(None)) >= len(rows)
                and all(k is None or k == s for k, s in zip(by_label, sequence))):
            return [(s, None if k == s else "template_order") for k, s in zip(by_label, sequence)]
    return [(r.key if r.by_label or r.key is None else None, None) for r in rows]


def _total_first(columns: list[str], header: str, rows: list[_T3Row]) -> list[str]:
    """Columns with 总计 first where the header prints it first (the template's two-line header
    never does) and the rows' sums agree: more rows have their first number equal to the sum of the
    others than their last.

    >>> from ..text.cells import make_cell
    >>> row = lambda *v: _T3Row("x", True, "", [make_cell(str(n), str(n), 0, 1, 1) for n in v])
    >>> cols = [c for c in L.T3_COLUMN_ORDER if c != "legal_person_subtotal"]
    >>> _total_first(cols, "总计自然人商业企业", [row(12, 10, 2, 0, 0, 0, 0)] * 3)[:2]
    ['total', 'natural_person']
    """
    if not (0 <= header.find("总计") < header.find("自然人")) or "legal_person_subtotal" in columns:
        return columns
    full = [[c.parsed.value for c in r.values] for r in rows if len(r.values) == len(columns)]
    full = [v for v in full if None not in v and any(v)]
    last = sum(v[-1] == sum(v[:-1]) for v in full)
    first = sum(v[0] == sum(v[1:]) for v in full)
    if first > last:
        return ["total", *(c for c in columns if c != "total")]
    return columns


def _t3_columns(header: str) -> list[str]:
    columns = [c for c in L.T3_COLUMN_ORDER if c != "legal_person_subtotal"]
    if "小计" in header:
        columns.insert(columns.index("other_org") + 1, "legal_person_subtotal")
        if header.index("小计") < header.find("商业"):
            columns.remove("legal_person_subtotal")
            columns.insert(1, "legal_person_subtotal")
    return columns


# --- table 2 -------------------------------------------------------------------------------------
def parse_t2(cells: list[Cell]) -> TableResult:
    """Table 2: five (2019) or four (2021) sub-tables, columns read from each sub-table's header."""
    placed: list[tuple] = []  # (row key, row label, columns, money units, values) of each row placed
    problems: list[str] = []
    columns: list[str] = []
    money: dict[str, str] = {}
    votes: dict[str, int] = {}
    seen = set()
    glued = _once(partial(glued_table, cells))
    for run in runs(cells):
        # A header's words may wrap or split across cells ("本年新 / 制作数量"): read them joined.
        header_text = "".join(run.label_texts)
        if header := L.t2_columns(header_text):
            columns = header
            money = {col: _money_unit(col, header_text) for col in header if col in L.T2_MONEY_COLUMNS}
            for col in columns:
                if col in L.T2_TEMPLATE_COLUMNS:
                    votes[L.T2_TEMPLATE_COLUMNS[col]] = votes.get(L.T2_TEMPLATE_COLUMNS[col], 0) + 1
        row_cell = next((c for c in reversed(run.labels) if L.t2_row(c.label)), None)
        row_key = L.t2_row(row_cell.label) if row_cell else None
        if not run.values or (row_key is None and all(c.parsed.kind == "blank" for c in run.values)):
            continue
        row_label = row_cell.raw if row_cell else "".join(c.raw for c in run.labels)
        if row_key is None or not columns:
            problems.append(f"t2: values after {row_label!r} could not be placed (unknown row or no header)")
            continue
        if len(set(columns)) < len(columns):
            problems.append(f"t2: the header above {row_label!r} repeats a column ({', '.join(columns)}); "
                            "its values are not placed")
            continue
        if row_key in seen:
            problems.append(f"t2: row {row_key!r} appears twice; the first is kept")
            continue
        seen.add(row_key)
        placed.append((row_key, row_label, columns, money, run.values))
    # A row is cut from a glued run only where no row of the table shows that its blank cells print nothing.
    uncuttable = _once(lambda: _blanks_vanish([(values, len(columns)) for _, _, columns, _, values in placed]))
    rows = [_emit("t2", row_key, row_label, columns, values, money, glued_table=glued, uncuttable=uncuttable)
            for row_key, row_label, columns, money, values in placed]
    records = [r for emitted, _, _ in rows for r in emitted]
    problems += [problem for _, problem, _ in rows if problem]
    if not records and not seen:
        return TableResult([], ["t2: table not found"], None)
    template = max(votes, key=votes.get) if votes else None
    return TableResult(records, problems, template)


def _money_unit(col: str, header_label: str) -> str:
    """The unit a money column's header states, else the one its template states (万元 for 2021's
    本年收费金额; 2019's 采购总金额 states none)."""
    for unit in ("亿元", "万元", "元"):
        if unit in header_label:
            return unit
    return L.T2_MONEY_COLUMNS[col]


# --- table 4 -------------------------------------------------------------------------------------
def parse_t4(cells: list[Cell]) -> TableResult:
    """Table 4: one data row of 15 numbers (possibly printed as three rows of five, each led by its
    block's name, or led by a word such as 件数)."""
    if not cells:
        return TableResult([], ["t4: table not found"], None)
    problems: list[str] = []
    if _transposed(cells):
        reason = "t4 printed with its results as rows (维持, 纠正…) and its blocks as columns: not read"
        return TableResult([_record(("t4", r, c, None, "", "text", None, label, -1, -1, reason, None, None))
                            for r, c, label in _T4_PLACES], [reason], None)
    if any(c.row is not None for c in cells):
        values = _t4_data_rows(cells)
    else:
        values, strays = _without_lone_numbers([c for c in cells if c.is_value])
        if strays:
            problems.append(f"t4: lone numbers taken for page numbers: {', '.join(strays)}")
    if not values or all(c.parsed.kind == "blank" for c in values):
        return TableResult([], ["t4: no values found", *problems], None)
    glued_rows = _Glued([], [])
    emitted, problem, _ = _emit("t4", "all", "", _T4_COLUMNS, values, glued_table=_once(partial(glued_table, values)),
                                places=_T4_CELLS, glued_rows=glued_rows)
    # The fifteen cells as stored: each its block's row and its column (one tuple each, built in C).
    records = [_record((table_id, row_key, col_key, value, raw, kind, unit, label, offset, line, unresolved,
                        resolved_by, candidates))
               for (table_id, _, _, value, raw, kind, unit, _, offset, line, unresolved, resolved_by, candidates),
               (row_key, col_key, label) in zip(emitted, _T4_PLACES)]
    if problem:
        problems.insert(0, problem)
    records, conflicts = _settle("t4", records, L.T4_COLUMNS, glued_rows, problems, whole=True)
    return TableResult(records, problems, None, conflicts)


def _t4_data_rows(cells: list[Cell]) -> list[Cell]:
    """The value cells of table 4's data rows, in print order. A data row holds a number; header
    rows hold only labels and the blanks of merged cells. Rows led by their block's name (行政复议,
    未经复议直接起诉, 复议后起诉) are put in the template's block order."""
    by_row: dict[int, list[Cell]] = {}
    for c in cells:
        by_row.setdefault(c.row, []).append(c)
    # A row led by a label is a data row only with a block's five numbers or all fifteen (not, say, a row
    # of table 3 that strayed into this section).
    data = [row for row in by_row.values() if any(c.is_value and c.parsed.kind != "blank" for c in row)
            and (all(c.is_value for c in row) or sum(c.is_value for c in row) in (5, 15))]
    blocks = [L.t4_block("".join(c.label for c in row if not c.is_value)) for row in data]
    if len(data) == len(L.T4_ROWS) and sorted(b for b in blocks if b) == sorted(L.T4_ROWS):
        data = [row for _, row in sorted(zip(blocks, data), key=lambda bd: L.T4_ROWS.index(bd[0]))]
    return [c for row in data for c in row if c.is_value]


def _transposed(cells: list[Cell]) -> bool:
    """Whether table 4's rows (or lines) are led by results (结果维持, 结果纠正…) rather than blocks: three
    or more of those holding numbers begin with a result."""
    leads: dict[int, str] = {}  # row → its first label (simplified)
    numbers: set[int] = set()
    for c in cells:
        row = c.row if c.row is not None else -c.line  # text with no rows: a line is a row
        if c.is_value:
            if c.parsed.kind == "number":
                numbers.add(row)
        elif row not in leads:
            leads[row] = c.text
    return sum(any(r in norm_label(lead) for r in L.T4_RESULT_WORDS)
               for row, lead in leads.items() if row in numbers) >= 3


def _without_lone_numbers(values: list[Cell]) -> tuple[list[Cell], list[str]]:
    """Values of text with no rows, without lines holding a lone number among lines of several: a
    page number printed under the table."""
    per_line: dict[int, int] = {}
    for c in values:
        per_line[c.line] = per_line.get(c.line, 0) + 1
    if max(per_line.values(), default=0) < 2:
        return values, []  # a number a line: the table itself is printed so
    kept = [c for c in values if per_line[c.line] > 1]
    return kept, [c.raw for c in values if per_line[c.line] == 1]


# The one data row's 15 cells, as read ("review.upheld") and as stored (row, column, row label);
# table 4 prints its row names only in its header.
_T4_PLACES = [(r, c, L.T4_ROW_LABELS[r]) for r in L.T4_ROWS for c in L.T4_COLUMNS]
_T4_COLUMNS = [f"{r}.{c}" for r, c, _ in _T4_PLACES]
_T4_CELLS = tuple((r, c) for r, c, _ in _T4_PLACES)
