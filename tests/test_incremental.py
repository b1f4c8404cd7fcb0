"""A yearly refresh, built and checked incrementally, ends where a full build and check of the same reports ends:
the same marts, the same findings (tests/support/batches: two batches split at a year, a correction in the later)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.batches import two_batches
from tests.support.warehouses import BUILT, q, table_rows
from xxgk.build import BuildResult, build
from xxgk.checks.run import CheckRunResult, run_checks
from xxgk.ingest import ingest
from xxgk.paths import dbt_dir

# The pipeline end to end: dbt, GX.
pytestmark = pytest.mark.e2e


@dataclass
class Refresh:
    incremental: Path  # the earlier batch ingested, built, checked; then the later batch
    full: Path  # both batches ingested, then one build and one check
    builds: list[BuildResult]  # the incremental warehouse's two builds
    ran: list[set[str]]  # the nodes each of them ran (dbt's run_results.json)
    checks: list[CheckRunResult]  # its two check runs
    full_check: CheckRunResult


@pytest.fixture(scope="module")
def refresh(tmp_path_factory) -> Refresh:
    tmp = tmp_path_factory.mktemp("refresh")
    earlier, later = two_batches(tmp)
    incremental, full = tmp / "incremental" / "warehouse.duckdb", tmp / "full" / "warehouse.duckdb"
    builds, ran, checks = [], [], []
    for batch in (earlier, later):
        ingest([batch], incremental, progress=False)
        builds.append(build(incremental, docs=False, quiet=True))
        assert builds[-1].success, builds[-1].failures
        results = json.loads((dbt_dir(incremental, "build") / "run_results.json").read_text())["results"]
        ran.append({r["unique_id"] for r in results})
        checks.append(run_checks(incremental, data_docs=False))
    ingest([earlier], full, progress=False)
    ingest([later], full, progress=False)
    assert build(full, docs=False, quiet=True).success
    return Refresh(incremental, full, builds, ran, checks, run_checks(full, data_docs=False))


def test_incremental_build_after_a_new_year_equals_a_full_build(refresh):
    assert [b.full_refresh for b in refresh.builds] == [True, False]
    # The second build left most reference seeds as the first loaded them (same project), with their own tests; it
    # loaded the reviewers' decisions, and ran every data test of a model, those that read a seed too.
    nodes = json.loads((dbt_dir(refresh.incremental, "build") / "manifest.json").read_text())["nodes"]
    first, second = refresh.ran
    seeds = {uid for uid in first if uid.startswith("seed.")}
    assert "seed.xxgk.reviewed_findings" in second and len(seeds - second) >= len(seeds) - 3
    of_a_model = {uid for uid in first if uid.startswith("test.")
                  and any(not p.startswith("seed.") for p in nodes[uid]["depends_on"]["nodes"])}
    assert of_a_model and of_a_model <= second
    assert any(p.startswith("seed.") for uid in of_a_model for p in nodes[uid]["depends_on"]["nodes"])
    for table in BUILT:
        assert table_rows(refresh.incremental, table) == table_rows(refresh.full, table), table
    assert q(refresh.incremental, "select count(*) from marts.fct_applications a join marts.dim_report r "
                                  "using (report_id) where r.source_path like '%yuhang_first.txt'") == [(0,)]
    pairs = q(refresh.incremental, "select count(*) from intermediate.int_identity_across_years")[0][0]
    assert pairs > 20  # agencies' 2022 → 2023 pairs were formed across the two builds


def test_incremental_check_runs_find_what_a_full_run_finds(refresh):
    (n_reports,) = q(refresh.incremental, "select count(*) from marts.dim_report")[0]
    second = refresh.checks[-1]
    assert not second.full and 0 < second.n_reports_in_scope < n_reports  # some agencies published nothing new
    assert refresh.full_check.full
    sql = ("select r.source_path, f.check_id, f.severity, f.table_id, f.row_key, f.col_key, f.expected, f.actual, "
           "f.message, f.snippet from dq.findings f left join marts.dim_report r using (report_id) order by all")
    got = q(refresh.incremental, sql)
    assert got == q(refresh.full, sql)
    assert any(check == "cross_year.I5" for _, check, *_ in got)
    assert q(refresh.incremental, "select stage, is_full from meta.runs where stage <> 'ingest' "
                                  "order by finished_at") == [("build", True), ("check", True), ("build", False),
                                                              ("check", False)]
