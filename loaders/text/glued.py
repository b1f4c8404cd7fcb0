"""Glued digit runs: cells printed with no separator between them ("230 000023" = 23,0,0,0,0,0,23).

Crawler text dumps and some PDF conversions glue a table row's cells together. A run is read as far as
it is certain, and no further:

* a cell never starts with 0 unless it is exactly "0", and a space is always a cell boundary, so the
  digits alone allow few splits, often one ("0000000", "8100008" into 7 cells: a digit a cell). Where
  every split gives a cell the same value, the digits have read it, and it is evidence like any cell;
* the row's own arithmetic chooses among the rest (table 3: 总计 is the sum of the six applicant columns;
  table 4: each block's 总计 is the sum of its four results). A value it chose is recorded with that
  identity: it can no longer count as evidence that the identity holds;
* several readings left are settled, where they can be, by the whole table (``arithmetic.py``); no
  reading left means the row cannot add up however its digits are read: the report's own error.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import NamedTuple

# A count in one cell of these tables stays well under ten million.
MAX_CELL_DIGITS = 7
# Beyond this many candidate splits a run is not worth enumerating (and is certainly ambiguous).
MAX_CANDIDATES = 20_000

_DIGIT_TOKEN = re.compile(r"\d+")


class Split(NamedTuple):
    values: tuple[int | None, ...]  # each cell's value where every reading left agrees on it, else None
    chosen: tuple[bool, ...]  # each cell: the row's identity was needed for the readings to agree on it
    readings: tuple[tuple[int, ...], ...]  # the readings the row's identity left, when they disagree on a cell
    identity: str | None  # the row's identity that the readings were held to (None: the row has none)
    reason: str | None  # why cells are left without a value
    inconsistent: bool  # no reading the digits allow satisfies the row's identity: the report's own error
    n_candidates: int  # splits the digits allow; 0: too few or too many digits for the columns
    # each cell as a record holds it: (value, value_kind, resolved_by, candidates)
    cells: tuple[tuple[float | None, str, str | None, str | None], ...] = ()


def _with_cells(split: Split) -> Split:
    options = list(zip(*split.readings)) if split.readings else [()] * len(split.values)
    return split._replace(cells=tuple(
        (float(v), "split", split.identity if chosen else None, None) if v is not None else
        (None, "text", None, "|".join(map(str, sorted(set(o)))) or None)
        for v, chosen, o in zip(split.values, split.chosen, options)))


def is_digit_run(tokens: Sequence[str]) -> bool:
    """Only bare digits: what a glued row is made of.

    >>> is_digit_run(["230", "000023"]), is_digit_run(["23", "1.5"])
    (True, False)
    """
    return bool(tokens) and all(_DIGIT_TOKEN.fullmatch(t) for t in tokens)


def candidate_splits(tokens: Sequence[str], n: int) -> list[tuple[int, ...]]:
    """Every way to cut the tokens into ``n`` numbers without a leading zero, in a fixed order.

    >>> candidate_splits(["230", "000023"], 7)
    [(2, 30, 0, 0, 0, 0, 23), (23, 0, 0, 0, 0, 0, 23), (230, 0, 0, 0, 0, 2, 3)]
    >>> candidate_splits(["0000000"], 7)
    [(0, 0, 0, 0, 0, 0, 0)]
    """
    if n <= 0 or not tokens:
        return []
    if sum(map(len, tokens)) == n:  # a digit a cell, the common case ("0000000", "1000001"): one split
        return [tuple(int(d) for token in tokens for d in token)]
    return _Cuts(tokens).splits(0, 0, n)


def count_splits(tokens: Sequence[str], n: int) -> int:
    """How many splits ``candidate_splits`` gives, counted without making them.

    >>> count_splits(["230", "000023"], 7), count_splits(["1" * 12], 7)
    (3, 462)
    """
    if n <= 0 or not tokens:
        return 0
    digits = sum(map(len, tokens))
    if digits <= n:  # a digit a cell at most: one split, or too few digits for the cells
        return int(digits == n)
    return _Cuts(tokens).count(0, 0, n)


class _Cuts:
    """The ways to cut the rest of a run, from a position (token, offset in it) into a number of pieces:
    each remembered, as runs of many splits share their tails."""

    def __init__(self, tokens: Sequence[str]) -> None:
        self.tokens = tokens
        self.digits_after = [sum(len(t) for t in tokens[k + 1:]) for k in range(len(tokens))]
        self.made: dict[tuple[int, int, int], list[tuple[int, ...]]] = {}
        self.counted: dict[tuple[int, int, int], int] = {}

    def widths(self, k: int, start: int, left: int) -> range | tuple[int, ...]:
        """Widths of the piece starting at ``start`` of token ``k``: every token left needs a piece of its own;
        no piece is empty or longer than MAX_CELL_DIGITS; a piece starting with 0 is that 0."""
        token = self.tokens[k]
        digits = len(token) - start + self.digits_after[k]
        if left < len(self.tokens) - k or left > digits or digits > left * MAX_CELL_DIGITS:
            return ()
        return (1,) if token[start] == "0" else range(1, min(len(token) - start, MAX_CELL_DIGITS) + 1)

    def splits(self, k: int, start: int, left: int) -> list[tuple[int, ...]]:
        if k == len(self.tokens):
            return [()] if left == 0 else []
        token = self.tokens[k]
        if start == len(token):
            return self.splits(k + 1, 0, left)
        key = (k, start, left)
        made = self.made.get(key)
        if made is None:
            made = self.made[key] = []
            for width in self.widths(k, start, left):
                piece = (int(token[start: start + width]),)
                made.extend([piece + tail for tail in self.splits(k, start + width, left - 1)])
        return made

    def count(self, k: int, start: int, left: int) -> int:
        if k == len(self.tokens):
            return left == 0
        if start == len(self.tokens[k]):
            return self.count(k + 1, 0, left)
        key = (k, start, left)
        counted = self.counted.get(key)
        if counted is None:
            counted = self.counted[key] = sum(self.count(k, start + width, left - 1)
                                              for width in self.widths(k, start, left))
        return counted


def agreed(readings: Sequence[tuple[int, ...]]) -> tuple[int | None, ...]:
    """Each cell's value where every reading gives the same, else None.

    >>> agreed([(2, 30, 0, 23), (23, 0, 0, 23)])
    (None, None, 0, 23)
    """
    return tuple(column[0] if column.count(column[0]) == len(column) else None for column in zip(*readings))


def shown(readings: Sequence[tuple[int, ...]], limit: int = 4) -> str:
    """Readings as a message lists them.

    >>> shown([(2, 30), (23, 0)]), shown([(1,)] * 6)
    ('2,30 / 23,0', '1 / 1 / 1 / 1 / … 2 more')
    """
    more = f" / … {len(readings) - limit} more" if len(readings) > limit else ""
    return " / ".join(",".join(map(str, r)) for r in readings[:limit]) + more


@lru_cache(maxsize=16384)  # glued rows repeat across reports ("0000000", "1000001"…)
def split_run(tokens: tuple[str, ...], n: int, identity: tuple[str, Callable[[tuple[int, ...]], bool]] | None,
              evident: bool = True) -> Split:
    """Read a glued run as ``n`` cells: every split the digits allow is a possible reading; a cell on which
    all of them agree is read (a run with as many digits as cells has one reading: "7000007"); the row's
    identity (its name and a test over the values), where it has one, leaves the readings it holds for, and
    a cell on which those agree is read too, chosen by the identity. Several readings left are kept for the
    table to settle (``readings``); none left means the row cannot add up under any reading of its digits.

    All of that holds only where the run is ``evident``ly cells run together (one token of digits, or a table
    that prints cells with leading zeros): numbers spaced apart but too few for the columns ("73 10 0 0 0 0")
    may as well have lost a cell as glued two. Such a run is read only where the row's identity confirms the
    whole of a reading, and no reading fitting is no evidence against the report.

    >>> t3 = ("I3", lambda v: v[-1] == sum(v[:-1]))
    >>> s = split_run(("640020470",), 7, t3)
    >>> s.values, s.chosen.count(True), s.identity
    ((64, 0, 0, 2, 0, 4, 70), 7, 'I3')
    >>> s = split_run(("220000325",), 7, t3)
    >>> s.values, s.reason
    ((None, None, 0, 0, 0, 3, 25), 'glued digits 220000325: 2 splits fit I3 (2,20,0,0,0,3,25 / 22,0,0,0,0,3,25)')
    >>> split_run(("8100008",), 7, t3)[:2], split_run(("81000008",), 7, t3).inconsistent
    (((8, 1, 0, 0, 0, 0, 8), (False, False, False, False, False, False, False)), True)
    >>> split_run(("81", "0", "0", "0", "0", "8"), 7, t3, evident=False)[:2]
    ((None, None, None, None, None, None, None), (False, False, False, False, False, False, False))
    >>> split_run(("000",), 3, None).values, split_run(("29",), 2, None).values, split_run(("291",), 2, None).reason
    ((0, 0, 0), (2, 9), 'glued digits 291: 2 splits and no identity of the row to choose between them')
    """
    return _with_cells(_split_run(tokens, n, identity, evident))


def _split_run(tokens: tuple[str, ...], n: int, identity: tuple[str, Callable[[tuple[int, ...]], bool]] | None,
               evident: bool) -> Split:
    """``split_run`` without its records' cells."""
    run = " ".join(tokens)
    unknown = (None,) * n
    none_chosen = (False,) * n
    if count_splits(tokens, n) > MAX_CANDIDATES:
        return Split(unknown, none_chosen, (), None, f"glued digits {run}: more than {MAX_CANDIDATES} possible splits",
                     False, MAX_CANDIDATES + 1)
    candidates = candidate_splits(tokens, n)
    if not candidates:
        return Split(unknown, none_chosen, (), None, f"glued digits {run}: cannot be cut into {n} cells", False, 0)
    zeros = not any(map(int, tokens)) and len(candidates) == 1  # no blank hides among as many zeros as cells
    by_digits = agreed(candidates) if evident or zeros else unknown
    if identity is None or zeros or evident and len(candidates) == 1:
        reason = None if None not in by_digits else \
            f"glued digits {run}: {len(candidates)} splits and no identity of the row to choose between them"
        return Split(by_digits, none_chosen, (), None, reason, False, len(candidates))
    name, holds = identity
    fitting = [c for c in candidates if holds(c)]
    if not fitting:
        return Split(by_digits, none_chosen, (), name,
                     f"glued digits {run}: none of its {len(candidates)} splits satisfies {name} "
                     f"({shown(candidates)})" + (": the row cannot add up under any reading" if evident else ""),
                     evident, len(candidates))
    values = agreed(fitting) if evident or len(fitting) == 1 else unknown
    chosen = tuple(v is not None and d is None for v, d in zip(values, by_digits))
    if None not in values:
        return Split(values, chosen, (), name, None, False, len(candidates))
    return Split(values, chosen, tuple(fitting) if evident else (), name,
                 f"glued digits {run}: {len(fitting)} splits fit {name} ({shown(fitting)})", False, len(candidates))
