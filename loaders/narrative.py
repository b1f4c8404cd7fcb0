"""Numbers stated in the narrative: each with its metric, unit, sentence and offset.

A number belongs to the nearest metric keyword before it in the same clause
("共受理…申请122件，引发行政复议11件" → received 122, review 11). Statements of absence
("未发生行政复议", "未收取信息处理费") are facts with value 0. Which table figure a fact may
refer to is decided later (dbt, checks), not here.
"""
from __future__ import annotations

import re
from typing import Iterable, NamedTuple


class Fact(NamedTuple):
    metric: str
    value: float
    unit: str
    qualifier: str  # exact | approx | none_stated
    matched_text: str
    sentence: str
    char_offset: int
    sentence_offset: int


# metric → keyword regex; the clause must also satisfy the guard, if any.
METRICS: list[tuple[str, re.Pattern, re.Pattern | None]] = [
    ("fees_collected", re.compile(r"信息处理费|处理费"), None),
    ("carried_over", re.compile(r"上年结转|上年度结转"), None),
    ("carried_forward", re.compile(r"结转|顺延"), None),
    ("review_count", re.compile(r"行政复议|复议"), None),
    ("litigation_count", re.compile(r"行政诉讼|诉讼"), None),
    ("applications_concluded", re.compile(r"办结|答复"), re.compile(r"申请|依申请")),
    ("applications_received", re.compile(r"收到|受理|接收|新收"), re.compile(r"申请|依申请")),
    ("applications_handled", re.compile(r"(?<!继续)办理"), re.compile(r"申请|依申请")),
    ("normative_documents", re.compile(r"规范性文件"), None),
    ("proactive_disclosure", re.compile(r"主动公开"), None),
]
_NUMBER = re.compile(r"(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<mult>万|千|百)?\s*(?P<approx>余|多)?\s*"
                     r"(?P<unit>件|条|个|篇|次|宗|起|份|项|万元|元)")
_MULT = {"万": 10_000, "千": 1_000, "百": 100, None: 1}
# "未发生行政复议和行政诉讼": one negation may cover several keywords that follow it.
_NONE = re.compile(r"(?:未|没有|无|不存在)(?:发生|收到|收取|产生|出现|涉及)?[^，,。；;]{0,16}")
_SENTENCE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")
_CLAUSE = re.compile(r"(?:[^，,]|(?<=\d),(?=\d{3}))+")  # "1,203" stays one clause
_NONE_METRIC = {"行政复议": "review_count", "行政诉讼": "litigation_count",
                "信息处理费": "fees_collected", "处理费": "fees_collected"}
_COUNT_UNITS = {"件", "条", "个", "篇", "次", "宗", "起", "份", "项"}


def narrative_facts(lines: Iterable[tuple[int, int, str, str]]) -> list[Fact]:
    """Facts from prose lines, given as (line number, offset, raw, simplified) (``Lines.rows``).

    >>> from .cells import split_lines
    >>> t = "2019年，区政府办公室共受理政府信息公开申请122件，引发行政复议11件，被纠错1件。"
    >>> [(f.metric, f.value) for f in narrative_facts(split_lines(t, t).rows())]
    [('applications_received', 122.0), ('review_count', 11.0)]
    """
    facts: list[Fact] = []
    for _, line_offset, raw, text in lines:
        if raw.startswith("\t") or not text.strip():
            continue
        if not _WORTH_READING.search(text):
            continue
        for s in _SENTENCE.finditer(text):
            sentence = s.group().strip()
            if not sentence:
                continue
            s_offset = line_offset + s.start()
            raw_sentence = raw[s.start(): s.end()].strip()
            for c in _CLAUSE.finditer(s.group()):
                facts.extend(_clause_facts(c.group(), s.group(), line_offset + s.start() + c.start(),
                                           raw_sentence, s_offset))
    return facts


_WORTH_READING = re.compile(r"\d|未|没有|无|不存在")


def _clause_facts(clause: str, context: str, offset: int, sentence: str, s_offset: int) -> list[Fact]:
    if not _WORTH_READING.search(clause):
        return []
    out = []
    for m in _NONE.finditer(clause):
        if _NUMBER.search(m.group()):
            continue
        for kw, metric in _NONE_METRIC.items():
            if kw in m.group() and not any(f.metric == metric for f in out):
                unit = "元" if metric == "fees_collected" else "件"
                out.append(Fact(metric, 0.0, unit, "none_stated", m.group(), sentence, offset + m.start(), s_offset))
    if out:
        return out
    for n in _NUMBER.finditer(clause):
        metric = _metric_before(clause, context, n.start())
        if metric is None or (metric == "fees_collected") != (n["unit"] in ("元", "万元")):
            continue
        value = float(n["num"].replace(",", "")) * _MULT[n["mult"]] * (10_000 if n["unit"] == "万元" else 1)
        unit = "yuan" if n["unit"] in ("元", "万元") else n["unit"]
        qualifier = "approx" if n["approx"] or n["mult"] or "约" in clause[: n.start()] else "exact"
        out.append(Fact(metric, value, unit, qualifier, n.group(), sentence, offset + n.start(), s_offset))
    return out


def _metric_before(clause: str, sentence: str, pos: int) -> str | None:
    """The metric whose keyword ends nearest before ``pos``; of two ending together, the longer
    ("上年结转" over "结转")."""
    best, best_rank = None, (-1, 0)
    head = clause[:pos]
    for metric, keyword, guard in METRICS:
        if guard is not None and not guard.search(sentence):
            continue
        for k in keyword.finditer(head):
            rank = (k.end(), -k.start())
            if rank > best_rank:
                best, best_rank = metric, rank
    # Numbers far from their keyword belong to something else ("2019年…").
    if best is not None and pos - best_rank[0] > 30:
        return None
    return best
