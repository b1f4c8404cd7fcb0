"""Cell text → (value, value_kind, unit): the one place a number is read from report text.

The rule everywhere: a value the parser is not sure of is returned with ``value=None`` and a
reason, never a guess.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Characters that mean "nothing to report" rather than an empty cell.
DASHES = {"/", "-", "—", "–", "－", "——", "─", "无", "無", "／", "\\"}

_WS = re.compile(r"[\s\u3000\xa0\u200b\ufeff]+")

_NUMBER = re.compile(
    r"""^(?P<sign>[+\-])?
        (?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)
        (?P<unit>亿元|万元|元|项|件|个|条|次|宗|人次)?
        (?P<note>[(（]单位[:：]?(?P<note_unit>亿元|万元|元)[)）])?$""",
    re.VERBOSE,
)

YUAN_PER = {"元": 1, "万元": 10_000, "亿元": 100_000_000}


@dataclass(frozen=True, slots=True)
class CellValue:
    value: float | None
    kind: str  # number | blank | dash | text
    unit: str | None = None
    unresolved: str | None = None


# Footnote marks: circled and bracketed numbers, superscripts and subscripts, asterisks. NFKC would
# make ① and ¹ the digit 1, and "26①" would read 261.
_FOOTNOTE = re.compile("[\u2460-\u24ff\u2776-\u2793\u00b9\u00b2\u00b3\u2070-\u209f*\uff0a\u203b]")


def clean_cell(text: str) -> str:
    """Trim a cell, drop footnote marks and fold full-width forms, keeping inner text.

    >>> clean_cell("\\u3000２９项 "), clean_cell("26\\u2460"), clean_cell("26\\u00b9")
    ('29项', '26', '26')
    """
    return _WS.sub(" ", unicodedata.normalize("NFKC", _FOOTNOTE.sub("", text))).strip()


@lru_cache(maxsize=8192)  # cell texts repeat heavily ("0", "", "1"…); CellValue is immutable
def parse_value(raw: str, money_unit: str | None = None) -> CellValue:
    """Read one cell.

    ``money_unit`` is the unit the column states for money cells ('元', '万元'); None for counts.
    A money cell with no unit in the cell or in the column header is unresolved: 1.82 could be
    yuan, 万元 or 亿元, and a wrong number is worse than a missing one.

    >>> parse_value(" 2")
    CellValue(value=2.0, kind='number', unit=None, unresolved=None)
    >>> parse_value("1.82亿元", money_unit="")
    CellValue(value=182000000.0, kind='number', unit='yuan', unresolved=None)
    >>> parse_value("/").kind, parse_value("").kind, parse_value("+107").value
    ('dash', 'blank', 107.0)
    """
    text = clean_cell(raw)
    if text == "":
        return CellValue(None, "blank")
    if text in DASHES:
        return CellValue(None, "dash")
    m = _NUMBER.match(text.replace(" ", "")) if _only_edge_spaces(text) else None
    if not m:
        if re.fullmatch(r"[+\-]?[\d.,]+(?: [\d.,]+)+", text):
            return CellValue(None, "text", unresolved=f"several numbers in one cell: {text!r} (glued cells?)")
        return CellValue(None, "text")
    if m["num"][:1] == "0" and m["num"][1:2].isdigit():
        # "000023": no count is printed with a leading zero; this is several cells glued together.
        return CellValue(None, "text", unresolved=f"{text!r} starts with 0: several cells glued together?")
    number = float(m["num"].replace(",", ""))
    if m["sign"] == "-":
        number = -number
    unit = m["note_unit"] or m["unit"]
    if money_unit is None:
        if unit in YUAN_PER:
            return CellValue(None, "number", unresolved=f"money {text!r} in a count column")
        if "." in m["num"]:
            # A count is whole: 1.035 is a thousands dot (1035) or a misprint, and which cannot be told.
            return CellValue(None, "number", unresolved=f"count {text!r} has a decimal point (a thousands dot? a "
                                                        "misprint?): a count is a whole number")
        return CellValue(number, "number", unit)
    unit = unit if unit in YUAN_PER else (money_unit or None)
    if unit is None:
        if number == 0:
            return CellValue(0.0, "number", "yuan")
        return CellValue(None, "number", unresolved=f"amount {text!r} states no unit (元, 万元 or 亿元?)")
    return CellValue(round(number * YUAN_PER[unit], 2), "number", "yuan")


def _only_edge_spaces(text: str) -> bool:
    # "0 " and " 2" are fine (already trimmed); "230 000023" is two numbers glued together.
    return " " not in text or re.fullmatch(r"[+\-]? ?\d[\d.,]*\s*[^\d\s]*", text) is not None
