"""Glued digit runs read as a whole table (loaders/text/glued.py, loaders/readers/arithmetic.py): what the digits force, what
the identities choose, what stays unresolved, and when no reading can add up. Values worked out by hand."""
from __future__ import annotations

import pytest

from loaders.assembly.report import parse_report
from loaders.readers import arithmetic
from loaders.readers.identities import grid
from loaders.readers.tables import CellRecord
from tests.support.samples import text_report
from tests.support.warehouses import findings, warehouse_from
from xxgk.checks.run import run_checks

# 平潭 2021 (real corpus 004) as a crawler glues it: 270020130 and 220000325 each have two readings whose 总计 is
# the sum of their parts (2,7,0,0,20,1,30 / 27,0,0,2,0,1,30; 2,20,0,0,0,3,25 / 22,0,0,0,0,3,25).
PINGTAN_2021 = {
    "new_received": "640020470", "granted": "270020130", "partially_granted": "5 0 0 0 0 0 5",
    "denied_internal_affairs": "1 0 0 0 0 0 1", "denied_enforcement_file": "6 0 0 0 0 0 6",
    "denied_inquiry_matter": "1 0 0 0 0 0 1", "unable_not_held": "220000325", "other_misc": "1 0 0 0 0 0 1",
    "total_processed": "630020469", "carried_forward": "1 0 0 0 0 0 1",
}
COLUMNS = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
           "legal_service_org", "other_org", "total"]


def row(report, row_key: str) -> list[tuple]:
    """(value, value_kind, resolved_by, candidates) of a table-3 row, in column order."""
    cells = {c.col_key: (c.value, c.value_kind, c.resolved_by, c.candidates) for c in report.cells
             if c.table_id == "t3" and c.row_key == row_key}
    return [cells[c] for c in COLUMNS]


@pytest.mark.parametrize("t3, row_key, expected", [
    # As many digits as cells: one reading, a digit a cell; read by the digits alone, so I3 can still fail on it.
    ({"granted": "8100008"}, "granted", [(v, "split", None, None) for v in (8, 1, 0, 0, 0, 0, 8)]),
    # Three splits, which all read 0 in the middle three cells: read by the digits; I3 chose the others.
    ({"granted": "230000023", "new_received": "230000023", "total_processed": "230000023"}, "granted",
     [(23, "split", "I3", None), (0, "split", "I3", None), (0, "split", None, None), (0, "split", None, None),
      (0, "split", None, None), (0, "split", "I3", None), (23, "split", "I3", None)]),
    # Two readings fit I3 and the table's column sums (I2) keep one: chosen by both where the readings differed.
    (PINGTAN_2021, "granted", [(27, "split", "I2,I3", None), (0, "split", "I2,I3", None), (0, "split", "I3", None),
                               (2, "split", "I2,I3", None), (0, "split", "I2,I3", None), (1, "split", "I3", None),
                               (30, "split", "I3", None)]),
])
def test_a_glued_row_is_read_as_far_as_it_is_certain(t3, row_key, expected):
    report = parse_report(text_report(t3))
    assert row(report, row_key) == [(float(v), kind, by, c) for v, kind, by, c in expected]
    assert report.conflicts == []


def test_cells_every_fitting_reading_agrees_on_are_read_and_the_rest_keep_their_candidates():
    """Without the row （三）3 the column sums miss a term and cannot be used: 270020130 stays with its two
    readings, of which 总计 30, 科研机构 0 and 其他 1 agree."""
    report = parse_report(text_report(PINGTAN_2021, drop=("denied_security_stability",)))
    assert row(report, "granted") == [
        (None, "text", None, "2|27"), (None, "text", None, "0|7"), (0.0, "split", "I3", None),
        (None, "text", None, "0|2"), (None, "text", None, "0|20"), (1.0, "split", "I3", None),
        (30.0, "split", "I3", None)]
    assert "glued digits 270020130: 2 splits fit I3 (2,7,0,0,20,1,30 / 27,0,0,2,0,1,30)" in report.error


@pytest.mark.parametrize("t3, conflict", [
    # No split of 81000008 has its 总计 equal to the sum of its parts (81,0,0,0,0,0,8; 8,10,0,0,0,0,8).
    ({"granted": "81000008"}, ("granted", "I3", "81000008")),
    # Both glued rows fit I3 two ways, but 自然人 needs granted + unable = 46 and the readings give 4, 24, 29 or 49.
    ({**PINGTAN_2021, "total_processed": "60 0 0 2 0 4 66", "new_received": "60 0 0 2 0 4 66"},
     (None, "I2,I3", "270020130 | 220000325")),
])
def test_a_glued_table_no_reading_can_make_add_up_is_a_conflict(t3, conflict):
    report = parse_report(text_report(t3))
    assert [(c.row_key, c.identities, c.raw_text) for c in report.conflicts] == [conflict]
    assert all(c.value is None for c in report.cells if c.row_key == "granted" and c.col_key == "natural_person")


def test_numbers_spaced_apart_but_too_few_may_have_lost_a_cell_and_accuse_nobody():
    """「81 0 0 0 0 8」 in a table that prints no cell with a leading zero: six numbers for seven columns may be
    a lost cell as well as two glued ones; no reading fits I3, and that says nothing against the report."""
    report = parse_report(text_report({"granted": "81 0 0 0 0 8"}))
    assert report.conflicts == []
    assert [v for v, *_ in row(report, "granted")] == [None] * 7


def test_the_joint_search_is_bounded(monkeypatch):
    # What one row's cells settle alone leaves 270020130 one reading and 220000325 two: two combinations.
    monkeypatch.setattr(arithmetic, "MAX_COMBINATIONS", 1)
    report = parse_report(text_report(PINGTAN_2021))
    assert [v for v, *_ in row(report, "granted")] == [None, None, 0.0, None, None, 1.0, 30.0]
    assert "more than 1 combinations of their readings; not read" in report.error


def cell(row_key: str, col_key: str, printed: str) -> CellRecord:
    value = float(printed) if printed not in ("", "/") else None
    kind = "number" if value is not None else ("dash" if printed == "/" else "blank")
    return CellRecord("t3", row_key, col_key, value, printed, kind, None, "", 0, 1, None, None, None)


def after_derive(rows: dict[str, str]) -> list[CellRecord]:
    """Table-3 rows written as '258 12 _ _ 1 1 _', after arithmetic.derive."""
    cells = [cell(r, c, v if v != "_" else "") for r, printed in rows.items() for c, v in zip(COLUMNS, printed.split())]
    return arithmetic.derive(cells, grid("t3", tuple(rows), tuple(COLUMNS)), True)


@pytest.mark.parametrize("rows, derived", [
    # A blank 总计 whose parts hold numbers is their sum, blank parts as 0 (上海 2019 prints its 总计 so).
    ({"granted": "258 12 _ _ 1 1 _"}, {("granted", "total"): (272, "I3"), ("granted", "research_institution"): (0, "I3"),
                                      ("granted", "social_welfare_org"): (0, "I3")}),
    # Blank parts whose row already adds up are 0.
    ({"granted": "5 _ _ _ _ _ 5"}, {("granted", c): (0, "I3") for c in COLUMNS[1:6]}),
    # A blank part the sums would need as 1 is not filled: that is for the checks to say.
    ({"granted": "5 _ 0 0 0 0 6"}, {}),
    # A row left all blank has nothing to sum.
    ({"granted": "_ _ _ _ _ _ _"}, {}),
])
def test_blank_cells_the_printed_ones_determine_are_derived(rows, derived):
    got = {(r.row_key, r.col_key): (r.value, r.resolved_by) for r in after_derive(rows) if r.value_kind == "derived"}
    assert got == derived


def test_a_blank_is_not_derived_where_another_identity_would_then_fail():
    """二's 自然人 is blank: I3 of its row makes it 0, I1 of its column 1. Filled either way, one identity would
    fail on a value the report never printed; it stays blank."""
    rows = {"new_received": "5 2 0 0 0 0 7", "carried_over": "_ 1 0 0 0 0 1", "total_processed": "5 2 0 0 0 0 7",
            "carried_forward": "1 1 0 0 0 0 2"}
    cells = after_derive(rows)
    assert [(r.value, r.value_kind) for r in cells if r.row_key == "carried_over" and r.col_key == "natural_person"] \
        == [(None, "blank")]


@pytest.mark.e2e
def test_the_checks_accuse_a_report_only_where_no_reading_adds_up(tmp_path):
    """A digit a cell that does not add up is an I3 error; a table no reading of which adds up is
    identity.no_consistent_reading; the table the column sums settle has no identity finding at all."""
    db = warehouse_from(tmp_path, {
        "forced.txt": text_report({"granted": "8100008"}).replace("某区人民政府", "甲区人民政府"),
        "conflict.txt": text_report({"granted": "81000008"}).replace("某区人民政府", "乙区人民政府"),
        "settled.txt": text_report(PINGTAN_2021).replace("某区人民政府", "丙区人民政府"),
    })
    run_checks(db, data_docs=False)
    errors = {(agency, check, table, row_key) for agency, check, _, table, row_key, *_ in
              findings(db, "severity = 'error' and check_id in ('identity.I3', 'identity.no_consistent_reading')")}
    assert errors == {("甲区人民政府", "identity.I3", "t3", "granted"),
                      ("乙区人民政府", "identity.no_consistent_reading", "t3", "granted")}
    assert not findings(db, "agency = '丙区人民政府' and check_id like 'identity.%'")
