"""Report metadata from the text: title, agency (simplified) and the year reported on."""
from __future__ import annotations

import re
from typing import NamedTuple

from .cells import Lines

_NAME = r"[^\s，。、：:；;,!！?？（）()《》“”\"'<>|\[\]【】]"
_AGENCY_FIRST = re.compile(
    rf"(?P<agency>{_NAME}{{2,40}}?)\s*(?P<year>(?:19|20)\d{{2}})\s*年度?\s*(?:度\s*)?(?:政府)?信息公开(?:工作)?\s*(?:年度)?\s*(?:工作)?\s*(?:报告|年报)")
_YEAR_FIRST = re.compile(
    rf"(?P<year>(?:19|20)\d{{2}})\s*年度?\s*(?P<agency>{_NAME}{{2,40}}?)\s*(?:政府)?信息公开(?:工作)?\s*(?:年度)?\s*(?:工作)?\s*(?:报告|年报)")
# Words around the name in sentences such as "特编制杭州钱江经济开发区2022年度…报告".
_LEADING_WORDS = re.compile(r"^.*?(?:特编制|现编制|编制了?|编写|特发布|现发布|现公布|现将|特此|公布|发布)(?=.{2,})")
_TRAILING_WORDS = re.compile(r"(?:关于|的|之)$")


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
             if text.strip() and not raw.startswith("\t")]
    best = None
    for k, line in enumerate(prose):
        joined = line + (prose[k + 1] if k + 1 < len(prose) else "")
        m = _match(joined)
        if m and len(line) <= 60:
            best = (m, joined)
    if best is None:
        head = "".join(text.strip() for text in lines.text[: max(body_start, 1) + 40])[:6000]
        m = _match(head)
        if m:
            best = (m, head)
    if best is None:
        return Metadata(None, None, None)
    m, source = best
    agency = clean_agency(m["agency"])
    title = source[m.start(): m.end()].replace(m["agency"], agency, 1)
    return Metadata(re.sub(r"\s+", "", title), agency or None, int(m["year"]))


def _match(text: str):
    return _AGENCY_FIRST.search(text) or _YEAR_FIRST.search(text)


def clean_agency(name: str) -> str:
    """Strip the words around an agency name.

    >>> clean_agency("特编制杭州钱江经济开发区"), clean_agency("关于余杭区人民政府办公室")
    ('杭州钱江经济开发区', '余杭区人民政府办公室')
    """
    name = re.sub(r"\s+", "", name)
    name = _LEADING_WORDS.sub("", name)
    name = re.sub(r"^关于", "", name)
    return _TRAILING_WORDS.sub("", name)
