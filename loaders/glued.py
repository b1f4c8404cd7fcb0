"""Glued digit runs: cells printed with no separator between them ("230 000023" = 23,0,0,0,0,0,23).

Crawler text dumps and some PDF conversions glue a table row's cells together. A run can be split
back only where the split is certain:

* a cell never starts with 0 unless it is exactly "0", and a space is always a cell boundary, so
  the digits alone allow few splits, often one ("0000000" into 7 cells);
* the row's own arithmetic confirms the split, or chooses among several (table 3: 总计 is the sum
  of the six applicant columns; table 4: each block's 总计 is the sum of its four results). The
  identity is recorded with the values: those cells can no longer count as evidence that it holds.

Several splits fitting, or none, leaves the row unresolved with the candidates listed.
"""
from __future__ import annotations

import re
from functools import lru_cache, partial
from typing import Callable, NamedTuple, Sequence

# A count in one cell of these tables stays well under ten million.
MAX_CELL_DIGITS = 7
# Beyond this many candidate splits a run is not worth enumerating (and is certainly ambiguous).
MAX_CANDIDATES = 20_000

_DIGIT_TOKEN = re.compile(r"\d+")


class Piece(NamedTuple):
    value: int
    token: int  # index of the token the piece was cut from
    start: int  # character offset of the piece within its token


class Split(NamedTuple):
    pieces: tuple[Piece, ...] | None  # None when unresolved
    identity: str | None  # the identity that confirmed this split; None for a run of zeros of a table without one
    reason: str | None  # why unresolved
    n_candidates: int  # splits the digits allow; 0: too few or too many digits for the columns


def is_digit_run(tokens: Sequence[str]) -> bool:
    """Only bare digits: what a glued row is made of.

    >>> is_digit_run(["230", "000023"]), is_digit_run(["23", "1.5"])
    (True, False)
    """
    return bool(tokens) and all(_DIGIT_TOKEN.fullmatch(t) for t in tokens)


def candidate_splits(tokens: Sequence[str], n: int) -> list[tuple[Piece, ...]]:
    """Every way to cut the tokens into ``n`` numbers without a leading zero, in a fixed order.

    >>> [[p.value for p in s] for s in candidate_splits(["230", "000023"], 7)]
    [[2, 30, 0, 0, 0, 0, 23], [23, 0, 0, 0, 0, 0, 23], [230, 0, 0, 0, 0, 2, 3]]
    >>> [[p.value for p in s] for s in candidate_splits(["0000000"], 7)]
    [[0, 0, 0, 0, 0, 0, 0]]
    """
    if n <= 0 or not tokens:
        return []
    if sum(map(len, tokens)) == n:  # a digit a cell, the common case ("0000000", "1000001"): one split
        return [tuple(_piece((int(d), k, i)) for k, token in enumerate(tokens) for i, d in enumerate(token))]
    return _Cuts(tokens).splits(0, 0, n)


def count_splits(tokens: Sequence[str], n: int) -> int:
    """How many splits ``candidate_splits`` gives, counted without making them.

    >>> count_splits(["230", "000023"], 7), count_splits(["1" * 12], 7)
    (3, 462)
    """
    if n <= 0 or not tokens:
        return 0
    return _Cuts(tokens).count(0, 0, n)


# Builds a Piece from one tuple in C, without the Python-level __new__: a run is cut hundreds of ways.
_piece = partial(tuple.__new__, Piece)


class _Cuts:
    """The ways to cut the rest of a run, from a position (token, offset in it) into a number of pieces:
    each remembered, as runs of many splits share their tails."""

    def __init__(self, tokens: Sequence[str]) -> None:
        self.tokens = tokens
        self.digits_after = [sum(len(t) for t in tokens[k + 1:]) for k in range(len(tokens))]
        self.made: dict[tuple[int, int, int], list[tuple[Piece, ...]]] = {}
        self.counted: dict[tuple[int, int, int], int] = {}

    def widths(self, k: int, start: int, left: int) -> range | tuple[int, ...]:
        """Widths of the piece starting at ``start`` of token ``k``: every token left needs a piece of its own;
        no piece is empty or longer than MAX_CELL_DIGITS; a piece starting with 0 is that 0."""
        token = self.tokens[k]
        digits = len(token) - start + self.digits_after[k]
        if left < len(self.tokens) - k or left > digits or digits > left * MAX_CELL_DIGITS:
            return ()
        return (1,) if token[start] == "0" else range(1, min(len(token) - start, MAX_CELL_DIGITS) + 1)

    def splits(self, k: int, start: int, left: int) -> list[tuple[Piece, ...]]:
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
                piece = _piece((int(token[start: start + width]), k, start))
                made.extend([(piece, *tail) for tail in self.splits(k, start + width, left - 1)])
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


@lru_cache(maxsize=16384)  # glued rows repeat across reports ("0000000", "1000001"…)
def split_run(tokens: tuple[str, ...], n: int, identity: tuple[str, Callable[[list[int]], bool]] | None) -> Split:
    """Split a glued run into ``n`` cells: the one split that satisfies ``identity`` (its name and a
    test over the values), else unresolved.

    Even a run the digits allow to cut one way only ("7000007" into 7) is cut on the assumption that
    it holds the whole row; the row's own arithmetic is what confirms it. A table with no such
    identity (table 2) has only runs of zeros cut, one zero a cell.

    >>> t3 = ("I3", lambda v: v[-1] == sum(v[:-1]))
    >>> [p.value for p in split_run(("640020470",), 7, t3).pieces], split_run(("640020470",), 7, t3).identity
    ([64, 0, 0, 2, 0, 4, 70], 'I3')
    >>> split_run(("220000325",), 7, t3).reason
    'glued digits 220000325: 2 splits fit I3 (2,20,0,0,0,3,25 / 22,0,0,0,0,3,25)'
    >>> split_run(("000",), 3, None).pieces is not None, split_run(("29",), 2, None).reason
    (True, 'glued digits 29: no identity of the row to confirm a split')
    """
    run = " ".join(tokens)
    if count_splits(tokens, n) > MAX_CANDIDATES:
        return Split(None, None, f"glued digits {run}: more than {MAX_CANDIDATES} possible splits", MAX_CANDIDATES + 1)
    candidates = candidate_splits(tokens, n)
    if not candidates:
        return Split(None, None, f"glued digits {run}: cannot be cut into {n} cells", 0)
    if identity is None:
        if sum(map(len, tokens)) == n and not any(map(int, tokens)):
            return Split(candidates[0], None, None, 1)
        return Split(None, None, f"glued digits {run}: no identity of the row to confirm a split", len(candidates))
    name, holds = identity
    fitting = [c for c in candidates if holds([p.value for p in c])]
    if len(fitting) == 1:
        return Split(fitting[0], name, None, len(candidates))
    if not fitting:
        return Split(None, None, f"glued digits {run}: no split fits {name}", len(candidates))
    shown = " / ".join(",".join(str(p.value) for p in c) for c in fitting[:4])
    more = f" / … {len(fitting) - 4} more" if len(fitting) > 4 else ""
    return Split(None, None, f"glued digits {run}: {len(fitting)} splits fit {name} ({shown}{more})", len(candidates))
