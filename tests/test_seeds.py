"""Every cell of tables 2, 3 and 4 of the five seed reports, written by hand from the source files.

A row is written as the report prints it: numbers, '_' for a blank cell. Rows not listed for
table 3 are all zeros.
"""
from __future__ import annotations

import pytest

from loaders.assembly.report import parse_source
from tests.conftest import RAW, printed

T3_ROWS_2019 = [
    "new_received", "carried_over", "granted", "partially_granted",
    "denied_state_secret", "denied_prohibited_by_law", "denied_security_stability", "denied_third_party_rights",
    "denied_internal_affairs", "denied_process_info", "denied_enforcement_file", "denied_inquiry_matter",
    "unable_not_held", "unable_needs_creation", "unable_unclear",
    "rejected_petition", "rejected_duplicate", "rejected_publication", "rejected_excessive", "rejected_confirmation",
    "other_handling", "total_processed", "carried_forward",
]
T3_ROWS_2021 = [r for r in T3_ROWS_2019 if r != "other_handling"]
T3_ROWS_2021[T3_ROWS_2021.index("total_processed"):T3_ROWS_2021.index("total_processed")] = [
    "other_overdue_correction", "other_overdue_fee", "other_misc"]
T3_COLS = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
           "legal_service_org", "other_org", "total"]
T4_COLS = [(r, c) for r in ("review", "litigation_direct", "litigation_after_review")
           for c in ("upheld", "corrected", "other_result", "pending", "total")]

SEEDS = {
    "000_a53dafdc1942ec52.txt": dict(
        agency="杭州钱塘新区管理委员会", year=2020, template="2019", script="simplified",
        t3={
            "new_received": "35 3 0 0 0 0 38",
            "granted": "18 3 0 0 0 0 21",
            "partially_granted": "9 0 0 0 0 0 9",
            "denied_process_info": "1 0 0 0 0 0 1",
            "unable_not_held": "1 0 0 0 0 0 1",
            "rejected_duplicate": "1 0 0 0 0 0 1",
            "other_handling": "5 0 0 0 0 0 5",
            "total_processed": "35 3 0 0 0 0 38",
        },
        t4="0 0 0 0 0  0 0 0 1 1  0 0 0 0 0",
        t2={
            ("regulations", "made"): 0, ("regulations", "published"): 0, ("regulations", "total_published"): 0,
            ("normative_documents", "made"): 26, ("normative_documents", "published"): 26,
            ("normative_documents", "total_published"): 32,
            **{(r, c): 0 for r in ("licensing", "other_services", "penalty", "coercion")
               for c in ("prior_year_items", "change", "decisions")},
            ("fees", "prior_year_items"): 0, ("fees", "change"): 0,
            ("procurement", "procurement_items"): 43, ("procurement", "procurement_amount"): 182_000_000,
        },
    ),
    "001_09edeb7c8eff9db0.txt": dict(
        agency="东新街道", year=2020, template="2019", script="simplified",
        t3={
            "new_received": "2 0 0 0 0 0 2",
            "unable_not_held": "2 0 0 0 0 0 2",
            "total_processed": "2 0 0 0 0 0 2",
        },
        t4="0 0 0 0 0  0 0 0 0 0  0 0 0 0 0",
        t2={
            **{(r, c): 0 for r in ("regulations", "normative_documents")
               for c in ("made", "published", "total_published")},
            **{(r, c): 0 for r in ("licensing", "other_services", "penalty", "coercion")
               for c in ("prior_year_items", "change", "decisions")},
            ("fees", "prior_year_items"): 0, ("fees", "change"): 0,
            ("procurement", "procurement_items"): 29, ("procurement", "procurement_amount"): 37_551_661.7,
        },
    ),
    "002_49a35c6be02d9886.txt": dict(
        agency="杭州钱江经济开发区", year=2022, template="2021", script="traditional",
        t3={
            "new_received": "2 0 0 0 0 0 2",
            "granted": "1 0 0 0 0 0 1",
            "denied_security_stability": "1 0 0 0 0 0 1",
            "total_processed": "2 0 0 0 0 0 2",
        },
        t4="0 0 0 0 0  0 0 0 0 0  0 0 0 0 0",
        t2={
            **{(r, c): 0 for r in ("regulations", "normative_documents") for c in ("issued", "repealed", "in_force")},
            ("licensing", "decisions"): 0, ("penalty", "decisions"): 0, ("coercion", "decisions"): 0,
            ("fees", "fee_amount"): 0,
        },
    ),
    "003_287cca442e0f5e9d.txt": dict(
        agency="余杭区人民政府办公室", year=2019, template="2019", script="simplified",
        t3={
            "new_received": "107 15 0 0 0 0 122",
            "granted": "20 4 0 0 0 0 24",
            "denied_third_party_rights": "1 0 0 0 0 0 1",
            "denied_internal_affairs": "0 1 0 0 0 0 1",
            "denied_process_info": "1 0 0 0 0 0 1",
            "unable_not_held": "73 10 0 0 0 0 83",
            "rejected_petition": "2 0 0 0 0 0 2",
            "other_handling": "3 0 0 0 0 0 3",
            "total_processed": "100 15 0 0 0 0 115",
            "carried_forward": "6 1 0 0 0 0 7",
        },
        t4="8 1 0 2 11  9 0 0 1 10  1 0 0 0 1",
        t2={
            ("regulations", "made"): 0, ("regulations", "published"): 0, ("regulations", "total_published"): 0,
            ("normative_documents", "made"): 10, ("normative_documents", "published"): 10,
            ("normative_documents", "total_published"): 94,
            **{(r, c): 0 for r in ("licensing", "other_services", "penalty", "coercion")
               for c in ("prior_year_items", "change", "decisions")},
            ("fees", "prior_year_items"): 0, ("fees", "change"): 0,
            ("procurement", "procurement_items"): 0, ("procurement", "procurement_amount"): 0,
        },
    ),
    "004_a92a32fafe21a486.txt": dict(
        agency="嘉兴港区", year=2020, template="2019", script="simplified",
        t3={
            "new_received": "62 _ _ _ _ _ 62",
            "carried_over": "7 _ _ _ _ _ 7",
            "granted": "59 _ _ _ _ _ 59",
            "partially_granted": "10 _ _ _ _ _ 10",
            **{r: "_ _ _ _ _ _ _" for r in T3_ROWS_2019[4:21]},
            "total_processed": "69 _ _ _ _ _ 69",
            "carried_forward": "0 _ _ _ _ _ 0",
        },
        t4="0 0 0 0 0  0 0 0 0 0  0 0 0 0 0",
        t2={
            **{(r, c): 0 for r in ("regulations", "normative_documents")
               for c in ("made", "published", "total_published")},
            ("licensing", "prior_year_items"): 335, ("licensing", "change"): -18, ("licensing", "decisions"): 1484,
            ("other_services", "prior_year_items"): 684, ("other_services", "change"): 107,
            ("other_services", "decisions"): 637,
            ("penalty", "prior_year_items"): 1279, ("penalty", "change"): 913, ("penalty", "decisions"): 13647,
            ("coercion", "prior_year_items"): 18, ("coercion", "change"): 55, ("coercion", "decisions"): 661,
            ("fees", "prior_year_items"): 15, ("fees", "change"): 0,
            ("procurement", "procurement_items"): 126, ("procurement", "procurement_amount"): 126_337_813.74,
        },
    ),
}


def _cell(token: str):
    return ("blank", None) if token == "_" else ("number", float(token))


def expected_cells(seed: dict) -> dict[tuple[str, str, str], tuple[str, float | None]]:
    rows = T3_ROWS_2021 if seed["template"] == "2021" else T3_ROWS_2019
    out = {}
    for row in rows:
        tokens = seed["t3"].get(row, "0 0 0 0 0 0 0").split()
        for col, token in zip(T3_COLS, tokens, strict=True):
            out[("t3", row, col)] = _cell(token)
    for (row, col), token in zip(T4_COLS, seed["t4"].split(), strict=True):
        out[("t4", row, col)] = _cell(token)
    for (row, col), value in seed["t2"].items():
        out[("t2", row, col)] = ("number", float(value))
    return out


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
