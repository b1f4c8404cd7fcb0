"""Cells of a section → canonical table cells (tables 2, 3 and 4).

Each parser returns the records it could place and a list of *problems*: reasons the report is
only ``partial``. A row whose values cannot be aligned to its columns is emitted with
``value=None`` and an ``unresolved`` reason for every column — never with a guessed number.
"""
from __future__ import annotations

from functools import partial
from typing import NamedTuple

from . import labels as L
from .cells import Cell, runs
from .values import parse_value


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


# Builds a CellRecord from a tuple without the Python-level __new__: a report has hundreds of cells.
_record = partial(tuple.__new__, CellRecord)


class TableResult(NamedTuple):
    records: list[CellRecord]
    problems: list[str]
    template: str | None  # the template this table's layout says, if it says


def _emit(table_id: str, row_key: str, row_label: str, columns: list[str], values: list[Cell],
          money: dict[str, str] | None = None) -> tuple[list[CellRecord], str | None]:
    """Align a run of values to its columns; unresolved rows keep their text, not a guess."""
    values = _trim_blank_edges(values, len(columns))
    if len(values) != len(columns):
        where = values[0] if values else None
        joined = " | ".join(c.raw for c in values)
        reason = f"{table_id} row {row_key!r}: {len(values)} value cell(s) for {len(columns)} columns: {joined!r}"
        return [CellRecord(table_id, row_key, col, None, joined, "text", None, row_label,
                           where.offset if where else -1, where.line if where else -1, reason)
                for col in columns], reason
    # A count reads as the cell already did; money needs its column's unit (萬元 reads as 万元).
    read = [c.parsed if money.get(col) is None else parse_value(c.text, money_unit=money[col])
            for col, c in zip(columns, values)] if money else [c.parsed for c in values]
    out = [_record((table_id, row_key, col, v.value, c.raw, v.kind, v.unit, row_label, c.offset, c.line, v.unresolved))
           for col, c, v in zip(columns, values, read)]
    problem = next((f"{table_id} {row_key}/{col}: {v.unresolved}"
                    for col, v in zip(reversed(columns), reversed(read)) if v.unresolved), None)
    return out, problem


def _trim_blank_edges(values: list[Cell], n: int) -> list[Cell]:
    """Drop extra blank cells: first those before the values, then after.

    Grid formats (markdown, HTML without spans) repeat merged label columns as empty cells
    between a row's label and its values, so leading blanks are placeholders; trailing ones only
    go when no leading blank is left to drop.
    """
    if len(values) <= n:
        return values
    values = list(values)
    while len(values) > n and values[0].parsed.kind == "blank":
        values.pop(0)
    while len(values) > n and values[-1].parsed.kind == "blank":
        values.pop()
    return values


# --- table 3 -------------------------------------------------------------------------------------
def parse_t3(cells: list[Cell]) -> TableResult:
    """Table 3: 26 rows (2019: 23) × 7 columns (8 with a 小计 column)."""
    records: list[CellRecord] = []
    problems: list[str] = []
    header_text, columns, seen = "", None, set()
    in_other_group, unrecognised, template = False, 0, None
    for run in runs(cells):
        keys, own_labels = [], []
        for cell in run.labels:
            label = cell.label
            key = L.t3_row_key(label, in_other_group)
            if columns is None and key in (None, "total_processed"):
                header_text += label  # before the first data row, "总计" is a column header
                continue
            own_labels.append(cell.raw)
            if columns is None:
                columns = _t3_columns(header_text)
            if "其他处理" in label or label.startswith("(六)"):
                in_other_group = True
            elif label.startswith("(七)") or key == "total_processed":
                in_other_group = False
            keys.append(key)
        # A label group may end in a note such as （区分处理的…）: the last label that names a row wins.
        row_key = next((k for k in reversed(keys) if k), None)
        if columns is None or not run.values:
            continue
        if row_key is None and all(c.parsed.kind == "blank" for c in run.values):
            continue
        row_label = "".join(own_labels)
        if row_key is None:
            if any(g in run.labels[-1].label for g in L.T3_GROUPS):
                continue
            unrecognised += 1
            row_key = f"unrecognised_{unrecognised}"
            problems.append(f"t3: row label {row_label!r} not recognised; its values are kept as {row_key}")
        if row_key in seen:
            problems.append(f"t3: row {row_key!r} appears twice; the first is kept")
            continue
        seen.add(row_key)
        if row_key.startswith("other_") and row_key != "other_handling":
            template = "2021"
        elif row_key == "other_handling":
            template = "2019"
        rows, problem = _emit("t3", row_key, row_label, columns, run.values)
        records.extend(rows)
        if problem:
            problems.append(problem)
    if columns is None:
        return TableResult([], ["t3: table not found (no 本年新收… row)"], None)
    expected = _t3_expected_rows(template)
    missing = [k for k in expected if k not in seen]
    if missing:
        problems.append(f"t3: rows not found: {', '.join(missing)}")
    return TableResult(records, problems, template)


def _t3_columns(header: str) -> list[str]:
    columns = [c for c in L.T3_COLUMN_ORDER if c != "legal_person_subtotal"]
    if "小计" in header:
        columns.insert(columns.index("other_org") + 1, "legal_person_subtotal")
        if header.index("小计") < header.find("商业"):
            columns.remove("legal_person_subtotal")
            columns.insert(1, "legal_person_subtotal")
    return columns


def _t3_expected_rows(template: str | None) -> list[str]:
    only_2021 = ("other_overdue_correction", "other_overdue_fee", "other_misc")
    if template == "2021":
        return [r for r in L.T3_ROW_ORDER if r != "other_handling"]
    return [r for r in L.T3_ROW_ORDER if r not in only_2021]


# --- table 2 -------------------------------------------------------------------------------------
def parse_t2(cells: list[Cell]) -> TableResult:
    """Table 2: five (2019) or four (2021) sub-tables, columns read from each sub-table's header."""
    records: list[CellRecord] = []
    problems: list[str] = []
    columns: list[str] = []
    money: dict[str, str] = {}
    votes: dict[str, int] = {}
    seen = set()
    for run in runs(cells):
        header = [(L.t2_column(label), label) for label in run.label_texts]
        if any(col for col, _ in header):
            columns = [col for col, _ in header if col]
            money = {col: _money_unit(col, label) for col, label in header if col in L.T2_MONEY_COLUMNS}
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
        rows, problem = _emit("t2", row_key, row_label, columns, run.values, money)
        records.extend(rows)
        if problem:
            problems.append(problem)
    if not records and not seen:
        return TableResult([], ["t2: table not found"], None)
    template = max(votes, key=votes.get) if votes else None
    return TableResult(records, problems, template)


def _money_unit(col: str, header_label: str) -> str:
    for unit in ("亿元", "万元", "元"):
        if unit in header_label:
            return unit
    # The 2021 template states 本年收费金额 in 万元; 2019's 采购总金额 states no unit.
    return "万元" if col == "fee_amount" else ""


# --- table 4 -------------------------------------------------------------------------------------
def parse_t4(cells: list[Cell]) -> TableResult:
    """Table 4: one data row of 15 numbers (possibly printed as three rows of five)."""
    if not cells:
        return TableResult([], ["t4: table not found"], None)
    if any(c.row is not None for c in cells):
        # Header rows hold labels (and placeholder blanks of merged cells); data rows hold none.
        label_rows = {c.row for c in cells if not c.is_value}
        values = [c for c in cells if c.row not in label_rows]
    else:
        values = [c for c in cells if c.is_value]
    if not values or all(c.parsed.kind == "blank" for c in values):
        return TableResult([], ["t4: no values found"], None)
    rows, problem = _emit("t4", "all", "", _T4_COLUMNS, values)
    records = [_record((table_id, row_key, col_key, value, raw, kind, unit, label, offset, line, unresolved))
               for (table_id, _, _, value, raw, kind, unit, _, offset, line, unresolved), (row_key, col_key, label)
               in zip(rows, _T4_PLACES)]
    return TableResult(records, [problem] if problem else [], None)


# Table 4 prints its row names only in its header.
T4_ROW_LABELS = {"review": "行政复议", "litigation_direct": "行政诉讼·未经复议直接起诉",
                 "litigation_after_review": "行政诉讼·复议后起诉"}
# The one data row's 15 cells, as read ("review.upheld") and as stored (row, column, row label).
_T4_PLACES = [(r, c, T4_ROW_LABELS[r]) for r in L.T4_ROWS for c in L.T4_COLUMNS]
_T4_COLUMNS = [f"{r}.{c}" for r, c, _ in _T4_PLACES]
