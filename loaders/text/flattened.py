"""Flattened pages: a whole report on one line, table cells run together ("一、本年新收…数量230 000023二、…").

Crawlers that keep only a page's text give this shape. Its tables are found by their own words,
not by lines: the line is broken before each section heading, before each row label (一、 （三）
2.) and around each run of digits, which gives the line dialect the table parsers read. A run of
digits is one or more glued cells; tables.py cuts it into the row's columns where that is certain.
The narrative between the tables is left as it is.
"""
from __future__ import annotations

import re

from ..patterns import FLAT_LABEL_START, NUMERAL
from ..vocabulary import FLAT_PAGE_WORDS, HEADING_KEYS

# A line this long holding table words is a flattened page, not a table row or a paragraph.
FLAT_LINE = 300
# Section headings: numbered, their key words (the seed section_words) within a few characters of the number, and
# the rest of the heading's title ("…及改进情况").
_HEADING = re.compile(
    rf"[{NUMERAL}]、[^。，；、\n]{{0,14}}?(?:{'|'.join(re.escape(k) for keys in HEADING_KEYS.values() for k in keys)})"
    r"(?:[^。，；\n]{0,8}?(?:情况|措施|事项))?")
_TABLE_SECTIONS = ("t2", "t3", "t4")
# A run of digits: one or more glued cells (spaces inside are cell boundaries, kept for tables.py).
# A unit printed after the number stays with it ("29项", "37551661.7元"): the cell is not bare digits.
_RUN = re.compile(r"[+\-]?\d[\d \t\u3000\xa0]*(?:\.\d+)?(?:[万亿]?元|人次|[项件个条次宗])?")


def is_flattened(text: str) -> bool:
    """True when a line holding table words is longer than any table row.

    >>> is_flattened("标题\\n" + "一、总体情况" + "。" * 400 + "本年新收政府信息公开申请数量230 000023")
    True
    >>> is_flattened("一、本年新收政府信息公开申请数量\\n23")
    False
    """
    for word in FLAT_PAGE_WORDS:
        at = text.find(word)
        if at < 0:
            continue
        end = text.find("\n", at)
        if (len(text) if end < 0 else end) - text.rfind("\n", 0, at) > FLAT_LINE:
            return True
    return False


def unflatten(text: str, matching: str | None = None) -> tuple[str, str]:
    """Break a flattened page into headings, prose and table cells (line dialect).

    The breaks are found in ``matching`` (the text folded and in simplified script, the same length)
    and made in both texts at the same places.

    >>> text, _ = unflatten("一、总体情况" + "。" * 300 + "三、收到和处理政府信息公开申请情况自然人总计一、本年新收政府信息公开申请数量"
    ...                 "230 000023二、上年结转政府信息公开申请数量0000000（四）无法提供1.本机关不掌握相关政府信息70000072.没有现成"
    ...                 "信息需要另行制作0000000五、存在的主要问题及改进情况无。")
    >>> print(text.split("\\n", 2)[2])
    三、收到和处理政府信息公开申请情况
    自然人总计
    一、本年新收政府信息公开申请数量
    230 000023
    二、上年结转政府信息公开申请数量
    0000000
    （四）无法提供
    1.本机关不掌握相关政府信息
    7000007
    2.没有现成信息需要另行制作
    0000000
    五、存在的主要问题及改进情况
    无。
    """
    matching = text if matching is None else matching
    cuts, start = [], 0
    for line in matching.split("\n"):
        if len(line) > FLAT_LINE:
            cuts.extend(start + at for at in _line_cuts(line))
        start += len(line) + 1
    cuts = sorted(set(cuts))
    cut = _cut(text, cuts)
    return cut, (cut if matching is text else _cut(matching, cuts))


def _cut(text: str, cuts: list[int]) -> str:
    """``text`` with a line break at each of the offsets ``cuts`` (sorted), blanks at the cuts dropped."""
    pieces, pos = [], 0
    for at in cuts:
        if 0 < at < len(text):
            pieces.append(text[pos:at])
            pos = at
    pieces.append(text[pos:])
    return "\n".join(pieces)


def _line_cuts(line: str) -> list[int]:
    """Where a flattened line breaks: around each section heading; in the tables, between cells."""
    cuts, pos, in_tables = [], 0, False
    for m in _HEADING.finditer(line):
        if in_tables:
            cuts.extend(pos + at for at in _cell_cuts(line[pos: m.start()]))
        cuts.extend((m.start(), m.end()))
        pos = m.end()
        in_tables = any(key in m.group() for name in _TABLE_SECTIONS for key in HEADING_KEYS[name])
    if in_tables:
        cuts.extend(pos + at for at in _cell_cuts(line[pos:]))
    return cuts


def _cell_cuts(segment: str) -> list[int]:
    """Where a table segment breaks into cells: before each row label, around each run of digits.

    A run followed by "." ends in the next row's number ("70000072.没有…" is 7000007, then "2.没有…").
    """
    cuts, label_from = [], 0
    for m in _RUN.finditer(segment):
        run = m.group().rstrip()
        if segment.startswith(".", m.start() + len(run)):
            run = run[:-1].rstrip()
        if not run:
            continue
        cuts.extend(k.start() for k in FLAT_LABEL_START.finditer(segment, label_from, m.start()))
        cuts.extend((m.start(), m.start() + len(run)))
        label_from = m.start() + len(run)
    cuts.extend(k.start() for k in FLAT_LABEL_START.finditer(segment, label_from))
    return cuts
