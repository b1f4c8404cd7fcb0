"""HTML, markdown and PDF-text shapes, encodings and scripts: the same cells whatever the wrapping.

Fixtures in tests/fixtures/ are written in the shapes the template doc describes; the values
here are written by hand from those files.
"""
from __future__ import annotations

import codecs
import random
import re
from collections import Counter

import opencc
import pytest

from loaders.assembly.report import parse_report, parse_source
from loaders.readers.metadata import _AGENCY_FIRST, agency_first, body_year
from loaders.text.cells import split_lines
from loaders.text.normalise import detect_script, fold_and_detect, fold_compat
from tests.support.samples import FIXTURES, RAW, SEEDS, T3_COLS, T3_ROWS_2019, T3_ROWS_2021, T4_COLS, cells_of, table


@pytest.fixture(scope="module")
def word_html():
    return parse_source((FIXTURES / "word_export_2021.html").read_bytes())


def test_word_html_metadata_ignores_chrome(word_html):
    r = word_html
    assert (r.status, r.source_format, r.agency, r.year, r.template, r.script) == (
        "loaded", "html", "杭州市西湖区市场监督管理局", 2021, "2021", "simplified")
    assert "crumbs" not in r.normalised_text  # <script> content is not report text
    assert "网站标识码" in r.normalised_text  # chrome is kept in the text, but not parsed as tables


def test_word_html_every_cell(word_html):
    assert cells_of(word_html, "t3") == table({
        "new_received": "20 3 1 0 0 1 25",
        "carried_over": "2 0 0 0 0 0 2",
        "granted": "10 1 0 0 0 0 11",
        "partially_granted": "3 1 0 0 0 0 4",
        "denied_third_party_rights": "1 0 0 0 0 0 1",
        "unable_not_held": "4 1 1 0 0 1 7",
        "other_misc": "1 0 0 0 0 0 1",
        "total_processed": "19 3 1 0 0 1 24",
        "carried_forward": "3 0 0 0 0 0 3",
    }, T3_ROWS_2021, T3_COLS)
    assert cells_of(word_html, "t4") == dict(zip(T4_COLS, table(
        {"x": "1 0 0 1 2 0 1 0 0 1 0 0 0 0 0"}, ["x"], [str(i) for i in range(15)]).values()))
    assert cells_of(word_html, "t2") == {
        ("regulations", "issued"): ("number", 0), ("regulations", "repealed"): ("number", 0),
        ("regulations", "in_force"): ("number", 0),
        ("normative_documents", "issued"): ("number", 5), ("normative_documents", "repealed"): ("number", 1),
        ("normative_documents", "in_force"): ("number", 37),
        ("licensing", "decisions"): ("number", 1234), ("penalty", "decisions"): ("number", 56),
        ("coercion", "decisions"): ("number", 7),
        ("fees", "fee_amount"): ("number", 125_000),  # 12.5 万元, the column's stated unit
    }


def test_word_html_narrative_reads_numbers_split_across_spans(word_html):
    assert {(f.metric, f.value) for f in word_html.facts} == {
        ("applications_received", 25), ("applications_concluded", 24), ("carried_forward", 3),
        ("proactive_disclosure", 1203), ("fees_collected", 0)}


def test_traditional_html_reads_like_simplified(word_html):
    traditional = opencc.OpenCC("s2t").convert((FIXTURES / "word_export_2021.html").read_text("utf-8"))
    r = parse_report(traditional)
    assert (r.script, r.agency, r.year, r.template) == ("traditional", "杭州市西湖区市场监督管理局", 2021, "2021")
    assert {(c.table_id, c.row_key, c.col_key, c.value) for c in r.cells} == \
        {(c.table_id, c.row_key, c.col_key, c.value) for c in word_html.cells}
    raw = {c.row_key: c.row_label for c in r.cells if c.table_id == "t3"}
    assert raw["new_received"] == "一、本年新收政府信息公開申請數量"  # raw text keeps the printed script


def test_markdown_with_subtotal_column_dash_and_blank():
    r = parse_source((FIXTURES / "converted_2019.md").read_bytes())
    assert (r.status, r.source_format, r.agency, r.year, r.template) == (
        "loaded", "markdown", "余杭区良渚街道办事处", 2019, "2019")
    cols = T3_COLS[:6] + ["legal_person_subtotal", "total"]
    assert cells_of(r, "t3") == table({
        "new_received": "5 2 0 0 1 0 3 8",
        "carried_over": "_ 1 0 0 0 0 1 1",
        "granted": "3 1 0 0 0 0 1 4",
        "partially_granted": "1 0 0 0 0 0 0 1",
        "denied_enforcement_file": "/ / / / / / / /",
        "unable_not_held": "1 1 0 0 0 0 1 2",
        "other_handling": "0 0 0 0 1 0 1 1",
        "total_processed": "5 2 0 0 1 0 3 8",
        "carried_forward": "1 0 0 0 0 1 1 1",
    }, T3_ROWS_2019, cols)
    # The row of dashes is 0 by its columns' sums (I2), each its column's lone dash; the blank 自然人 of 二 stays
    # blank: I3 would make it 0, I1 1, and the report is left to say which (blank_terms).
    assert {(c.value, c.value_kind, c.resolved_by) for c in r.cells if c.row_key == "denied_enforcement_file"} \
        == {(0, "derived", "I2")}
    assert [c.value_kind for c in r.cells if (c.row_key, c.col_key) == ("carried_over", "natural_person")] == ["blank"]
    t2 = cells_of(r, "t2")
    assert t2[("licensing", "change")] == ("number", 3)
    assert t2[("penalty", "change")] == ("number", -2)
    assert t2[("procurement", "procurement_amount")] == ("number", 853_000)  # 85.3, header says 万元
    assert cells_of(r, "t4")[("review", "corrected")] == ("number", 1)
    assert {(f.metric, f.value) for f in r.facts} == {
        ("applications_received", 5), ("carried_over", 1), ("fees_collected", 0)}


def test_pdf_text_glued_digits_split_by_the_row_sum_and_unitless_money_unresolved():
    r = parse_source((FIXTURES / "pdf_text_2020.txt").read_bytes())
    assert (r.status, r.agency, r.year, r.template) == ("partial", "临平区南苑街道办事处", 2020, "2019")
    t3 = {(c.row_key, c.col_key): c for c in r.cells if c.table_id == "t3"}
    glued = [t3[("unable_not_held", col)] for col in T3_COLS]
    # "230 000023" allows three splits (2,30,0,0,0,0,23 / 23,0,0,0,0,0,23 / 230,0,0,0,0,2,3), which all
    # read 0 in the middle three cells; of the rest, only 23,0,0,0,0,0,23 has its 总计 equal to the sum of its parts.
    assert [(c.value, c.value_kind, c.raw_text, c.resolved_by) for c in glued] == \
        [(v, "split", "230 | 000023", by) for v, by in zip((23, 0, 0, 0, 0, 0, 23), ["I3"] * 2 + [None] * 3 + ["I3"] * 2)]
    assert "unable_not_held" not in r.error and "1.5" in r.error
    amount = next(c for c in r.cells if c.col_key == "procurement_amount")
    assert (amount.value, amount.value_kind, amount.raw_text) == (None, "number", "1.5")
    # The rest of the table is still read: the page footer "— 5 —" inside it is skipped.
    assert (t3[("denied_internal_affairs", "total")].value, t3[("rejected_duplicate", "total")].value) == (0, 1)
    assert (t3[("new_received", "natural_person")].value, t3[("other_handling", "commercial_enterprise")].value) \
        == (10, 1)
    t4 = {(c.row_key, c.col_key): c.value for c in r.cells if c.table_id == "t4"}
    assert (t4[("review", "pending")], t4[("review", "total")], t4[("litigation_after_review", "total")]) == (1, 1, 0)


SEED = RAW / "003_287cca442e0f5e9d.txt"


@pytest.mark.parametrize("encode, encoding", [
    (lambda t: t.encode("gbk"), "gb18030"),
    (lambda t: t.encode("gb18030"), "gb18030"),
    (lambda t: t.encode("utf-16"), "utf-16"),  # with BOM
    (lambda t: t.encode("utf-16-le"), "utf-16-le"),  # without BOM
    (lambda t: t.encode("utf-16-be"), "utf-16-be"),
    (lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), "utf-8-sig"),
])
def test_encodings_are_detected_and_give_the_same_cells(encode, encoding):
    text = SEED.read_text("utf-8")
    reference = parse_source(SEED.read_bytes())
    r = parse_source(encode(text))
    assert r.encoding == encoding
    assert (r.agency, r.year) == (reference.agency, reference.year)
    assert [c[:8] for c in r.cells] == [c[:8] for c in reference.cells]


# Shapes a seed takes when a crawler or a PDF converter gets it: (name, text → text).
RESHAPED = [
    ("one line, cells glued", lambda t: re.sub(r"[\t\n]+", "", t)),
    ("one line, cells spaced", lambda t: re.sub(r"[\t\n]+", " ", t)),
    ("a row per line, cells spaced", lambda t: "\n".join(
        " ".join(x.strip() for x in row.split("\n") if x.strip()) for row in re.split(r"\n\s*\n", t))),
]


@pytest.mark.parametrize("shape, reshape", RESHAPED, ids=[name for name, _ in RESHAPED])
@pytest.mark.parametrize("name", sorted(SEEDS))
def test_a_seed_reshaped_reads_the_same_numbers_or_none(name, shape, reshape):
    reference = {(c.table_id, c.row_key, c.col_key): c.value for c in parse_source((RAW / name).read_bytes()).cells
                 if c.value is not None}
    r = parse_report(reshape((RAW / name).read_text("utf-8")))
    got = {(c.table_id, c.row_key, c.col_key): c.value for c in r.cells if c.value is not None}
    assert {k: v for k, v in got.items() if k in reference and v != reference[k]} == {}
    assert (r.agency, r.year) == (SEEDS[name]["agency"], SEEDS[name]["year"])
    # Blank cells leave no trace once cells are run together: rows that had them cannot be aligned, and
    # are not. Every other number of tables 3 and 4 is read, or its row is unresolved because several
    # splits of its digits fit.
    if all(c.raw_text for c in parse_source((RAW / name).read_bytes()).cells if c.table_id != "t2"):
        unresolved = {(c.table_id, c.row_key, c.col_key): c.unresolved or "" for c in r.cells}
        assert all("splits fit" in unresolved.get(k, "") for k in reference.keys() - got.keys() if k[0] != "t2")


# The pattern body_year reads (its docstring): a year, white space, 年, not preceded by a digit.
_BODY_YEAR = re.compile(r"(?:19|20)\d{2}\s*年")


def _body_year_by_pattern(text: str, start: int) -> int | None:
    years = Counter(text[m.start(): m.start() + 4] for m in _BODY_YEAR.finditer(text, start, start + 3000)
                    if not (m.start() and text[m.start() - 1].isdecimal()))
    return int(years.most_common(1)[0][0]) if years else None


@pytest.mark.parametrize("seed", range(4))
def test_body_year_reads_the_years_its_pattern_says(seed):
    """body_year scans each 年 backwards instead of running its pattern: on strings made of what the
    pattern turns on (digits, full-width digits, white space, 年, line breaks) both give the same year."""
    rnd = random.Random(seed)
    pieces = ["2023", "2022", "19", "20", "1", "0", "９", "２０２３", " ", "\u3000", "\n", "年", "年度", "x"]
    for _ in range(3000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 30)))
        lines = split_lines(text, text)
        for body_start in range(len(lines.raw) + 1):
            start = lines.offset[body_start] if body_start < len(lines.offset) else len(text)
            assert body_year(lines, body_start) == _body_year_by_pattern(text, start), (text, body_start)


@pytest.mark.parametrize("text", [
    "。" + "甲" * 40 + "2023年度政府信息公开工作年度报告",
    "。" + "甲" * 120 + "2023年度政府信息公开工作年度报告",  # a name has no length limit: the whole run
    "杭州钱塘新区 管理委员会2020年度政府信息公开工作年度报告",  # spaces, 、 and brackets are in names
    "办公室(区外事办)、外事办（港澳办）二〇一九年度政府信息公开工作年度报告",
    "12023年度信息公开报告" + "甲区2023年度信息公开报告",  # 12023 is no year
    "。" + "甲" * 38 + " \u3000\n " + "2023 年度信息公开报告",  # white space between the name and the year
    "。" * 300 + "甲区2023年度信息公开报告" + "。" * 300 + "乙区2024年度信息公开报告",
])
def test_agency_first_at_the_edges(text):
    expected, found = _AGENCY_FIRST.search(text), agency_first(text)
    assert found.span() == expected.span() and found["agency"] == expected["agency"]


@pytest.mark.parametrize("seed", range(4))
def test_agency_first_finds_what_its_pattern_finds(seed):
    """agency_first searches a title's pattern only from where a match can start: on strings made of
    names, white space, years and the title's words it finds the same match as a search from the start."""
    rnd = random.Random(seed)
    pieces = ["甲区", "杭州市", "人民政府", "办公室", "x", " ", "\u3000", "\n", "2023", "2019", "20", "1", "年", "年度", "度",
              "政府", "信息公开", "工作", "报告", "年报", "，", "。", "-", "、", "(", "）", "二〇一九", "二", "〇"]
    for _ in range(4000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 40)))
        expected, found = _AGENCY_FIRST.search(text), agency_first(text)
        assert (found and (found.span(), found.groupdict())) == (expected and (expected.span(), expected.groupdict())), text


@pytest.mark.parametrize("text", [
    "政府信息公开工作年度报告",
    "政府信息公開工作年度報告，總體情況",
    "⾏政复议 ２０２３",
    "⾨⾨⾨ 信息",  # Kangxi 門 folds to a traditional-only character: the script is told after folding
    "报告" * 30000 + "⾏",  # a compatibility form beyond the characters read for the script
    "報告總體" * 20000,
])
def test_fold_and_detect_is_folding_then_detecting(text):
    folded = fold_compat(text)
    assert fold_and_detect(text) == (folded, detect_script(folded))
