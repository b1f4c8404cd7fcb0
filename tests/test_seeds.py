"""Every cell of tables 2, 3 and 4 of the five seed reports, written by hand from the source files.

A row is written as the report prints it: numbers, '_' for a blank cell. Rows not listed for
table 3 are all zeros.
"""
from __future__ import annotations

import pytest

from loaders.assembly.report import parse_source
from tests.support.samples import RAW, SEEDS, expected_cells, printed


@pytest.fixture(scope="module", params=sorted(SEEDS))
def seed(request):
    name = request.param
    return name, SEEDS[name], parse_source((RAW / name).read_bytes())


def test_metadata(seed):
    name, want, got = seed
    assert (got.agency, got.year, got.template, got.script) == (
        want["agency"], want["year"], want["template"], want["script"])
    assert got.status == "loaded", got.error


def test_every_cell(seed):
    """Every cell as printed; a blank the loader derived from the printed cells is compared as the blank it is."""
    name, want, got = seed
    cells = {(c.table_id, c.row_key, c.col_key): printed(c) for c in got.cells}
    assert cells == expected_cells(want)


def test_the_blank_cells_of_a_table_that_adds_up_are_derived_as_0():
    """嘉兴港区 prints only 自然人 and 总计, and of the outcome rows only 予以公开 and 部分公开: each row's 总计 is its
    自然人 (I3) and （七）总计 69 = 59 + 10 (I2), so every blank is 0."""
    got = parse_source((RAW / "004_a92a32fafe21a486.txt").read_bytes())
    blanks = [c for c in got.cells if c.table_id == "t3" and not c.raw_text]
    assert len(blanks) == 23 * 7 - 6 * 2  # the 2019 table but the 自然人 and 总计 of six rows
    assert {(c.value, c.value_kind) for c in blanks} == {(0, "derived")}
    assert {c.resolved_by for c in blanks} == {"I2", "I3"}


def test_provenance_points_at_the_printed_cell(seed):
    name, want, got = seed
    for c in got.cells:
        assert got.normalised_text[c.char_offset: c.char_offset + len(c.raw_text)] == c.raw_text
        assert got.normalised_text.split("\n")[c.line_no - 1].strip().startswith(c.raw_text)


def test_units_signs_and_blanks_keep_their_raw_text():
    cells = {name: {(c.table_id, c.row_key, c.col_key): c for c in parse_source((RAW / name).read_bytes()).cells}
             for name in SEEDS}
    amount = cells["000_a53dafdc1942ec52.txt"][("t2", "procurement", "procurement_amount")]
    assert (amount.raw_text, amount.value, amount.unit) == ("1.82亿元", 182_000_000, "yuan")
    change = cells["004_a92a32fafe21a486.txt"][("t2", "licensing", "change")]
    assert (change.raw_text, change.value) == ("-18", -18)
    assert cells["004_a92a32fafe21a486.txt"][("t2", "other_services", "change")].raw_text == "+107"
    legal = cells["004_a92a32fafe21a486.txt"][("t3", "new_received", "commercial_enterprise")]
    assert (legal.value_kind, legal.value, legal.raw_text) == ("derived", 0, "")  # printed blank, 0 by its row's I3
    items = cells["001_09edeb7c8eff9db0.txt"][("t2", "procurement", "procurement_items")]
    assert (items.raw_text, items.value, items.unit) == ("29项", 29, "项")
    traditional = cells["002_49a35c6be02d9886.txt"][("t3", "new_received", "total")]
    assert traditional.row_label == "一、本年新收政府信息公開申請數量"  # as printed, header cells not included
    assert cells["002_49a35c6be02d9886.txt"][("t2", "fees", "fee_amount")].row_label == "行政事業性收費"
    granted = cells["003_287cca442e0f5e9d.txt"][("t3", "granted", "total")]
    assert granted.row_label == "三、本年度办理结果（一）予以公开"


NARRATIVE = {
    # 「被纠错1件」 and 「无败诉案件」 are corrections; 「主动公开政务文件2523件」 counts documents, not information.
    "003_287cca442e0f5e9d.txt": {("applications_received", 122), ("review_count", 11), ("review_corrected", 1),
                                 ("litigation_count", 11), ("litigation_corrected", 0), ("normative_documents", 29),
                                 ("proactive_disclosure", 34000), ("proactive_disclosure", 13000)},
    "004_a92a32fafe21a486.txt": {("applications_concluded", 62), ("proactive_disclosure", 1376),
                                 ("review_count", 0), ("litigation_count", 0)},
    "000_a53dafdc1942ec52.txt": {("proactive_disclosure", 6515), ("applications_received", 38),
                                 ("litigation_count", 1)},
    "002_49a35c6be02d9886.txt": {("proactive_disclosure", 1010), ("applications_received", 2),
                                 ("fees_collected", 0)},
}


@pytest.mark.parametrize("name", sorted(NARRATIVE))
def test_narrative_facts(name):
    got = parse_source((RAW / name).read_bytes())
    assert {(f.metric, f.value) for f in got.facts} == NARRATIVE[name]
    for f in got.facts:
        assert f.sentence in got.normalised_text
        assert got.normalised_text[f.sentence_offset: f.sentence_offset + 2] == f.sentence[:2]
