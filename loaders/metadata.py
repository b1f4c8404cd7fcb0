"""Report metadata from the text: title, agency (simplified) and the year reported on."""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
import unicodedata
from typing import NamedTuple

from .cells import Lines

# An agency name: no punctuation, digits or Latin letters (crawler lines such as "本地目录: zwgk/…/80629_"
# or "==== 正文 ====" sit next to titles).
_NAME = r"[^\s，。、：:；;,!！?？()《》“”\"'<>|\[\]【】=/\\_#*~\-0-9A-Za-z]"
# What follows the agency in a title that names it first: the year and the title's words.
_YEAR_AND_TITLE = r"(?P<year>(?:19|20)\d{2})\s*年度?\s*(?:度\s*)?(?:政府)?信息公开(?:工作)?\s*(?:年度)?\s*(?:工作)?\s*(?:报告|年报)"
_AGENCY_FIRST = re.compile(rf"(?P<agency>{_NAME}{{2,40}}?)\s*{_YEAR_AND_TITLE}")
_AFTER_AGENCY = re.compile(_YEAR_AND_TITLE)
_NAME_RUN = re.compile(f"{_NAME}{{0,40}}")
# "2023年政府信息公开工作年度报告" names no agency: 政府 there is the report's name, not an agency.
_YEAR_FIRST = re.compile(
    rf"(?P<year>(?:19|20)\d{{2}})\s*(?>年度?)\s*(?P<agency>(?!政府信息公开){_NAME}{{2,40}}?)\s*(?:政府)?信息公开(?:工作)?\s*(?:年度)?\s*(?:工作)?\s*(?:报告|年报)")
# Words around the name in sentences such as "特编制杭州钱江经济开发区2022年度…报告", "…办公室关于印发…的通知".
_LEADING_WORDS = re.compile(r"^.*?(?:特编制|现编制|编制了?|编写|特发布|现发布|现公布|现将|特此|印发|公布|发布)(?=.{2,})")
_TRAILING_WORDS = re.compile(r"(?:关于|的|之)$")
# Lines that name another report: links and site chrome, never this report's title (「相关阅读：嘉兴市南湖区2019年度…」).
_LINK_LINE = re.compile(
    r"^[\s\[【（(<《「·•*#>-]*(?:相关阅读|相关链接|相关文章|相关文件|相关新闻|相关稿件|相关报告|相关信息|相关内容|延伸阅读|"
    r"推荐阅读|扩展阅读|拓展阅读|猜你喜欢|往期回顾|往年报告|历年报告|往年年报|历年年报|上一篇|下一篇|上一条|下一条|上一页|下一页|"
    r"上篇|下篇|原文链接|链接|附件|点击查看|查看原文|点击下载|下载)")


class Metadata(NamedTuple):
    title: str | None
    agency: str | None
    year: int | None


def find_metadata(lines: Lines, body_start: int) -> Metadata:
    """Title, agency and year: from title-like lines before the body, else the first sentences.

    ``body_start`` is the index of the first section heading; site chrome may sit above the
    title, so the last title-like line before the body wins.

    >>> from .cells import split_lines
    >>> t = "嘉兴港区2020年度政府信息公开工作\\n\\n年度报告\\n一、总体情况"
    >>> find_metadata(split_lines(t, t), 3)
    Metadata(title='嘉兴港区2020年度政府信息公开工作年度报告', agency='嘉兴港区', year=2020)
    """
    prose = [text.strip() for raw, text in zip(lines.raw[:body_start], lines.text[:body_start])
             if text.strip() and not raw.startswith("\t") and not _LINK_LINE.match(text)]
    titles = []
    for k, line in enumerate(prose):
        joined = line + (prose[k + 1] if k + 1 < len(prose) else "")
        m = _match(joined)
        if m and len(line) <= 60:
            titles.append((m, joined))
    # Links to other years' and other agencies' reports sit around a title: the year the body speaks of
    # decides, then whether the body names the agency.
    year, body = body_year(lines, body_start), _body_head(lines, body_start)
    dated = [t for t in titles if int(t[0]["year"]) == year] or titles
    named = [t for t in dated if clean_agency(t[0]["agency"]) in body]
    best = (named or dated)[-1] if dated else None
    if best and not named:
        agency = clean_agency(best[0]["agency"])
        others = {clean_agency(t[0]["agency"]) for t in dated}
        if any(not (a.endswith(agency) or agency.endswith(a)) for a in others):
            # Titles of several agencies (a list of other reports) and a body that names none: no guess.
            return Metadata(None, None, int(best[0]["year"]))
    if best is None:
        head = "".join([line for text in lines.text[: max(body_start, 1) + 40]
                        if (line := text.strip()) and not _LINK_LINE.match(text)])[:6000]
        m = _match(head)
        if m:
            best = (m, head)
    if best is None:
        return Metadata(None, None, None)
    m, source = best
    if _NOT_AN_AGENCY.fullmatch(_strip_words(m["agency"])):
        return Metadata(None, None, int(m["year"]))
    # The title as printed (invisible characters included, for the record); the agency name normalised.
    title = source[m.start(): m.end()].replace(m["agency"], _strip_words(m["agency"]), 1)
    agency = clean_agency(m["agency"])
    return Metadata(re.sub(r"\s+", "", title), agency or None, int(m["year"]))


def _body_head(lines: Lines, body_start: int) -> str:
    """The first lines of the body (simplified): where a report names its own agency."""
    return "".join(lines.text[body_start: body_start + 60])


_BODY_YEAR_CHARS = 3000  # the first pages of the body, where the year reported on is said


def body_year(lines: Lines, body_start: int) -> int | None:
    """The year the report's first pages speak of most ("本报告所列数据的统计期限自2023年1月1日…",
    "2023年，我区…"): the year reported on.

    >>> from .cells import split_lines
    >>> t = "甲区2022年度政府信息公开工作年度报告\\n一、总体情况\\n2023年，我区……2023年1月1日至2023年12月31日"
    >>> body_year(split_lines(t, t), 1)
    2023
    """
    start = lines.offset[body_start] if body_start < len(lines.offset) else len(lines.source)
    text, end = lines.source, min(start + _BODY_YEAR_CHARS, len(lines.source))
    years: dict[str, int] = {}
    # Each 年 of the window, read backwards: a year is 19xx or 20xx, then white space, then 年 (the
    # pattern (?:19|20)\d{2}\s*年), not preceded by a digit (12023年). A regular expression tries its
    # pattern at every 1 and 2 of the window; a report has far fewer 年.
    at = text.find("年", start + 4, end)
    while at >= 0:
        digits_end = at
        while digits_end > start and text[digits_end - 1].isspace():
            digits_end -= 1
        first = digits_end - 4
        year = text[first: digits_end]
        if first >= start and year[:2] in ("19", "20") and year[2:].isdecimal() \
                and not (first and text[first - 1].isdecimal()):
            years[year] = years.get(year, 0) + 1
        at = text.find("年", at + 1, end)
    return int(max(years, key=years.get)) if years else None  # ties: the year mentioned first


# Words a sentence puts where a title has the agency: "现将本局2023年度…报告公布如下".
_NOT_AN_AGENCY = re.compile(r"[本我该此][局委办厅处室机关单位部门中心院府区县市镇乡街道]{1,4}|现将|特将|度?政府")


def _match(text: str):
    if "信息公开" not in text or ("报告" not in text and "年报" not in text):
        return None  # what both patterns need, tested first: most lines are not titles
    return agency_first(text) or _YEAR_FIRST.search(text)


def agency_first(text: str):
    """``_AGENCY_FIRST.search(text)``, searched only where a match starts: a name is 2 to 40 characters,
    none of them white space or a digit, so the leftmost match starts where the longest name (up to 40)
    ends before the white space that precedes a year followed by the title's words (found by a pattern
    that starts with the year, which the engine looks for quickly). A long text (the first pages, where
    no title line is found) is then not tried at every character and name length.

    >>> agency_first("。" * 500 + "甲区2023年度政府信息公开工作年度报告").group("agency", "year")
    ('甲区', '2023')
    """
    starts = []
    for m in _AFTER_AGENCY.finditer(text):
        name_end = m.start()
        while name_end and text[name_end - 1].isspace():
            name_end -= 1
        # The name characters just before, read backwards: the longest name this year can follow.
        longest = _NAME_RUN.match(text[max(0, name_end - 40): name_end][::-1]).end()
        if longest >= 2:
            starts.append(name_end - longest)
    return _AGENCY_FIRST.search(text, min(starts)) if starts else None


@lru_cache(maxsize=4096)  # a report's titles repeat one name; agencies repeat across reports
def clean_agency(name: str) -> str:
    """Strip the words around an agency name, and normalise it: invisible characters (zero-width spaces,
    NUL and other controls, bidirectional overrides) removed, compatibility forms folded (NFKC: full-width
    letters, the Kangxi radicals PDF text often has for 人 or 民…), so one agency is one name.

    >>> clean_agency("特编制杭州钱江经济开发区"), clean_agency("关于余杭区人民政府办公室")
    ('杭州钱江经济开发区', '余杭区人民政府办公室')
    >>> clean_agency("余杭区\\u200b人民政府\\x00办公室\\u202e"), clean_agency("余杭区⼈民政府办公室")
    ('余杭区人民政府办公室', '余杭区人民政府办公室')
    """
    return normalise_name(_strip_words(name))


def _strip_words(name: str) -> str:
    name = re.sub(r"\s+", "", name)
    name = _LEADING_WORDS.sub("", name)
    name = re.sub(r"^关于", "", name)
    return _TRAILING_WORDS.sub("", name)


# Unicode categories that print nothing: controls, format characters (ZWSP, ZWJ, bidi overrides, BOM),
# surrogates, private use, unassigned.
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn"}


def normalise_name(name: str) -> str:
    """A name without invisible characters or white space, in NFKC form.

    >>> normalise_name("嘉兴\\u2060港区\\ufeff ")
    '嘉兴港区'
    """
    name = unicodedata.normalize("NFKC", name)
    return "".join(ch for ch in name if unicodedata.category(ch) not in _INVISIBLE and not ch.isspace())


# --- further reports in the same file ------------------------------------------------------------
_T3_HEADING = ("收到和处理政府信息公开申请", "收到和處理政府信息公開申請")


def may_hold_several(text: str) -> bool:
    """Cheap test: could the text hold more than one report (two table-3 headings)?"""
    return sum(text.count(key) for key in _T3_HEADING) >= 2


def further_reports(text: str, simplified: str | None = None) -> list[str]:
    """The identities ("agency year") of the reports that follow the first one in the same file.

    Two reports concatenated in one file load as the first only; the ones after it are named here so
    that the loss is stated, not silent. A further report is a title-like line followed by its own
    table-3 heading, after the first report's table-3 heading. ``simplified``: the text in simplified
    script, when it was traditional.

    >>> one = "甲区2019年度政府信息公开工作年度报告\\n三、收到和处理政府信息公开申请情况\\n\\t1\\n"
    >>> further_reports(one), further_reports(one + one.replace("甲区2019", "乙区2020"))
    ([], ['乙区 2020'])
    """
    if not may_hold_several(text):
        return []
    lines = (simplified or text).split("\n")
    headings = [i for i, line in enumerate(lines)
                if _T3_HEADING[0] in line and not line.startswith("\t") and len(line.strip()) <= 40]
    found = []
    for previous, heading in zip(headings, headings[1:]):
        segment = [line for line in lines[previous + 1: heading]
                   if line.strip() and not line.startswith("\t") and not _LINK_LINE.match(line)]
        # A new report's body starts with 总体情况; its title is a short line, or a sentence before that heading.
        body = next((k for k in range(len(segment) - 1, -1, -1)
                     if "总体情况" in segment[k] and len(segment[k].strip()) <= 40), None)
        titles = [line.strip() for line in segment if len(line.strip()) <= 60]
        if body is not None:
            titles += [line.strip() for line in segment[:body] if len(line.strip()) > 60]
        identity = None
        for k in range(len(titles) - 1, -1, -1):
            m = _match(titles[k] + (titles[k + 1] if k + 1 < len(titles) else ""))
            if m:
                identity = f"{clean_agency(m['agency'])} {m['year']}"
                break
        if identity or body is not None:
            found.append(identity or "one whose title was not found")
    return found


# --- the date the report is signed -----------------------------------------------------------------
_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "Ｏ": 0, "O": 0}
_SIGNED = re.compile(r"^\s*(?P<y>\d{4}|[〇○零Ｏ一二三四五六七八九]{4})\s*年\s*(?P<m>\d{1,2}|[一二三四五六七八九十]{1,2})\s*月"
                     r"\s*(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})\s*日\s*$")
_SIGNED_ISO = re.compile(r"^\s*(?P<y>\d{4})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})\s*$")


def printed_date(text: str, year: int | None) -> dt.date | None:
    """The date the report is signed: a line holding only a date among its last ten lines, in the year
    reported on or the two after it; None when there is no such line.

    >>> printed_date("……\\n杭州市下城区人民政府东新街道办事处\\n\\n  2021年1月28日\\n", 2020)
    datetime.date(2021, 1, 28)
    >>> printed_date("……\\n二〇二一年一月二十日\\n", 2020), printed_date("2030年1月1日\\n", 2020)
    (datetime.date(2021, 1, 20), None)
    """
    tail = [line for line in text[-3000:].split("\n") if line.strip()][-10:]
    for line in reversed(tail):
        m = _SIGNED.match(line) or _SIGNED_ISO.match(line)
        if not m:
            continue
        try:
            date = dt.date(_number(m["y"]), _number(m["m"]), _number(m["d"]))
        except (ValueError, KeyError):
            return None
        return date if year is None or year <= date.year <= year + 2 else None
    return None


def _number(text: str) -> int:
    """'2021' → 2021, '二〇二一' → 2021, '十二' → 12, '二十八' → 28."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return int("".join(str(_DIGITS[c]) for c in text))
    tens, _, ones = text.partition("十")
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)
