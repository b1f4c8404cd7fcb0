"""Flattened pages: a whole report on one line, table cells run together ("一、本年新收…数量230 000023二、…").

Crawlers that keep only a page's text give this shape. Its tables are found by their own words,
not by lines: the line is broken before each section heading, before each row label (一、 （三）
2.) and around each run of digits, which gives the line dialect the table parsers read. A run of
digits is one or more glued cells; tables.py cuts it into the row's columns where that is certain.
The narrative between the tables is left as it is.
"""
from __future__ import annotations

import re

# A line this long holding table words is a flattened page, not a table row or a paragraph.
FLAT_LINE = 300
_TABLE_WORDS = ("本年新收", "结果维持", "第二十条")
_NUMERAL = "一二三四五六七八九十"
# Section headings: numbered, their key words within a few characters of the number.
_HEADING = re.compile(
    rf"[{_NUMERAL}]、[^。，；、\n]{{0,14}}?(?:总体情况|主动公开政府信息(?:的?情况)?|收到和处理政府信息公开申请(?:的?情况)?"
    rf"|复议[、和及]?(?:提起)?行政诉讼(?:的?情况)?|存在的主要问题(?:及(?:改进|整改)(?:情况|措施)?)?"
    rf"|其他需要报告的事项)")
_TABLES_END = re.compile(r"存在的主要问题|其他需要报告的事项")
# A run of digits: one or more glued cells (spaces inside are cell boundaries, kept for tables.py).
_RUN = re.compile(r"[+\-]?\d[\d \t\u3000\xa0]*(?:\.\d+)?(?:[万亿]?元)?")
# Where a row label begins: its number (一、 （三） 2.), but not 第二十条第（一）项.
_LABEL_START = re.compile(rf"(?<!第)(?=[（(][{_NUMERAL}][）)])|(?=[{_NUMERAL}]、)|(?=\d\.[^\d])")


def is_flattened(text: str) -> bool:
    """True when a line holding table words is longer than any table row.

    >>> is_flattened("标题\\n" + "一、总体情况" + "。" * 400 + "本年新收政府信息公开申请数量230 000023")
    True
    >>> is_flattened("一、本年新收政府信息公开申请数量\\n23")
    False
    """
    for word in _TABLE_WORDS:
        at = text.find(word)
        if at < 0:
            continue
        end = text.find("\n", at)
        if (len(text) if end < 0 else end) - text.rfind("\n", 0, at) > FLAT_LINE:
            return True
    return False


def unflatten(text: str) -> str:
    """Break a flattened page into headings, prose and table cells (line dialect).

    >>> print(unflatten("一、总体情况" + "。" * 300 + "三、收到和处理政府信息公开申请情况自然人总计一、本年新收政府信息公开申请数量230 000023"
    ...                 "二、上年结转政府信息公开申请数量0000000（四）无法提供1.本机关不掌握相关政府信息70000072.没有现成信息"
    ...                 "需要另行制作0000000五、存在的主要问题及改进情况无。").split("\\n", 2)[2])
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
    return "\n".join(_unflatten_line(line) if len(line) > FLAT_LINE else line for line in text.split("\n"))


def _unflatten_line(line: str) -> str:
    pieces, pos, in_tables = [], 0, False
    for m in _HEADING.finditer(line):
        pieces.append(_cells(line[pos: m.start()]) if in_tables else line[pos: m.start()])
        pieces.append(m.group())
        pos = m.end()
        in_tables = not _TABLES_END.search(m.group()) and ("总体情况" not in m.group())
    pieces.append(_cells(line[pos:]) if in_tables else line[pos:])
    return "\n".join(p.strip() for p in pieces if p.strip())


def _cells(segment: str) -> str:
    """One cell per line: each row label, each run of digits.

    A run followed by "." ends in the next row's number ("70000072.没有…" is 7000007, then "2.没有…").
    """
    lines, label_from = [], 0
    for m in _RUN.finditer(segment):
        run = m.group().rstrip()
        if segment.startswith(".", m.start() + len(run)):
            run = run[:-1].rstrip()
        if not run:
            continue
        lines.extend(_LABEL_START.split(segment[label_from: m.start()]))
        lines.append(run)
        label_from = m.start() + len(run)
    lines.extend(_LABEL_START.split(segment[label_from:]))
    return "\n".join(p.strip() for p in lines if p.strip())
