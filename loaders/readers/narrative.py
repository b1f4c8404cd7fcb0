"""Numbers stated in the narrative, read as the sentence says them.

One pass over each paragraph: a single tokenizer finds the numbers (with their unit), the words that
tell what a number counts, negations and clause punctuation; a walk over those tokens then reads
each number from the words of its own clause:

* Paragraphs are joined across line breaks (PDF-derived text wraps every ~30 characters) and page
  footers ("- 3 -", "— 4 —"), never across a blank line, a heading or a table row.
* A number counts what the words before it in its clause name ("收到…申请122件", "不予公开35件");
  only where they name nothing, what follows it ("1件结转下年度继续办理", "有 1 件…行政复议").
  The most specific words win: carried forward/over (转下年度, 上年结转) over an outcome (同意公开,
  无法提供) over a review or lawsuit over a verb of handling (收到, 办结, 办理), so
  「同意公开答复 9 件」 is granted 9 and 「转下年度办理125件」 carried forward 125.
* A clause naming only an applicant type ("涉及自然人72件、商业企业3件") restates the sentence's
  last application figure for that part; a share ("占33.9%", "（17.46%）") the figure just before it.
* A negation states only what it negates: 「未发生…被行政复议纠错」 is review_corrected 0, not
  review_count; 「无收取信息处理费」 fees_collected 0.
* Unknown phrasing gives no fact: a number whose clause names nothing known is not read.

Which table figures a fact may refer to is decided later (dbt ``reference.narrative_readings``,
the checks), not here.
"""
from __future__ import annotations

import csv
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from functools import cached_property, partial
from typing import NamedTuple

from ..vocabulary import VOCABULARY


class Fact(NamedTuple):
    metric: str
    value: float
    unit: str
    qualifier: str  # exact | approx | none_stated | share (value in percent)
    matched_text: str
    sentence: str
    char_offset: int
    sentence_offset: int
    part: str = "total"  # total | an applicant column | legal_person | review | litigation
    keyword: str = ""  # the words that told the metric (办结, 办理, 上年结转, 纠错, …)
    decimals: int = 0  # digits printed after the decimal point
    why: str = ""  # why the number was read so: the words, and what the vocabulary says of them


# The phrase knowledge (parts, outcomes, scope words, units, subjects) is data: the dbt seed
# narrative_vocabulary.csv, which dbt loads as reference.narrative_vocabulary beside narrative_parts and
# narrative_readings. Each entry says why a phrase is read so; a reading quotes those reasons.
class _Phrase(NamedTuple):
    kind: str
    phrase: str
    meaning: str
    why: str


def _vocabulary() -> dict[str, dict[str, _Phrase]]:
    """kind → phrase → entry, from the seed.

    >>> _vocabulary()["part"]["公民、法人和其他组织"].meaning
    'total'
    """
    out: dict[str, dict[str, _Phrase]] = {}
    with open(VOCABULARY / "narrative_vocabulary.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["kind"], {})[row["phrase"]] = _Phrase(**row)
    return out


_VOCAB = _vocabulary()
PARTS = {phrase: entry.meaning for phrase, entry in _VOCAB["part"].items()}
OUTCOMES = {phrase: entry.meaning for phrase, entry in _VOCAB["outcome"].items()}
# Metrics of table 3, to which an applicant part applies.
APPLICATION_METRICS = {"applications_received", "applications_concluded", "carried_over", "carried_forward",
                       *OUTCOMES.values()}


def _alternatives(phrases: Iterable[str]) -> tuple[str, str]:
    """A pattern matching any of ``phrases`` (the longest first) and the characters they start with.

    >>> _alternatives(["法人", "法人或其他组织"])
    ('法人或其他组织|法人', '法')
    """
    ordered = sorted(phrases, key=lambda p: (-len(p), p))
    return "|".join(re.escape(p) for p in ordered), "".join(sorted({p[0] for p in ordered}))


# One tokenizer for the whole paragraph: (group, pattern, the characters a match can start with).
# Group order matters where two alternatives start at the same character: 无法提供 is an outcome
# before 无 is a negation, 办结率 a rate before 办结 a verb. Clause punctuation, the commonest token,
# is tried first: no other alternative starts with it.
_GROUPS = [
    ("cut", r"[，,；;：:]", "，,；;：:"),
    ("num", r"(?<![\d.])(?P<digits>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*(?P<mult>万|千|百|亿)?\s*(?P<approx>余|多)?\s*"
            r"(?P<unit>件次|件|条|个|篇|次|宗|起|份|项|万元|元|%|％)", "0123456789"),
    # 结转 + a year is carried forward (结转2023年度继续办理), a year + 结转 carried over (2021年结转…申请)
    ("cf", r"(?:结转|转入|转|顺延|转至)(?:到|至|入)?(?:下一?年度?|次年|\d{4}\s*年度?)|下一?年度?结转", "结转顺下"),
    ("co", r"上一?年度?(?:结转|转入|遗留)|往年结转|\d{4}\s*年度?(?:结转|转入)(?!至|到|下|\d)", "上往0123456789"),
    ("out", *_alternatives(OUTCOMES)),
    ("upheld", r"(?:均|全部)(?:获|被|予|已)?维持", "均全"),
    ("cor", r"纠错|纠正|败诉", "纠败"),
    ("rev", r"行政复议|复议", "行复"),
    ("lit", r"行政诉讼|诉讼|(?<!引)起诉", "行诉起"),
    ("rate", r"办结率", "办"),
    ("rcv", r"收到|受理|收办|新收|接收|收悉", "收受新接"),
    ("ccl", r"办理完毕|办理完成|办结|答复|办理", "办答"),
    ("fee", r"处理费|收费|收取|费用", "处收费"),
    ("part", *_alternatives(PARTS)),
    ("scope", *_alternatives(_VOCAB["scope"])),
    # 依申请公开 before 申请: a way of disclosing, not the subject 申请; 制发 counts items.
    ("subj", *_alternatives(_VOCAB["subject"])),
    ("app", r"申请(?!人)", "申"),
    ("neg", r"未(?=发生|收到|收取|产生|出现|涉及|有|被|接到)|没有|不存在|无(?!法|正当|需|误|缝|论|关|力|人|纸|死角|偿)"
            r"|零(?=败诉|纠错|纠正)", "未没不无零"),
]
# The leading class lets the engine reject, in one test, the characters no token starts with. Each
# alternative's name is an empty group at its end (the match's lastgroup): an alternative that starts
# with a character, not a group, is skipped by the engine in one test where that character is not there.
_TOKEN = re.compile("(?=[" + re.escape("".join(sorted({c for _, _, first in _GROUPS for c in first}))) + "])(?:"
                    + "|".join(f"(?:{pattern})(?P<{name}>)" for name, pattern, _ in _GROUPS) + ")")
# A paragraph states something only with a counted number, a negation or 均获维持.
_WORTH_READING = re.compile(r"\d\s*[万千百亿]?\s*[余多]?\s*[件条个篇次宗起份项元%％]|未|没有|无|零|不存在|维持")
_MULT = {"万": 10_000, "千": 1_000, "百": 100, "亿": 100_000_000, None: 1}
# What a lead must end with to state proactive disclosure or normative documents.
_PROACTIVE = re.compile(r"(?:主动公开[^，,；;：:]{0,15}?信息数?|(?:公布|发布|公开)[^，,；;：:]{0,8}?(?:政府|政务)信息数?"
                        r"|(?:政府|政务)信息(?:发布|公开))\s*(?:共计|共|合计|累计|总计|计|达)?\s*$")
_NOT_PROACTIVE = re.compile(r"应(?:主动)?公开|微博|微信|公众号|抖音|头条|视频号|客户端|新媒体")
_NORMATIVE = re.compile(r"规范性文件\s*(?:共计|共|合计|累计|总计|数量|数)?\s*$")
_NOT_NORMATIVE = re.compile(r"部门(?:行政)?规范性文件\s*(?:共计|共|合计|累计|总计|数量|数)?\s*$|废止|失效|宣布")
# Words between a verb of handling and its number that keep the number an application count.
_FILLER = re.compile(r"共计|合计|总计|累计|共|计|了|的|各类|依法|依规|及时|\s")
# Words between 行政复议/诉讼 and a number that make it a count of results, not of cases.
_RESULT_WORDS = re.compile(r"维持|撤销|驳回|审结|胜诉|结案|结果|尚未|确认违法|责令")
# The reasons of one row of an outcome (（四）1.本机关不掌握…): 「因…不掌握无法提供 N 件」 may count that row only.
_REASONS = re.compile(r"不掌握|国家秘密|禁止公开|三安全一稳定|第三方|内部事务|过程性|执法案卷|查询事项|另行制作|现成信息"
                      r"|不明确|信访|重复申请|出版物|大量反复|重新出具|逾期|撤回|缴纳费用|收费通知")
_SHARE_LEAD = re.compile(r"\s*占[^\d，,；;：:]{0,6}\s*")
_BRACKET_LEAD = re.compile(r"\s*[（(]\s*")
_APPROX_LEAD = re.compile(r"(?:约|近|超过|超|逾|大约)\s*$")
_FOOTER = re.compile(r"\s*(?:[-—–－_~]{1,3}\s*\d{1,4}\s*[-—–－_~]{1,3}|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
                     r"|\d{1,4}\s*/\s*\d{1,4})\s*")
_HEADING = re.compile(r"\s*(?:#|[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十\d]{1,2}[）)]|\d{1,2}[、.．](?!\d)"
                      r"|第[一二三四五六七八九十]+[部分章节])")


def narrative_facts(lines: Iterable[tuple[int, int, str, str]]) -> list[Fact]:
    """Facts from prose lines, given as (line number, offset, raw, simplified) (``Lines.rows``).

    >>> from ..text.cells import split_lines
    >>> t = "2019年，区政府办公室共受理政府信息公开申请122件，引发行政复议11件，被纠错1件。"
    >>> [(f.metric, f.value) for f in narrative_facts(split_lines(t, t).rows())]
    [('applications_received', 122.0), ('review_count', 11.0), ('review_corrected', 1.0)]
    """
    facts: list[Fact] = []
    for text, raw, starts, offsets in _paragraphs(lines):
        worth_reading = _WORTH_READING.search(text)
        if worth_reading is not None:
            facts.extend(_Paragraph(text, raw, starts, offsets).facts(worth_reading))
    return facts


# --- paragraphs ---------------------------------------------------------------------------------
def _paragraphs(lines: Iterable[tuple[int, int, str, str]]) -> Iterator[tuple[str, str, list[int], list[int]]]:
    """(text, raw, piece starts, piece source offsets) of each paragraph.

    Lines are joined without a separator (a wrapped line breaks inside a word); page footers, and the
    blank lines around them, are skipped. A blank line, a table row (a line holding a tab), a heading
    and a gap in the line numbers (a table section left out) end the paragraph.
    """
    texts: list[str] = []
    raws: list[str] = []
    starts: list[int] = []
    offsets: list[int] = []
    length = 0
    previous = None
    blank = footer = heading = gap = False
    for line_no, offset, raw, text in lines:
        left = text.lstrip()
        if previous is not None and line_no != previous + 1:
            gap = True  # a page footer does not bridge a table section left out
        previous = line_no
        if not left:
            blank = blank or not footer
            continue
        content = left.rstrip()
        if "\t" in raw or content[0] == "|":
            gap = True
            continue
        if len(content) <= 16 and _FOOTER.fullmatch(content):
            footer, blank = True, False
            continue
        # A numbered line is a heading when short: a wrapped line of a numbered paragraph runs the
        # page's full width (about 30 characters) and goes on.
        is_heading = content[0] == "#" or (len(content) <= 24 and _HEADING.match(content) is not None
                                           and "。" not in content[:-1])
        if texts and (blank or gap or heading or is_heading):
            yield "".join(texts), "".join(raws), starts, offsets
            texts, raws, starts, offsets, length = [], [], [], [], 0
        lead = len(text) - len(left)
        texts.append(content)
        raws.append(content if raw is text else raw[lead: lead + len(content)])
        starts.append(length)
        offsets.append(offset + lead)
        length += len(content)
        blank = footer = gap = False
        heading = is_heading
    if texts:
        yield "".join(texts), "".join(raws), starts, offsets


# --- one paragraph ------------------------------------------------------------------------------
class _Token(NamedTuple):
    kind: str
    start: int
    end: int
    word: str
    match: re.Match


# Build a _Token, a Fact from one tuple in C, without the Python-level __new__: a paragraph has hundreds
# of tokens, a report dozens of facts.
_new_token = partial(tuple.__new__, _Token)
_new_fact = partial(tuple.__new__, Fact)


class _Paragraph:
    def __init__(self, text: str, raw: str, starts: list[int], offsets: list[int]) -> None:
        self.text, self.raw, self.starts, self.offsets = text, raw, starts, offsets

    def source_offset(self, pos: int) -> int:
        """Offset in the normalised text of position ``pos`` of the joined paragraph."""
        k = bisect_right(self.starts, pos) - 1  # the last piece starting at or before pos
        return self.offsets[k] + pos - self.starts[k]

    def facts(self, worth_reading: re.Match) -> list[Fact]:
        """Facts of the statements that hold a counted number, a negation or 均获维持 (the first of
        them where ``worth_reading`` is): only those are tokenized."""
        text = self.text
        out: list[Fact] = []
        ends = [m.end() for m in _SENTENCE_END.finditer(text)]
        search = _WORTH_READING.search
        m = worth_reading
        while m is not None:
            k = bisect_right(ends, m.start())
            begin = ends[k - 1] if k else 0
            done = ends[k] if k < len(ends) else len(text)
            tokens = [_new_token((t.lastgroup, t.start(), t.end(), t.group(), t))
                      for t in _TOKEN.finditer(text, begin, done)]
            out.extend(_Statement(self, tokens, begin, done).facts())
            m = search(text, done)  # the next statement worth reading
        return out


# What only a number read as a fact needs is worked out then: most numbers of a statement are not.
def _value(number: re.Match) -> float:
    """The number as it counts: 1,200 → 1200.0, 3万 → 30000.0."""
    return float(number["digits"].replace(",", "")) * _MULT[number["mult"]]


def _qualifier(number: re.Match, lead_text: str) -> str:
    """approx where the number says so (余, 多, 万) or the words before it do (约, 近, 超过); else exact."""
    return "approx" if number["approx"] or number["mult"] or _APPROX_LEAD.search(lead_text) else "exact"


class _Statement:
    """One sentence (up to 。！？) of a paragraph, its tokens read left to right."""

    def __init__(self, para: _Paragraph, tokens: list[_Token], begin: int, end: int) -> None:
        self.para, self.tokens, self.begin, self.end = para, tokens, begin, end
        self.text = para.text
        self.out: list[Fact] = []
        self.by_number: dict[int, Fact] = {}  # token index → the count fact read from that number
        self.last_application: Fact | None = None  # last count fact of a table-3 metric
        self.subject: str | None = None  # last 行政复议 (review) or 行政诉讼 (litigation) named

    # Most statements state nothing read: what only a fact needs is worked out when one is read.
    @cached_property
    def _sentence(self) -> tuple[str, int]:
        """The statement as printed, trimmed, and its offset in the normalised text."""
        raw = self.para.raw[self.begin:self.end]
        stripped = raw.lstrip()
        return stripped.rstrip(), self.para.source_offset(self.begin + len(raw) - len(stripped))

    @cached_property
    def has_application(self) -> bool:
        """申请 named in the statement, as its subject or in 依申请公开 (依申请公开答复450件)."""
        return any(_names_applying(t) for t in self.tokens)

    @cached_property
    def names_application(self) -> bool:
        """申请 itself named in the statement: what makes a count in 条 an application figure."""
        return any(t.kind == "app" for t in self.tokens)

    @cached_property
    def fee_context(self) -> bool:
        return any(t.kind == "fee" and t.word in ("处理费", "收费") and
                   self.text[max(0, t.start - 3): t.start] != "事业性" for t in self.tokens)

    def facts(self) -> list[Fact]:
        tokens = self.tokens
        for i, t in enumerate(tokens):
            if t.kind == "num":
                self._number(i)
            elif t.kind == "neg":
                self._negation(i)
            elif t.kind == "upheld":
                self._upheld(t)
            elif t.kind in ("rev", "lit"):
                self.subject = t.kind
        return self.out

    # --- helpers ---------------------------------------------------------------------------------
    def _lead(self, i: int) -> tuple[list[_Token], int, bool]:
        """Tokens before number ``i`` back to the clause start or the previous number; the text
        position where that lead starts; whether it starts right after a number."""
        j = i - 1
        while j >= 0 and self.tokens[j].kind not in ("cut", "num"):
            j -= 1
        start = self.tokens[j].end if j >= 0 else self.begin
        return self.tokens[j + 1: i], start, j >= 0 and self.tokens[j].kind == "num"

    def _tail(self, i: int) -> list[_Token]:
        k = i + 1
        while k < len(self.tokens) and self.tokens[k].kind not in ("cut", "num"):
            k += 1
        return self.tokens[i + 1: k]

    def _previous_clause_number(self, i: int) -> int | None:
        """Index of the number that ends the clause before number ``i``'s clause, if it does."""
        j = i - 1
        while j >= 0 and self.tokens[j].kind not in ("cut", "num"):
            j -= 1
        if j < 0 or self.tokens[j].kind != "cut" or j == 0:
            return None
        return j - 1 if self.tokens[j - 1].kind == "num" else None

    def _add(self, metric: str, value: float, unit: str, qualifier: str, matched: str, pos: int, part: str,
             keyword: str, decimals: int = 0, number: int | None = None, why: str = "") -> None:
        sentence, sentence_offset = self._sentence
        if not why:
            why = (f"「{matched}」 negates 「{keyword}」: {metric} = 0" if qualifier == "none_stated" else
                   f"「{matched}」 is a share of the {metric} figure (「{keyword}」)" if qualifier == "share" else
                   f"「{keyword}」 names {metric}")
        fact = _new_fact((metric, value, unit, qualifier, matched, sentence, self.para.source_offset(pos),
                          sentence_offset, part, keyword, decimals, why))
        self.out.append(fact)
        if number is not None and qualifier != "share":
            self.by_number[number] = fact
            if metric in APPLICATION_METRICS:
                self.last_application = fact

    # --- numbers ---------------------------------------------------------------------------------
    def _number(self, i: int) -> None:
        t = self.tokens[i]
        m = t.match
        unit = m["unit"]
        lead, lead_start, after_number = self._lead(i)
        lead_text = self.text[lead_start: t.start]
        if unit in ("%", "％"):
            self._share(i, lead, lead_text, after_number, _value(m), m["digits"])
            return
        if unit in ("元", "万元"):
            if self.fee_context and any(x.kind == "fee" for x in lead):
                value = _value(m) * (10_000 if unit == "万元" else 1)
                self._add("fees_collected", value, "yuan", _qualifier(m, lead_text), t.word, t.start, "total",
                          next(x.word for x in reversed(lead) if x.kind == "fee"), number=i)
            return
        kinds = {x.kind for x in lead}
        read = self._classify(lead, kinds, t.start, lead_text)
        if read is None and _KNOWN.isdisjoint(kinds):
            read = self._classify_tail(self._tail(i))
        if read is None:
            return
        read = self._within_scope(i, lead, unit, read)
        value, qualifier = _value(m), _qualifier(m, lead_text)
        part_word = next((x.word for x in reversed(lead) if x.kind == "part"), None)
        for metric, part, keyword in read:
            why = [f"「{keyword}」 names {metric}"]
            if part_word is not None:
                why.append(f"「{part_word}」: {_VOCAB['part'][part_word].why}")
            if unit in _VOCAB["unit"]:
                why.append(f"unit {unit}: {_VOCAB['unit'][unit].why}")
            self._add(metric, value, unit, qualifier, t.word, t.start, part, keyword, number=i, why="; ".join(why))

    def _within_scope(self, i: int, lead: list[_Token], unit: str,
                      read: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
        """The readings of number ``i`` its statement's subject, unit and scope words allow
        (narrative_vocabulary.csv): 「其中本机关收到60件」 is a subset, 「通过网络渠道…」 one channel,
        「共制发政府信息378条…不予公开77条」 counts items, not applications."""
        # A subset named once (通过网络渠道, 网上申请) scopes the rest of its statement: 「其中，网上申请20件，办结18件」.
        scopes = [x for x in self.tokens[:i] if x.kind == "scope" and
                  (x in lead or _VOCAB["scope"][x.word].meaning == "disqualify")]
        j = i - len(lead) - 1  # the clause's cut: a clause of 其中 alone scopes the next one (其中，…)
        if j >= 1 and self.tokens[j].kind == "cut" and self.tokens[j - 1].kind == "scope" and \
                self.text[self._clause_start(self.tokens[j - 1].start): self.tokens[j].start].strip() == \
                self.tokens[j - 1].word:
            scopes.append(self.tokens[j - 1])
        meanings = {_VOCAB["scope"][x.word].meaning for x in scopes}
        kept = []
        for metric, part, keyword in read:
            if metric in APPLICATION_METRICS:
                if "disqualify" in meanings:
                    continue
                if "narrow" in meanings and metric in ("applications_received", "applications_concluded") \
                        and part == "total":
                    continue
                if _VOCAB["unit"].get(unit, _NO_UNIT).meaning == "items" and not self.names_application:
                    continue
                if any(x.kind == "subj" and _VOCAB["subject"][x.word].meaning == "items"
                       for x in self.tokens if x.start < self.tokens[i].start):
                    continue
            elif metric == "proactive_disclosure" and any(x.kind == "subj" for x in lead):
                continue  # 依申请公开政府信息3条, 制发政府信息378条: not disclosed proactively
            kept.append((metric, part, keyword))
        return kept

    def _classify(self, lead: list[_Token], kinds: set[str], at: int,
                  lead_text: str) -> list[tuple[str, str, str]] | None:
        """(metric, part, keyword) read from the words before a count (``lead``, the ``kinds`` of its
        tokens), most specific first."""
        part = PARTS[next(x.word for x in reversed(lead) if x.kind == "part")] if "part" in kinds else "total"
        if "cf" in kinds or "co" in kinds:
            x = next(x for x in reversed(lead) if x.kind in ("cf", "co"))
            return [("carried_forward" if x.kind == "cf" else "carried_over", part, x.word)]
        if "out" in kinds:
            x = next(x for x in reversed(lead) if x.kind == "out")
            reason = _REASONS.search(self.text, self._clause_start(x.start), x.start)
            if reason is not None and "等" not in self.text[reason.end(): x.start]:
                return None  # 「因属于国家秘密不予公开2件」 may be one row of （三）, not all of it
            return [(OUTCOMES.get(x.word, "outcome_granted"), part, x.word)]
        if "cor" in kinds:
            x = next(x for x in reversed(lead) if x.kind == "cor")
            named = next((y.kind for y in reversed(lead) if y.kind in ("rev", "lit") and y.start < x.start), None)
            subject = "lit" if x.word == "败诉" else named or self.subject
            if subject is None:
                return None
            return [(_CORRECTED[subject], _SUBJECT_PART[subject], x.word)]
        if "rev" in kinds or "lit" in kinds:
            subjects = [x for x in lead if x.kind in ("rev", "lit")]
            last = subjects[-1]
            if _RESULT_WORDS.search(self.text, last.end, at):
                return None
            read = [(_COUNT[last.kind], _SUBJECT_PART[last.kind], last.word)]
            # 「被申请行政复议、提起行政诉讼0条」: one number for both.
            other = next((x for x in reversed(subjects) if x.kind != last.kind), None)
            if other is not None and last.start - other.end <= 6 and \
                    re.search(r"[、和及与或]", self.text[other.end: last.start]):
                read.append((_COUNT[other.kind], _SUBJECT_PART[other.kind], other.word))
            return read
        if "rcv" in kinds or "ccl" in kinds:
            x = next(x for x in reversed(lead) if x.kind in ("rcv", "ccl"))
            between = _FILLER.sub("", self.text[x.end: at])
            if between and "申请" not in between:
                return None
            if x.kind == "rcv":
                tail_app = any(y.kind == "app" for y in lead) or "申请" in between or self._clause_has_app(at)
                return [("applications_received", part, x.word)] if tail_app else None
            return [("applications_concluded", part, x.word)] if self.has_application else None
        if "part" in kinds and self.last_application is not None:
            last = self.last_application
            return [(last.metric, part, last.keyword)]
        if "规范性文件" in lead_text and _NORMATIVE.search(lead_text) and not _NOT_NORMATIVE.search(lead_text):
            return [("normative_documents", "total", "规范性文件")]
        if "信息" in lead_text:
            p = _PROACTIVE.search(lead_text)
            if p is not None and not _NOT_PROACTIVE.search(lead_text) and not self._clause_has_channel(at):
                return [("proactive_disclosure", "total", p.group().strip())]
        return None

    def _classify_tail(self, tail: list[_Token]) -> list[tuple[str, str, str]] | None:
        """What the words after a count name, when the words before it named nothing:
        「1件结转下年度继续办理」, 「有 1 件涉及…的行政复议」."""
        for x in tail:
            if x.kind == "cf":
                return [("carried_forward", "total", x.word)]
            if x.kind == "co":
                return [("carried_over", "total", x.word)]
            if x.kind == "out":
                return [(OUTCOMES.get(x.word, "outcome_granted"), "total", x.word)]
            if x.kind in ("rev", "lit"):
                return [(_COUNT[x.kind], _SUBJECT_PART[x.kind], x.word)]
        return None

    def _clause_start(self, at: int) -> int:
        """Text position where the clause holding position ``at`` starts."""
        start = self.begin
        for t in self.tokens:
            if t.start >= at:
                break
            if t.kind == "cut":
                start = t.end
        return start

    def _clause_has_app(self, at: int) -> bool:
        """申请 named in the clause after position ``at`` (「收到70件申请」)."""
        for t in self.tokens:
            if t.start < at:
                continue
            if t.kind == "cut":
                return False
            if _names_applying(t):
                return True
        return False

    def _clause_has_channel(self, at: int) -> bool:
        end = next((t.start for t in self.tokens if t.start >= at and t.kind == "cut"), self.end)
        return _NOT_PROACTIVE.search(self.text, at, end) is not None

    # --- shares ----------------------------------------------------------------------------------
    def _share(self, i: int, lead: list[_Token], lead_text: str, after_number: bool, value: float,
               digits: str) -> None:
        t = self.tokens[i]
        decimals = len(digits.partition(".")[2])
        rate = next((x for x in lead if x.kind == "rate"), None)
        if rate is not None:
            if self.has_application:
                self._add("applications_concluded", value, "%", "share", t.word, t.start, "total", rate.word, decimals)
            return
        of = None
        if after_number and _BRACKET_LEAD.fullmatch(lead_text):  # 208 件（17.46%）
            of = self.by_number.get(i - 1)
        elif _SHARE_LEAD.fullmatch(lead_text):  # 258件，占33.9%
            j = self._previous_clause_number(i)
            of = self.by_number.get(j) if j is not None else None
        if of is not None:
            self._add(of.metric, value, "%", "share", t.word, t.start, of.part, of.keyword, decimals)

    # --- statements without a number -------------------------------------------------------------
    def _negation(self, i: int) -> None:
        """「未发生行政复议和行政诉讼」, 「未被复议审查机关纠错」, 「无收取信息处理费情况」: 0 of what is negated."""
        scope = []
        for t in self.tokens[i + 1:]:
            if t.kind == "cut":
                break
            if t.kind == "num":
                return  # 「未…的有 3 件」 states a number, read as such
            scope.append(t)
        neg = self.tokens[i]
        end = scope[-1].end if scope else neg.end
        matched = self.text[neg.start: end]
        subjects = [t for t in scope if t.kind in ("rev", "lit")]
        corrections = [t for t in scope if t.kind == "cor"]
        if corrections:
            if subjects:
                targets = {t.kind: t for t in subjects}
            elif corrections[0].word == "败诉":
                targets = {"lit": corrections[0]}
            elif self.text[neg.start - 1: neg.start] in ("均", "都", "皆", "全"):
                # 「复议2件，诉讼1件，均未被纠错」: all the cases counted before
                counted = {f.metric for f in self.out if f.qualifier != "none_stated"}
                targets = {kind: corrections[0] for kind, count in _COUNT.items() if count in counted}
            elif self.subject is not None:
                targets = {self.subject: corrections[0]}
            else:
                return
            for kind, t in targets.items():
                self._add(_CORRECTED[kind], 0.0, "件", "none_stated", matched, t.start, _SUBJECT_PART[kind],
                          corrections[0].word)
        elif subjects:
            for kind, t in {t.kind: t for t in subjects}.items():
                self._add(_COUNT[kind], 0.0, "件", "none_stated", matched, t.start, _SUBJECT_PART[kind], t.word)
        elif any(t.kind in ("cf", "co") for t in scope):  # 「无下年度结转」
            t = next(t for t in scope if t.kind in ("cf", "co"))
            self._add("carried_forward" if t.kind == "cf" else "carried_over", 0.0, "件", "none_stated", matched,
                      t.start, "total", t.word)
        elif any(t.kind == "fee" and t.word in ("处理费", "收费") for t in scope) or \
                {"收取", "费用"} <= {t.word for t in scope if t.kind == "fee"}:
            t = next(t for t in scope if t.kind == "fee")
            self._add("fees_collected", 0.0, "yuan", "none_stated", matched, t.start, "total", t.word)
        elif any(_names_applying(t) for t in scope) and not any(t.kind in ("out", "ccl") for t in scope):
            t = next(t for t in scope if _names_applying(t))
            self._add("applications_received", 0.0, "件", "none_stated", matched, t.start, "total", "申请")

    def _upheld(self, t: _Token) -> None:
        """「行政复议7件，诉讼9件，均获维持」: none of them corrected."""
        kinds = {f.metric for f in self.out if f.qualifier != "none_stated"}
        for count, kind in (("review_count", "rev"), ("litigation_count", "lit")):
            if count in kinds:
                self._add(_CORRECTED[kind], 0.0, "件", "none_stated", t.word, t.start, _SUBJECT_PART[kind], t.word)


_SENTENCE_END = re.compile(r"[。！？!?]")
_NO_UNIT = _Phrase("unit", "", "", "")


def _names_applying(t: _Token) -> bool:
    """申请, or 依申请公开 (a way of disclosing that names applying): 「依申请公开答复450件」."""
    return t.kind == "app" or (t.kind == "subj" and _VOCAB["subject"][t.word].meaning == "mode")
_COUNT = {"rev": "review_count", "lit": "litigation_count"}
_CORRECTED = {"rev": "review_corrected", "lit": "litigation_corrected"}
_SUBJECT_PART = {"rev": "review", "lit": "litigation"}
# Token kinds that name something: a lead holding one of them is read from, never its tail.
_KNOWN = {"cf", "co", "out", "cor", "rev", "lit", "rcv", "ccl", "rate", "fee", "part"}
