"""What a table's own arithmetic settles, once its cells are read (tables.py): glued rows read together,
and blank cells the printed ones determine. Both follow the accounting identities (identities.py), and
every value they settle names the identities used (``resolved_by``): such a value never counts as
evidence that those identities hold.

* **Glued rows read as a table.** A glued row whose own identity left several readings (glued.py) is read
  with the rest of the table: the column identities (I1, I2) over its cells and the cells already read
  hold for some combinations of the rows' readings only. A cell equal in every combination kept is read;
  the others stay unresolved, with the values still possible (``candidates``). No combination kept means
  the table cannot add up under any reading of its digits: the report's own error (a ``Conflict``). The
  search is bounded: past ``MAX_COMBINATIONS`` the cells stay unresolved, saying so.
* **Blank cells derived.** A blank 总计 whose parts are read, one of them a number at least, is their sum
  (blank parts as 0); blank terms on one side of an identity whose numbers already balance are 0 (no count
  is negative). ``value_kind = 'derived'``. A blank the identity would make non-zero is left blank: that
  is for the checks to say (identity.blank_terms), not to paper over.

Column identities are used only where the table's rows are all there and all recognised (``whole``):
a row missing or unrecognised is a term missing from every column's sums.
"""
from __future__ import annotations

from collections.abc import Sequence
from itertools import product
from operator import itemgetter
from typing import NamedTuple

from ..text.glued import agreed, shown
from .identities import Cell, Grid, Instance

# Combinations of glued rows' readings tried at most for one group of rows bound by the same identities:
# real tables leave two or three rows with two readings each.
MAX_COMBINATIONS = 10_000
_BLANK = ("blank", "dash")
_BLANK_KINDS = frozenset(_BLANK)
_kind = itemgetter(5)  # a record's value_kind (tables.CellRecord), fetched in C: every table is asked


class GluedRow(NamedTuple):
    """A row cut from a glued run whose own identity left several readings."""

    cells: tuple[Cell, ...]  # the cells it is cut into, in order
    readings: tuple[tuple[int, ...], ...]
    identity: str  # the row's own identity (identities, comma-separated) that left these readings
    run: str  # the run as printed


class Conflict(NamedTuple):
    """Identities that no reading of a table's glued digits satisfies: the report's own error."""

    table_id: str
    row_key: str | None  # the glued row, where one row alone cannot add up
    col_key: str | None
    identities: str  # comma-separated, sorted
    raw_text: str  # the glued runs as printed
    message: str
    char_offset: int
    line_no: int


def read_jointly(table_id: str, records: list, grid: Grid, glued: Sequence[GluedRow],
                 whole: bool) -> tuple[list, list[Conflict]]:
    """``records`` (tables.CellRecord, laid out as ``grid``) with the cells of ``glued`` rows settled by the
    table's identities where that is certain, and the conflicts found. Rows' readings are combined only within
    groups bound by a shared identity instance."""
    if not glued:
        return records, []
    at, over = grid.at, grid.over
    varying = {cell: (g, k) for g, row in enumerate(glued) for k, (cell, v) in
               enumerate(zip(row.cells, agreed(row.readings))) if v is None}
    near = dict.fromkeys(i for c in varying for i in over.get(c, ()))  # the instances over a cell still open
    values = [r.value for r in records]
    known = {c: value for inst in near for c in inst.cells if (value := values[at[c]]) is not None and c not in varying}
    # A sum along a row within one glued row (its own) already chose its readings: the others bind rows together.
    owner = {cell: g for g, row in enumerate(glued) for cell in row.cells}
    usable = [inst for inst in near
              if (inst.axis == "col" and whole or inst.axis == "row" and len({owner.get(c) for c in inst.cells}) > 1)
              and all(c in varying or c in known for c in inst.cells)]
    records, conflicts = list(records), []
    for group, bound in _groups(len(glued), usable, varying):
        rows = [glued[g] for g in group]
        used = sorted({i.identity_id for i in bound} | {x for row in rows for x in row.identity.split(",")})
        kept = _combinations(rows, [_sum(inst, known, varying, group) for inst in bound])
        runs = "; ".join(f"{row.cells[0][0]}: {row.run}" for row in rows) if not kept else ""
        if kept is None:
            _unresolved(records, at, rows, f"{table_id} glued rows {runs}: more than {MAX_COMBINATIONS} combinations "
                                           "of their readings; not read")
            continue
        first = records[at[rows[0].cells[0]]]
        if not kept:
            failing = sorted({f"{i.identity_id} ({i.unit})" for i in bound})
            conflicts.append(Conflict(
                table_id, None, None, ",".join(used), " | ".join(row.run for row in rows),
                f"no reading of the glued rows {runs} makes {', '.join(failing)} hold (readings: "
                f"{'; '.join(shown(row.readings, 2) for row in rows)}): the table cannot add up however its "
                "digits are read", first.char_offset, first.line_no))
            continue
        chosen_by = ",".join(used)
        for k, row in enumerate(rows):
            readings = tuple(dict.fromkeys(combo[k] for combo in kept))
            settled = agreed(readings)
            for cell, value, options in zip(row.cells, settled, zip(*readings)):
                if cell not in varying:
                    continue
                i = at[cell]
                if value is not None:
                    records[i] = records[i]._replace(value=float(value), value_kind="split", unresolved=None,
                                                     resolved_by=chosen_by, candidates=None)
                else:
                    records[i] = records[i]._replace(
                        unresolved=f"{table_id} row {cell[0]!r}: glued digits {row.run}: {len(readings)} readings "
                                   f"still fit {', '.join(used)} ({shown(readings)})",
                        candidates=_candidates(options))
    return records, conflicts


def _sum(inst: Instance, known: dict[Cell, float], varying: dict[Cell, tuple[int, int]], group: list[int]) -> tuple:
    """One identity instance over a group of glued rows: the balance of its known terms, and its terms still
    open as (row's place in the group, cell's place in the row, sign)."""
    where = {g: k for k, g in enumerate(group)}
    balance = sum(known.get(c, 0) for c in inst.lhs) - sum(known.get(c, 0) for c in inst.rhs)
    return balance, tuple((where[varying[c][0]], varying[c][1], sign) for side, sign in ((inst.lhs, 1), (inst.rhs, -1))
                          for c in side if c in varying)


def _holds(one_sum: tuple, combo: Sequence[tuple[int, ...] | None]) -> bool:
    balance, terms = one_sum
    return balance + sum(sign * combo[g][k] for g, k, sign in terms) == 0


def _holds_alone(sums: list[tuple], k: int, reading: tuple[int, ...], n: int) -> bool:
    """Whether the sums over row ``k`` alone hold with this reading of it."""
    probe: list = [None] * n
    probe[k] = reading
    return all(_holds(s, probe) for s in sums)


def _combinations(rows: list[GluedRow], sums: list[tuple]) -> list[tuple] | None:
    """The combinations of the rows' readings (one per row) for which every sum holds; None past
    MAX_COMBINATIONS. A sum over one row's cells only filters that row's readings first: where it has one
    open term (a column's sum with one glued cell), as the one value that cell can take."""
    options = []
    for k, row in enumerate(rows):
        own = [s for s in sums if {g for g, _, _ in s[1]} == {k}]
        fixed = [(terms[0][1], -balance * terms[0][2]) for balance, terms in own if len(terms) == 1]
        other = [s for s in own if len(s[1]) > 1]
        kept = [r for r in row.readings if all(r[at] == value for at, value in fixed)]
        if other:
            kept = [r for r in kept if _holds_alone(other, k, r, len(rows))]
        options.append(kept)
    shared = [s for s in sums if len({g for g, _, _ in s[1]}) > 1]
    total = 1
    for kept in options:
        total *= len(kept)
    if total > MAX_COMBINATIONS:
        return None
    return [combo for combo in product(*options) if all(_holds(s, combo) for s in shared)]


def _groups(n: int, bound: list[Instance], varying: dict[Cell, tuple[int, int]]) -> list[tuple[list[int], list[Instance]]]:
    """The glued rows (by index) in groups joined by instances they share, each with its instances; a row
    no usable instance binds is in no group."""
    parent = list(range(n))

    def root(g: int) -> int:
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    for inst in bound:
        rows = [varying[c][0] for c in inst.cells if c in varying]
        for g in rows[1:]:
            parent[root(g)] = root(rows[0])
    out: dict[int, tuple[list[int], list[Instance]]] = {}
    for inst in bound:
        g = root(next(varying[c][0] for c in inst.cells if c in varying))
        out.setdefault(g, ([], []))[1].append(inst)
    for g in range(n):
        if root(g) in out:
            out[root(g)][0].append(g)
    return [(rows, insts) for rows, insts in out.values()]


def _unresolved(records: list, at: dict[Cell, int], rows: list[GluedRow], why: str) -> None:
    for row in rows:
        for cell in row.cells:
            i = at[cell]
            if records[i].value is None:
                records[i] = records[i]._replace(unresolved=why)


def _candidates(values: Sequence[int]) -> str:
    """The values a cell may still take, as stored.

    >>> _candidates((27, 2, 27))
    '2|27'
    """
    return "|".join(map(str, sorted(set(values))))


def has_blanks(records: list) -> bool:
    """Whether a cell of the records is printed blank or as a dash (most tables have none)."""
    return not _BLANK_KINDS.isdisjoint(map(_kind, records))


def derive(records: list, grid: Grid, whole: bool) -> list:
    """``records`` with the blank cells their identities determine filled (see the module's docstring); row
    identities first, so that a derived 总计 can be a term of a column identity. Values are derived only where
    every other identity over the cells that can be evaluated then holds: a derived cell never makes an
    identity fail, so the report is never accused on a value it did not print (a blank the identities
    disagree on stays blank, for identity.blank_terms to say).

    >>> from .tables import CellRecord
    >>> CellRecord._fields[5]  # what _kind fetches
    'value_kind'
    >>> def cell(r, c, v, kind="number"):
    ...     return CellRecord("t3", r, c, v, "" if v is None else str(v), kind, None, "", 0, 1, None, None, None)
    >>> from .identities import grid
    >>> row = [cell("granted", "natural_person", 258), cell("granted", "commercial_enterprise", None, "blank"),
    ...        cell("granted", "total", None, "blank")]
    >>> layout = grid("t3", ("granted",), ("natural_person", "commercial_enterprise", "total"))
    >>> [(r.value, r.value_kind, r.resolved_by) for r in derive(row, layout, True)]
    [(258, 'number', None), (0.0, 'derived', 'I3'), (258, 'derived', 'I3')]
    """
    if not has_blanks(records):
        return records
    at, over = grid.at, grid.over
    records = list(records)
    found = [i for i in grid.instances if whole or i.axis == "row"]
    if not whole:
        over = {c: [i for i in found_over if i.axis == "row"] for c, found_over in over.items()}
    ordered = sorted(found, key=lambda i: i.axis != "row")
    values = {c: records[i].value for c, i in at.items()}
    while _derive_once(ordered, records, at, over, values):
        pass
    return records


def _holds_if_known(inst: Instance, values: dict[Cell, float | None], filled: dict[Cell, float]) -> bool:
    """Whether ``inst`` holds with the cells ``filled``, or cannot be told (a term still without a value)."""
    lhs = [filled[c] if c in filled else values[c] for c in inst.lhs]
    rhs = [filled[c] if c in filled else values[c] for c in inst.rhs]
    return None in lhs or None in rhs or sum(lhs) == sum(rhs)


def _derive_once(ordered: list[Instance], records: list, at: dict[Cell, int], over: dict[Cell, list[Instance]],
                 values: dict[Cell, float | None]) -> bool:
    """One pass of ``derive`` over the instances; whether it filled a cell (a filled cell can settle another
    instance: a derived 总计 leaves its blank parts to balance)."""
    changed = False
    for inst in ordered:
        terms = [records[at[c]] for c in inst.cells]
        if any(r.value is None and (r.unresolved or r.value_kind not in _BLANK) for r in terms):
            continue  # a term not read: nothing follows
        blank = [c for c, r in zip(inst.cells, terms) if r.value is None]
        if not blank:
            continue
        numbers = {c: r.value for c, r in zip(inst.cells, terms) if r.value is not None}
        lhs = sum(numbers.get(c, 0) for c in inst.lhs)
        rhs = sum(numbers.get(c, 0) for c in inst.rhs)
        if len(inst.lhs) == 1 and inst.lhs[0] in blank and any(c in numbers for c in inst.rhs):
            filled = {inst.lhs[0]: rhs}  # a blank 总计: the sum of its parts
        elif lhs == rhs and (set(blank) <= set(inst.lhs) or set(blank) <= set(inst.rhs)):
            filled = dict.fromkeys(blank, 0.0)  # blank terms of one side the sums need as 0: no count is negative
        else:
            continue
        if all(_holds_if_known(other, values, filled) for cell in filled for other in over[cell] if other is not inst):
            for cell, value in filled.items():
                i = at[cell]
                records[i] = records[i]._replace(value=value, value_kind="derived", resolved_by=inst.identity_id)
            values.update(filled)
            changed = True
    return changed
