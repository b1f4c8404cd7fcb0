"""The report's six sections (一 总体情况 … 六 其他需要报告的事项) with their headings, offsets and bodies.

The tables' sections (二, 三, 四) are where the table reader found them (``text.cells.find_sections``: by heading,
else by the table's own first cells). The narrative sections (一, 五, 六) are taken only at a line that is a
heading: numbered as a section is (一、, 五．, 5、, # …) or the heading words alone, never a sentence that
names them (「报告全文包括总体情况、…」) nor a sub-heading (「（一）…存在问题的改进情况」); a heading wrapped
after its number or inside its words (「六、其他需要报告的」/「事项」) is read across the break. A section
not found is not there for this reader: whether the report lacks it is for the checks to say.
"""
from __future__ import annotations

import csv
import re
from typing import NamedTuple

from ..patterns import HEADING_MAX_CHARS, SECTION_NUMBER
from ..text.cells import Lines
from ..vocabulary import HEADING_KEYS, VOCABULARY


class Section(NamedTuple):
    section: str  # 一 … 六
    section_key: str  # s1, t2, t3, t4, s5, s6 (reference.report_section_titles)
    heading: str | None  # as printed (wrapped lines joined); None where a table was found by its cells
    char_offset: int  # the heading's (or the table's first line's) offset in the normalised text
    body_offset: int  # where the body starts: after the heading
    body: str  # up to the next section found, or the end of the text


def _numerals() -> dict[str, str]:
    with open(VOCABULARY / "report_section_titles.csv", encoding="utf-8", newline="") as fh:
        return {row["section_key"]: row["numeral"] for row in csv.DictReader(fh)}


NUMERALS = _numerals()
# A sub-heading (（一）…) opens with a bracket: never a section's heading.
_SUB_HEADING = re.compile(r"^\s*[（(]")


def heading_of(lines: Lines, i: int, key: str) -> tuple[str, int] | None:
    """The heading of section ``key`` at line ``i`` (with the next line when it wraps) and the number of
    lines it spans; None when line ``i`` is not that heading.

    >>> from loaders.text.cells import split_lines
    >>> t = "六、其他需要报告的\\n事项\\n无。\\n报告全文包括总体情况、主动公开政府信息情况、"
    >>> ls = split_lines(t, t)
    >>> heading_of(ls, 0, "s6"), heading_of(ls, 3, "s1")
    (('六、其他需要报告的事项', 2), None)
    """
    first = lines.text[i].strip()
    if not first or "\t" in lines.raw[i] or _SUB_HEADING.match(first) or len(first) > HEADING_MAX_CHARS:
        return None
    # Most lines are neither numbered nor open a heading's words: one test each leaves them.
    if not SECTION_NUMBER.match(first).end() and not any(k[:2] in first for k in HEADING_KEYS[key]):
        return None
    candidates = [(first, 1)]
    if i + 1 < len(lines.text) and not re.search(r"[。；;，,：:]$", first):
        joined = first + lines.text[i + 1].strip()
        if len(joined) <= HEADING_MAX_CHARS:
            candidates.append((joined, 2))
    for text, n in candidates:
        body = text[SECTION_NUMBER.match(text).end():].strip("#* \u3000")
        words = [k for k in HEADING_KEYS[key] if k in body]
        # The heading words are the line: what else it holds is the numbering and a few words
        # (政府信息公开工作…, 本机关…), never a sentence.
        if words and "。" not in body and "、" not in body.replace("复议、", "") and len(body) <= len(words[0]) + 16:
            raw = lines.raw[i].strip() + (lines.raw[i + 1].strip() if n == 2 else "")
            return raw, n
    return None


def report_sections(lines: Lines, tables: dict[str, tuple[int, int]]) -> list[Section]:
    """The sections found, in the text's order. ``tables`` is ``text.cells.find_sections``'s result: the
    tables' sections are taken from it; 一 is looked for before the first table, 五 and 六 after the last.

    >>> from loaders.text.cells import split_lines
    >>> t = "一、总体情况\\n全年…。\\n五、存在的主要问题及改进情况\\n无\\n六、其他需要报告的事项\\n无。"
    >>> [(s.section, s.body) for s in report_sections(split_lines(t, t), {})]
    [('一', '全年…。'), ('五', '无'), ('六', '无。')]
    """
    found: dict[str, tuple[int, int, str | None]] = {}  # key → (line, lines of heading, heading)
    for key in ("t2", "t3", "t4"):
        if key in tables:
            i = tables[key][0]
            heading = lines.raw[i].strip() if any(k in lines.text[i] for k in HEADING_KEYS[key]) else None
            found[key] = (i, 1 if heading else 0, heading)
    starts = sorted(i for i, _, _ in found.values())
    windows = {"s1": (0, starts[0] if starts else len(lines.raw)),
               "s5": (starts[-1] + 1 if starts else 0, len(lines.raw))}
    for key in ("s1", "s5", "s6"):
        if key == "s6":
            after = found["s5"][0] + found["s5"][1] if "s5" in found else windows["s5"][0]
            windows["s6"] = (after, len(lines.raw))
        begin, end = windows[key]
        for i in range(begin, end):
            h = heading_of(lines, i, key)
            if h is not None:
                found[key] = (i, h[1], h[0])
                break
    ordered = sorted(found.items(), key=lambda kv: kv[1][0])
    out = []
    for k, (key, (i, n, heading)) in enumerate(ordered):
        body_start = lines.offset[i + n] if i + n < len(lines.offset) else len(lines.source)
        body_end = lines.offset[ordered[k + 1][1][0]] if k + 1 < len(ordered) else len(lines.source)
        body = lines.source[body_start: max(body_start, body_end)].strip()
        body_offset = lines.source.find(body[:1], body_start) if body else body_start
        out.append(Section(NUMERALS[key], key, heading, lines.offset[i], body_offset, body))
    return out
