"""The accounting identities of tables 3 and 4 as the loader uses them: ``vocabulary.IDENTITIES``, read from the
seed ``identity_terms.csv`` the checks in dbt read, so the identity a glued run is cut by and the identity a check
verifies are one.

An identity runs along an axis: ``col`` sums rows down each column (I1, I2: its terms are row keys), ``row``
sums columns along each row (I3, I4: its terms are column keys). An *instance* is the identity over one column
or row of one report's table: its two sides as cells, ``(row_key, col_key)``.
"""
from __future__ import annotations

from functools import lru_cache
from itertools import product
from typing import NamedTuple

from ..vocabulary import IDENTITIES

Cell = tuple[str, str]  # (row_key, col_key)


class Instance(NamedTuple):
    identity_id: str
    axis: str
    unit: str  # the column (axis col) or row (axis row) it runs over
    lhs: tuple[Cell, ...]
    rhs: tuple[Cell, ...]

    @property
    def cells(self) -> tuple[Cell, ...]:
        return self.lhs + self.rhs


@lru_cache(maxsize=256)  # a table's cells are its template's, in almost every report
def instances(table_id: str, cells: frozenset[Cell]) -> tuple[Instance, ...]:
    """Every instance of the table's identities over the cells a report printed: one per column (axis col) or
    row (axis row) that holds a term on each side; terms the report did not print are left out, as in dbt's
    ``int_identity_within_report``.

    >>> cells = frozenset((r, c) for r in ("new_received", "total_processed") for c in ("natural_person", "total"))
    >>> [(i.identity_id, i.unit, i.lhs) for i in instances("t3", cells) if i.identity_id == "I3"]
    [('I3', 'new_received', (('new_received', 'total'),)), ('I3', 'total_processed', (('total_processed', 'total'),))]
    """
    rows = sorted({r for r, _ in cells})
    cols = sorted({c for _, c in cells})
    out = []
    for ident in IDENTITIES:
        if ident.table_id != table_id:
            continue
        for unit in (cols if ident.axis == "col" else rows):
            def cell(term: str) -> Cell:
                return (term, unit) if ident.axis == "col" else (unit, term)
            lhs = tuple(cell(t) for t in ident.lhs if cell(t) in cells)
            rhs = tuple(cell(t) for t in ident.rhs if cell(t) in cells)
            if lhs and rhs:
                out.append(Instance(ident.identity_id, ident.axis, unit, lhs, rhs))
    return tuple(out)


@lru_cache(maxsize=4096)  # one per row of each table layout
def row_identities(table_id: str, cells: tuple[Cell, ...]) -> tuple[Instance, ...]:
    """The instances whose every term is one of ``cells`` (a row cut from a glued run): what the row's own
    digits must satisfy.

    >>> cols = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
    ...         "legal_service_org", "other_org", "total")
    >>> [i.identity_id for i in row_identities("t3", tuple(("granted", c) for c in cols))]
    ['I3']
    """
    return instances(table_id, frozenset(cells))


class Grid(NamedTuple):
    """A table as rows × columns, its cells in that order (a table's records are so: row by row, each in the
    table's column order), with its identities' instances."""

    at: dict[Cell, int]  # each cell's place among the records
    instances: tuple[Instance, ...]
    over: dict[Cell, tuple[Instance, ...]]  # the instances each cell is a term of


@lru_cache(maxsize=256)  # a table's rows and columns are its template's, in almost every report
def grid(table_id: str, rows: tuple[str, ...], columns: tuple[str, ...]) -> Grid:
    """The table ``table_id`` with these rows and columns.

    >>> g = grid("t3", ("new_received", "total_processed"), ("natural_person", "total"))
    >>> g.at[("total_processed", "natural_person")], [i.identity_id for i in g.over[("new_received", "total")]]
    (2, ['I1', 'I3'])
    """
    at = {cell: k for k, cell in enumerate(product(rows, columns))}
    found = instances(table_id, frozenset(at))
    over: dict[Cell, list[Instance]] = {}
    for inst in found:
        for c in inst.cells:
            over.setdefault(c, []).append(inst)
    return Grid(at, found, {c: tuple(insts) for c, insts in over.items()})
