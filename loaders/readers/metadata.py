"""Report metadata from the text: title, agency (simplified) and the year reported on."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import cache
from typing import NamedTuple

from ..patterns import HEADING_MAX_CHARS
from ..text.cells import Lines
from ..text.normalise import to_traditional
from ..vocabulary import HEADING_KEYS

# A year: printed in digits or in Chinese numerals (二〇一九年度), never right after a digit (12023年).
_YEAR = r"(?<!\d)(?P<year>(?:19|20)\d{2}|(?:一九|二[〇○零])[〇○零一二三四五六七八九]{2})"
_TITLE_WORDS = r"\s*年度?\s*(?:度\s*)?(?:政府)?信息公开(?:工作)?\s*(?:年度)?\s*(?:工作)?\s*(?:报告|年报)"
_AFTER_AGENCY = re.compile(_YEAR + _TITLE_WORDS)
# What an agency's name is made of: anything but line breaks, tabs, sentence punctuation, quotes, Latin letters and
# the marks of paths, markup and site chrome ("本地目录: zwgk/…/80629_", "# ", "标题："). Spaces, 、, hyphens,
# brackets of both widths and digits are kept: 「杭州钱塘新区 管理委员会」, 「余杭区人民政府办公室、余杭区外事办」,
# 「余杭区人民政府办公室(区外事办)」 are whole names.
_NAME_CHAR = r"[^\n\t，。：:；;,!！?？《》〈〉“”\"'‘’<>|\[\]【】「」『』=/\\_#*~.．…@&%+^$`{}A-Za-z]"
_NAME_RUN = re.compile(f"{_NAME_CHAR}*")
# The rule agency_first implements (and is tested against): the whole run of name characters just before a year
# and the title's words.
_AGENCY_FIRST = re.compile(rf"(?<!{_NAME_CHAR})(?P<agency>{_NAME_CHAR}+?)\s*{_YEAR}{_TITLE_WORDS}")
# "2023年政府信息公开工作年度报告" names no agency: 政府 there is the report's name, not an agency.
_YEAR_FIRST = re.compile(
    rf"{_YEAR}\s*(?>年度?)\s*(?P<agency>(?!政府信息公开){_NAME_CHAR}{{2,}}?)\s*(?P<gov>政府)?信息公开(?:工作)?\s*"
    r"(?:年度)?\s*(?:工作)?\s*(?:报告|年报)")
# Words around the name in sentences such as "特编制杭州钱江经济开发区2022年度…报告", "…办公室关于印发…的通知", and what
# a crawler puts before it (an id, a date): not part of the name.
_LEADING_WORDS = re.compile(r"^.*?(?:特编制|现编制|编制了?|编写|特发布|现发布|现公布|现将|特此|印发|公布|发布)(?=.{2,})")
_LEADING_MARKS = re.compile(r"^\s*\d[\d\s]*(?:[-－—]\s*\d[\d\s]*)*")  # an id or a date: 80576, 2020-00012
_TRAILING_WORDS = re.compile(r"(?:关于(?:印发|公布|发布|公开)?|的|之)$")
# Lines that name another report: links and site chrome, never this report's title (「相关阅读：嘉兴市南湖区2019年度…」).
_LINK_LINE = re.compile(
    r"^[\s\[【（(<《「·•*#>-]*(?:相关阅读|相关链接|相关文章|相关文件|相关新闻|相关稿件|相关报告|相关信息|相关内容|延伸阅读|"
    r"推荐阅读|扩展阅读|拓展阅读|猜你喜欢|往期回顾|往年报告|历年报告|往年年报|历年年报|上一篇|下一篇|上一条|下一条|上一页|下一页|"
    r"上篇|下篇|原文链接|链接|附件|点击查看|查看原文|点击下载|下载)")
# A title line is short; a longer line is a title only when the title starts it (a page flattened to one line) or its
# words end it (a long name: 「杭州市余杭区人民政府办公室（杭州市余杭区人民政府外事办公室、杭州市余杭区人民政府港澳
# 事务办公室）2019年度…报告」).
_TITLE_LINE_CHARS = 60
# A corrected or revised re-publication says so by its title (「…年度报告（更正）」, 「修订版」) or in a short line under it.
_REVISION = re.compile(r"更正|修订|修正")
_REVISION_LINE_CHARS = 30


class Metadata(NamedTuple):
    title: str | None
    agency: str | None
    year: int | None
    printed_agency: str | None = None  # the name as the title prints it (script, spaces, brackets)
    revision: str | None = None  # the 更正/修订 words printed with the title, when there are some
    problem: str | None = None  # why the title's agency is not taken, when it is not


class _Title(NamedTuple):
    """A title found in the lines before the body."""

    at: int  # offset of its year in the text: two finds of one title share it
    year: int
    begin: int  # where the title begins, the name starts and ends, and the title ends, in ``text``/``raw``
    start: int
    end: int
    stop: int
    text: str  # the line(s) searched, simplified
    raw: str  # the same, as printed
    problem: str | None  # why the name is not whole, or None

    @property
    def agency(self) -> str:
        return normalise_name(self.text[self.start: self.end])


def find_metadata(lines: Lines, body_start: int) -> Metadata:
    """Title, agency and year: from title-like lines before the body, else the first sentences.

    ``body_start`` is the index of the first section heading; site chrome may sit above the
    title, so the last title-like line before the body wins. The agency is the whole name the title
    prints before the year; a name that cannot be told whole (its brackets do not match, it starts
    inside a bracket or after a 、) is not taken: the problem says why.

    >>> from ..text.cells import split_lines
    >>> t = "嘉兴港区2020年度政府信息公开工作\\n\\n年度报告\\n一、总体情况"
    >>> find_metadata(split_lines(t, t), 3)[:3]
    ('嘉兴港区2020年度政府信息公开工作年度报告', '嘉兴港区', 2020)
    >>> t = "杭州钱塘新区 管理委员会2020年度政府信息公开工作年度报告\\n一、总体情况"
    >>> find_metadata(split_lines(t, t), 1)[:4]
    ('杭州钱塘新区 管理委员会2020年度政府信息公开工作年度报告', '杭州钱塘新区管理委员会', 2020, '杭州钱塘新区 管理委员会')
    """
    prose = [k for k in range(min(body_start, len(lines.raw)))
             if lines.text[k].strip() and not lines.raw[k].startswith("\t") and not _LINK_LINE.match(lines.text[k])]
    found = _titles(lines, prose, body_start)
    # Links to other years' and other agencies' reports sit around a title: the year the body speaks of
    # decides, then whether the body names the agency.
    year, body = body_year(lines, body_start), _body_head(lines, body_start)
    dated = [t for t in found if t.year == year] or found
    named = [t for t in dated if not t.problem and t.agency in body]
    best = (named or dated)[-1] if dated else None
    if best and not named:
        others = {t.agency for t in dated}
        if any(not (a.endswith(best.agency) or best.agency.endswith(a)) for a in others):
            # Titles of several agencies (a list of other reports) and a body that names none: no guess.
            return Metadata(None, None, best.year)
    from_lines = best is not None
    if best is None:
        head = "\n".join([line for text in lines.text[: max(body_start, 1) + 40]
                          if (line := text.strip()) and not _LINK_LINE.match(text)])[:6000]
        raw_head = "\n".join([line for raw, text in zip(lines.raw, lines.text[: max(body_start, 1) + 40])
                              if (line := raw.strip()) and not _LINK_LINE.match(text)])[:6000]
        best = _title_in(head, raw_head, 0)
    if best is None:
        return Metadata(None, None, None)
    if best.problem:
        return Metadata(None, None, best.year, problem=best.problem)
    printed = "".join(ch for ch in best.raw[best.start: best.end].strip() if unicodedata.category(ch) not in _INVISIBLE)
    return Metadata(best.raw[best.begin: best.stop].strip(), best.agency, best.year, printed,
                    _revision(lines, prose if from_lines else [], best))


def _titles(lines: Lines, prose: list[int], body_start: int) -> list[_Title]:
    """The titles of the lines before the body, one per title printed (its year's place), in order.

    A title is looked for in each line, and in each line joined to the next (a title wrapped after its name,
    or in its words). A name wrapped over two lines is taken whole only when the line alone would not give a
    whole name, or when the text after the title names the agency by the two lines' name: the line above
    a title is as often the site's name as the start of the agency's.
    """
    by_year: dict[int, list[tuple[bool, _Title]]] = {}
    for j, k in enumerate(prose):
        text, raw = lines.text[k], lines.raw[k]
        base = lines.offset[k]
        alone = _title_in(text, raw, base)
        if alone and (len(text.strip()) <= _TITLE_LINE_CHARS or not text[alone.stop:].strip()
                      or not text[: alone.begin].strip()):
            by_year.setdefault(alone.at, []).append((False, alone))
        if j + 1 < len(prose) and len(text.strip()) <= _TITLE_LINE_CHARS + 20:
            # Joined without the white space around the line break (layout, not print).
            n = prose[j + 1]
            first, second = text.rstrip(), lines.text[n].lstrip()
            indent = len(lines.text[n]) - len(second)
            joined = _title_in(first + second, raw[: len(first)] + lines.raw[n][indent:], base,
                               second_line=(len(first), lines.offset[n] + indent))
            in_second = joined is not None and joined.at >= lines.offset[n]
            if joined and joined.start < len(first) and (in_second or joined.stop > len(first)):
                by_year.setdefault(joined.at, []).append((in_second, joined))
    rest = _text_after_titles(lines, body_start)
    found = []
    for at in sorted(by_year):
        alone = next((t for spans, t in by_year[at] if not spans), None)
        spanning = next((t for spans, t in by_year[at] if spans), None)
        if spanning is None or spanning.problem:
            found.append(alone or spanning)
        elif alone is None or alone.problem or spanning.agency in rest:
            found.append(spanning)
        else:
            found.append(alone)
    return found


def _text_after_titles(lines: Lines, body_start: int) -> str:
    """Where a report names its agency again: the first pages of the body and the signature at its end (never the
    lines before the body, where the titles are), line by line."""
    return "\n".join(lines.text[body_start: body_start + 60] + lines.text[max(body_start, len(lines.text) - 20):])


def _title_in(text: str, raw: str, base: int, second_line: tuple[int, int] | None = None) -> _Title | None:
    """The first title in ``text`` (``raw``: the same as printed), agency first or year first, with the offset of
    its year; ``second_line``: (where the second of two joined lines starts in ``text``, its offset)."""
    if "信息公开" not in text or ("报告" not in text and "年报" not in text):
        return None  # what both patterns need, tested first: most lines are not titles
    m = agency_first(text)
    if m:
        start, end = m.start("agency"), m.end("agency")
    else:
        m = _YEAR_FIRST.search(text)
        if not m:
            return None
        start, end = m.start("agency"), m.end("agency")
        if m["gov"] and text[start:end].endswith("人民"):
            end = m.end("gov")  # 「2019年度余杭区人民政府信息公开…」: the agency is 余杭区人民政府
    year_at = m.start("year")
    if second_line and year_at >= second_line[0]:
        at = second_line[1] + year_at - second_line[0]
    else:
        at = base + year_at
    start, end = _trimmed(text, start, end)
    return _Title(at, _year(m["year"]), min(start, m.start("year")), start, end, m.end(), text, raw,
                  _not_whole(text[start:end]))


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The name's bounds without the words and marks around it (特编制, 关于, a crawler's id, white space)."""
    name = text[start:end]
    lead = _LEADING_WORDS.match(name)
    cut = lead.end() if lead else 0
    marks = _LEADING_MARKS.match(name[cut:])
    cut += marks.end() if marks else 0
    cut += len(name[cut:]) - len(name[cut:].lstrip())
    if name[cut:].startswith("关于"):
        cut += 2
    name = name[cut:].rstrip()
    trail = _TRAILING_WORDS.search(name)
    name = name[: trail.start()].rstrip() if trail else name
    return start + cut, start + cut + len(name)


_OPEN, _CLOSE = "（(〔", "）)〕"


def _not_whole(name: str) -> str | None:
    """Why ``name`` is not a whole agency name, or None when it is.

    >>> _not_whole("余杭区人民政府办公室(区外事办)"), _not_whole("杭州市余杭区人民政府港澳事务办公室)")
    (None, "the agency's name in the title cannot be told whole: '杭州市余杭区人民政府港澳事务办公室)' (its brackets do not match)")
    """
    clean = normalise_name(name)
    depth, why = 0, None
    for ch in clean:
        depth += (ch in _OPEN) - (ch in _CLOSE)
        if depth < 0:
            break
    if depth != 0:
        why = "its brackets do not match"
    elif clean[:1] in "、-－—·" or clean[-1:] in "、-－—·":
        why = "it starts or ends with a separator"
    elif _AFTER_AGENCY.search(clean):
        why = "it holds another title"
    elif sum(1 for ch in clean if "\u4e00" <= ch <= "\u9fff") < 2:
        return "no agency is named before the year" if not clean else (
            f"the agency's name in the title cannot be told whole: {name.strip()!r} (fewer than two characters)")
    elif _NOT_AN_AGENCY.fullmatch(clean):
        return f"the title names no agency: {name.strip()!r} is not a name"
    return f"the agency's name in the title cannot be told whole: {name.strip()!r} ({why})" if why else None


def _year(text: str) -> int:
    """'2019' → 2019, '二〇一九' → 2019."""
    return int(text) if text.isdigit() else _number(text)


def _revision(lines: Lines, prose: list[int], title: _Title) -> str | None:
    """The 更正/修订 words printed after the title on its line, or in a short line of ``prose`` between it and
    the body (not 「根据新修订的《条例》」: a sentence, and about the regulations)."""
    after = title.text[title.stop:].strip()
    if _REVISION.search(after) and "条例" not in after:
        return title.raw[title.stop:].strip()
    first = lines.index_at(title.at)
    for k in prose:
        text = lines.text[k].strip()
        if k > first and len(text) <= _REVISION_LINE_CHARS and _REVISION.search(text) and "条例" not in text:
            return lines.raw[k].strip()
    return None


def _body_head(lines: Lines, body_start: int) -> str:
    """The first lines of the body (simplified): where a report names its own agency."""
    return "".join(lines.text[body_start: body_start + 60])


_BODY_YEAR_CHARS = 3000  # the first pages of the body, where the year reported on is said


def body_year(lines: Lines, body_start: int) -> int | None:
    """The year the report's first pages speak of most ("本报告所列数据的统计期限自2023年1月1日…",
    "2023年，我区…"): the year reported on.

    >>> from ..text.cells import split_lines
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


def agency_first(text: str):
    """``_AGENCY_FIRST.search(text)``, searched only where a match starts: the name is the whole run of name
    characters before a year followed by the title's words (found by a pattern that starts with the year,
    which the engine looks for quickly), so the leftmost match starts where the run before the first such
    year starts. A long text (the first pages, where no title line is found) is then not tried at every
    character.

    >>> agency_first("。" * 500 + "甲区2023年度政府信息公开工作年度报告").group("agency", "year")
    ('甲区', '2023')
    """
    for m in _AFTER_AGENCY.finditer(text):
        name_end = m.start()
        while name_end and text[name_end - 1].isspace():
            name_end -= 1
        # The name characters just before, read backwards: where the run this year follows starts.
        run = _NAME_RUN.match(text[name_end - 1:: -1] if name_end else "").end()
        if run:
            return _AGENCY_FIRST.search(text, name_end - run)
    return None


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
# The words every heading of table 3 holds (the seed's shortest: the others say more).
_T3_HEADING = min(HEADING_KEYS["t3"], key=len)


@cache  # OpenCC is loaded once, and only when a text is first asked about
def _t3_heading_scripts() -> tuple[str, str]:
    """Table 3's heading words as a simplified and as a traditional report prints them."""
    return _T3_HEADING, to_traditional(_T3_HEADING)


def may_hold_several(text: str) -> bool:
    """Cheap test: could the text hold more than one report (two table-3 headings)?"""
    return sum(text.count(key) for key in _t3_heading_scripts()) >= 2


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
                if _T3_HEADING in line and not line.startswith("\t") and len(line.strip()) <= HEADING_MAX_CHARS]
    found = []
    for previous, heading in zip(headings, headings[1:]):
        segment = [line for line in lines[previous + 1: heading]
                   if line.strip() and not line.startswith("\t") and not _LINK_LINE.match(line)]
        # A new report's body starts with 总体情况; its title is a short line, or a sentence before that heading.
        body = next((k for k in range(len(segment) - 1, -1, -1)
                     if "总体情况" in segment[k] and len(segment[k].strip()) <= HEADING_MAX_CHARS), None)
        titles = [line.strip() for line in segment if len(line.strip()) <= 60]
        if body is not None:
            titles += [line.strip() for line in segment[:body] if len(line.strip()) > 60]
        identity = None
        for k in range(len(titles) - 1, -1, -1):
            joined = titles[k] + (titles[k + 1] if k + 1 < len(titles) else "")
            title = _title_in(joined, joined, 0)
            if title:
                identity = f"{title.agency if not title.problem else 'an agency not told whole'} {title.year}"
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
