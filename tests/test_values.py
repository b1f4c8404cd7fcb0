"""Reading one cell: (raw text, column money unit) → (value, kind, unit, unresolved?)."""
from __future__ import annotations

import pytest

from loaders.text.values import parse_value


@pytest.mark.parametrize("raw, money_unit, value, kind, unit, unresolved", [
    ("0", None, 0, "number", None, False),
    (" 2", None, 2, "number", None, False),
    ("0 ", None, 0, "number", None, False),
    ("\u3000１２\u00a0", None, 12, "number", None, False),  # full-width digits, ideographic and nb spaces
    ("29项", None, 29, "number", "项", False),
    ("3件", None, 3, "number", "件", False),
    ("+107", None, 107, "number", None, False),
    ("-18", None, -18, "number", None, False),
    ("1,234", None, 1234, "number", None, False),
    ("1.5", None, None, "number", None, True),  # a count is whole: never a fractional count
    ("1.035", None, None, "number", None, True),  # a thousands dot (1035?) or a misprint: not told apart
    ("1,035", None, 1035, "number", None, False),  # the thousands comma reports print
    ("1,234.0", None, None, "number", None, True),
    ("3.0件", None, None, "number", None, True),
    ("", None, None, "blank", None, False),
    ("   ", None, None, "blank", None, False),
    ("/", None, None, "dash", None, False),
    ("-", None, None, "dash", None, False),
    ("—", None, None, "dash", None, False),
    ("无", None, None, "dash", None, False),
    ("不详", None, None, "text", None, False),
    ("230 000023", None, None, "text", None, True),  # glued cells: never split by guess
    ("1 234", None, None, "text", None, True),
    ("12万元", None, None, "number", None, True),  # money in a count column
    ("1.82亿元", "", 182_000_000, "number", "yuan", False),
    ("37551661.7元", "", 37_551_661.7, "number", "yuan", False),
    ("126337813.74（单位：元）", "", 126_337_813.74, "number", "yuan", False),
    ("85.3", "万元", 853_000, "number", "yuan", False),
    ("85.3元", "万元", 85.3, "number", "yuan", False),  # the cell's own unit wins over the header's
    ("1.5", "", None, "number", None, True),  # no unit anywhere: 元? 万元? unresolved
    ("0", "", 0, "number", "yuan", False),  # zero needs no unit
])
def test_parse_value(raw, money_unit, value, kind, unit, unresolved):
    v = parse_value(raw, money_unit=money_unit)
    assert (v.value, v.kind, v.unit, v.unresolved is not None) == (value, kind, unit, unresolved)


def test_a_decimal_count_says_why_it_is_not_read():
    assert parse_value("1.035").unresolved == ("count '1.035' has a decimal point (a thousands dot? a misprint?): "
                                               "a count is a whole number")
