"""The real dbt project against a temporary DuckDB built from the seeds; values written by hand."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.support.batches import GLUED_003, SEED_003
from tests.support.samples import RAW
from tests.support.warehouses import q
from xxgk import dbt
from xxgk.build import build
from xxgk.dbt import PROJECT_DIR, project_fingerprint
from xxgk.ingest import ingest

DBT = str(Path(sys.executable).parent / "dbt")  # the venv's dbt, whether or not the venv is activated
MEASURES = ("new_received", "carried_over", "total_processed", "carried_forward", "granted", "partially_granted",
            "denied", "unable", "rejected", "other", "review_total", "review_corrected", "litigation_total",
            "litigation_corrected")

# agency, year → the measures above, read off the seed files by hand (total column of table 3, table 4).
AGENCY_YEAR = {
    ("余杭区人民政府办公室", 2019): (122, 0, 115, 7, 24, 0, 3, 83, 2, 3, 11, 1, 11, 0),
    ("杭州钱塘新区管理委员会", 2020): (38, 0, 38, 0, 21, 9, 1, 1, 1, 5, 0, 0, 1, 0),
    ("东新街道", 2020): (2, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0),
    ("杭州钱江经济开发区", 2022): (2, 0, 2, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0),
    # 嘉兴港区 left every outcome row blank except 予以公开 and 部分公开: （七）总计 69 = 59 + 10 makes them 0 (derived).
    ("嘉兴港区", 2020): (62, 7, 69, 0, 59, 10, 0, 0, 0, 0, 0, 0, 0, 0),
}


@pytest.fixture(scope="module")
def warehouse(samples) -> Path:
    """The sample reports, built (conftest), with the dbt docs page beside them."""
    assert (samples.parent / "target" / "static_index.html").stat().st_size > 100_000
    return samples


@pytest.mark.e2e
def test_fct_agency_year_headline_measures(warehouse):
    got = {(a, y): tuple(row) for a, y, *row in q(warehouse, f"select agency, year, {', '.join(MEASURES)} "
                                                      "from marts.fct_agency_year")}
    assert got == AGENCY_YEAR


@pytest.mark.e2e
def test_rates_are_null_safe(warehouse):
    rates = dict(((a, y), (d, r)) for a, y, d, r in q(
        warehouse, "select agency, year, disclosure_rate, review_correction_rate from marts.fct_agency_year"))
    assert rates[("余杭区人民政府办公室", 2019)] == (pytest.approx(24 / 115), pytest.approx(1 / 11))
    assert rates[("嘉兴港区", 2020)] == (pytest.approx(69 / 69), None)  # no review cases: no rate


@pytest.mark.e2e
def test_identity_sides_for_seed_003_by_hand(warehouse):
    rows = q(warehouse, """
        select identity_id, coalesce(row_key, col_key), lhs, rhs, is_complete
        from intermediate.int_identity_within_report i join marts.dim_report r using (report_id)
        where r.agency = '余杭区人民政府办公室'""")
    sides = {(i, unit): (lhs, rhs, complete) for i, unit, lhs, rhs, complete in rows}
    assert sides[("I1", "natural_person")] == (107 + 0, 100 + 6, True)
    assert sides[("I1", "commercial_enterprise")] == (15 + 0, 15 + 1, True)
    assert sides[("I1", "total")] == (122 + 0, 115 + 7, True)
    assert sides[("I2", "total")] == (115, 24 + 0 + (1 + 1 + 1) + 83 + 2 + 3, True)
    assert sides[("I2", "natural_person")] == (100, 20 + (1 + 1) + 73 + 2 + 3, True)
    assert sides[("I3", "new_received")] == (122, 107 + 15, True)
    assert sides[("I3", "carried_forward")] == (7, 6 + 1, True)
    assert sides[("I4", "review")] == (11, 8 + 1 + 0 + 2, True)
    assert sides[("I4", "litigation_direct")] == (10, 9 + 0 + 0 + 1, True)
    assert sides[("I4", "litigation_after_review")] == (1, 1, True)
    failing = {k for k, (lhs, rhs, _) in sides.items() if lhs != rhs}
    assert failing == {("I1", "natural_person"), ("I1", "commercial_enterprise")}
    assert len([k for k in sides if k[0] == "I3"]) == 23  # one per table-3 row of the 2019 template


@pytest.mark.e2e
def test_blank_cells_the_printed_ones_determine_are_derived_and_say_by_what(warehouse):
    """嘉兴港区 prints its legal-person columns blank while each row's 总计 equals its 自然人: the blanks are 0 by
    that row's I3, and its outcome rows blank while 予以公开 + 部分公开 = （七）总计: 0 by I2."""
    cells = dict(((row, col), (value, kind, by)) for row, col, value, kind, by in q(warehouse, """
        select row_key, col_key, value, value_kind, resolved_by from raw.report_cells c join raw.reports r
        using (report_id) where r.agency = '嘉兴港区' and table_id = 't3'"""))
    assert cells[("new_received", "commercial_enterprise")] == (0, "derived", "I3")
    assert cells[("denied_state_secret", "total")] == (0, "derived", "I2")
    assert cells[("new_received", "total")] == (62, "number", None)
    (row,) = q(warehouse, """
        select lhs, rhs, lhs_missing, rhs_missing, is_complete, is_read
        from intermediate.int_identity_within_report i join marts.dim_report r using (report_id)
        where r.agency = '嘉兴港区' and identity_id = 'I1' and col_key = 'commercial_enterprise'""")
    assert row == (0, 0, 0, 0, True, True)


@pytest.mark.e2e
def test_narrative_readings_keep_every_admissible_reading(warehouse):
    rows = q(warehouse, """
        select metric, reading_id, stated_value, table_value, matches
        from intermediate.int_narrative_readings n join marts.dim_report r using (report_id)
        where r.agency = '余杭区人民政府办公室' order by metric, reading_id""")
    assert rows == [
        ("applications_received", "new", 122, 122, True),
        ("applications_received", "new_plus_carried_over", 122, 122, True),
        ("litigation_corrected", "corrected", 0, 0, True),  # 「无败诉案件」
        ("litigation_count", "after_review_only", 11, 1, False),
        ("litigation_count", "concluded", 11, 10, False),
        ("litigation_count", "direct_only", 11, 10, False),
        ("litigation_count", "total", 11, 11, True),
        ("normative_documents", "issued", 29, 10, False),
        ("normative_documents", "published", 29, 10, False),
        ("normative_documents", "total_published", 29, 94, False),
        ("review_corrected", "corrected", 1, 1, True),  # 「被纠错1件」
        ("review_count", "concluded", 11, 9, False),
        ("review_count", "total", 11, 11, True),
    ]


@pytest.mark.e2e
def test_dim_agency_levels_and_regions(warehouse):
    got = {a: (level, region) for a, level, region in q(
        warehouse, "select agency, level, parent_region from marts.dim_agency")}
    assert got == {
        "余杭区人民政府办公室": ("department", "余杭区"),
        "杭州钱塘新区管理委员会": ("development_zone", None),
        "东新街道": ("township_street", None),
        "杭州钱江经济开发区": ("development_zone", None),
        "嘉兴港区": ("development_zone", None),
    }


@pytest.mark.e2e
def test_proactive_disclosure_maps_both_templates(warehouse):
    rows = q(warehouse, """
        select agency, template, template_col_key, measure, comparable_across_templates, quantity
        from marts.fct_proactive_disclosure
        where item = 'normative_documents' and measure in ('issued', 'in_force', 'total_published')
        order by agency, measure""")
    assert ("余杭区人民政府办公室", "2019", "made", "issued", True, 10) in rows
    assert ("余杭区人民政府办公室", "2019", "total_published", "total_published", False, 94) in rows
    assert ("杭州钱江经济开发区", "2021", "issued", "issued", True, 0) in rows
    assert ("杭州钱江经济开发区", "2021", "in_force", "in_force", False, 0) in rows
    money = q(warehouse, "select amount_yuan, quantity, missing_reason from marts.fct_proactive_disclosure "
                         "where agency = '东新街道' and measure = 'procurement_amount_yuan'")
    assert [(float(a), n, why) for a, n, why in money] == [(37551661.7, None, None)]  # printed 37551661.7元


@pytest.mark.e2e
def test_descriptions_are_persisted_for_analysts(warehouse):
    (comment,) = q(warehouse, "select comment from duckdb_tables() where schema_name = 'marts' "
                              "and table_name = 'fct_agency_year'")[0]
    assert comment.startswith("One row per agency and year")
    cols = dict(q(warehouse, "select column_name, comment from duckdb_columns() where schema_name = 'marts' "
                             "and table_name = 'fct_agency_year'"))
    assert cols["disclosure_rate"] == ("(granted + partially_granted) / total_processed; NULL unless all three are "
                                       "known and total_processed > 0.")


@pytest.mark.e2e
def test_warehouse_stays_readable_by_duckdb_1_5_clients(warehouse):
    cli = Path(sys.executable).parent / "duckdb"  # the duckdb-cli 1.5 package
    done = subprocess.run([str(cli), "-readonly", "-csv", str(warehouse), "-c",
                           "select version(), total_processed from marts.fct_agency_year where year = 2019"],
                          capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[1:] == ["v1.5.6,115"]


@pytest.mark.e2e
def test_corrected_republication_becomes_current_and_the_choice_is_visible(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    raw = tmp_path / "raw"
    raw.mkdir()
    assert GLUED_003 != SEED_003
    (raw / "first.txt").write_text(GLUED_003, encoding="utf-8")
    ingest([raw], db, progress=False)
    (raw / "corrected.txt").write_text(SEED_003, encoding="utf-8")
    ingest([raw], db, progress=False)
    assert build(db, target_dir=tmp_path / "target", docs=False, quiet=True).success
    rows = q(db, "select source_path, status, is_current, version_note from marts.dim_report order by source_path")
    assert [(Path(p).name, s, c) for p, s, c, _ in rows] == [
        ("corrected.txt", "loaded", True), ("first.txt", "partial", False)]
    assert rows[0][3].startswith("current of 2 versions") and rows[0][3].endswith("first seen later, by a later ingest")
    assert rows[1][3].startswith("superseded by ")
    assert q(db, "select count(*), max(total_processed) from marts.fct_agency_year") == [(1, 115.0)]


@pytest.mark.e2e
def test_scheduled_build_exits_non_zero_on_a_failing_test(tmp_path):
    db = tmp_path / "bad.duckdb"
    ingest([RAW], db, progress=False)
    with duckdb.connect(str(db)) as con:  # a value_kind outside the contract
        con.execute("update raw.report_cells set value_kind = 'mystery' where row_key = 'granted'")
    env = {**os.environ, "XXGK_DB": str(db)}
    done = subprocess.run([sys.executable, "-m", "xxgk.cli", "build", "--db", str(db), "--no-docs"],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 6  # a stage failed (1 is "new error findings")
    assert "build failed: test accepted_values_stg_report_cells_value_kind" in done.stderr, done.stderr


@pytest.mark.e2e
def test_scheduled_build_exits_non_zero_on_a_model_error(tmp_path):
    project = tmp_path / "dbt_project"
    shutil.copytree(PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    (project / "models" / "marts" / "fct_agency_year.sql").write_text("select no_such_column from nowhere")
    db = tmp_path / "w.duckdb"
    ingest([RAW], db, progress=False)
    done = subprocess.run([DBT, "build", "--project-dir", str(project), "--profiles-dir", str(project)],
                          capture_output=True, text=True, env={**os.environ, "XXGK_DB": str(db)},
                          cwd=tmp_path)
    assert done.returncode == 1
    assert "fct_agency_year" in done.stdout and "ERROR" in done.stdout


@pytest.mark.e2e
def test_bare_dbt_build_with_the_committed_profile_reads_xxgk_db(warehouse, tmp_path):
    done = subprocess.run([DBT, "build", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
                           "--target-path", str(tmp_path / "t"), "--select", "fct_agency_year"],
                          capture_output=True, text=True, env={**os.environ, "XXGK_DB": str(warehouse)})
    assert done.returncode == 0, done.stdout[-2000:]
    assert "Completed successfully" in done.stdout


def test_a_changed_definition_changes_the_project_fingerprint(tmp_path):
    project = tmp_path / "dbt_project"
    shutil.copytree(PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    before = project_fingerprint(project)
    assert project_fingerprint(project) == before
    terms = project / "seeds" / "measure_terms.csv"
    terms.write_text(terms.read_text("utf-8") + "new_measure,t3,granted,total,1\n", encoding="utf-8")
    assert project_fingerprint(project) != before


@pytest.mark.e2e
def test_a_new_warehouse_starts_from_the_parse_a_warehouse_of_its_name_left(tmp_path, monkeypatch):
    """dbt sees a warehouse by its name from its folder, so every build of one warehouse (its work file keeps one
    name) and a new warehouse of the same name start from the parse kept in the user's cache; another name is
    another connection to dbt, which parses the whole project."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    def full_parse(db: Path) -> bool:
        done = dbt.run(["parse", *dbt.check_vars()], db, db.parent / "target", quiet=True)
        assert done.returncode == 0, done.stdout[-2000:]
        return "Starting full parse" in done.stdout

    first, second, other = (tmp_path / "a" / "warehouse.duckdb", tmp_path / "b" / "warehouse.duckdb",
                            tmp_path / "c" / "other.duckdb")
    for db in (first, second, other):
        db.parent.mkdir()
    assert [full_parse(first), full_parse(second), full_parse(other)] == [True, False, True]
    assert dbt.kept_parse(first) == dbt.kept_parse(second) != dbt.kept_parse(other)
    assert dbt.kept_parse(first).is_relative_to(tmp_path / "cache" / "xxgk")
