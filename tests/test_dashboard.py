"""The dashboard rendered from real warehouses, looked at in headless Chromium."""
from __future__ import annotations

import os
import re
import struct
from pathlib import Path

import duckdb
import pytest

from xxgk.ingest import ingest
from tests.test_seeds import RAW, SEEDS
from xxgk.build import build
from xxgk.checks.run import run_checks
from xxgk.dashboard.screenshot import chromium, dump_dom, screenshot
from xxgk.dashboard.site import build_site

AGENCIES = ["杭州钱塘新区管理委员会", "东新街道", "杭州钱江经济开发区", "余杭区人民政府办公室", "嘉兴港区"]
needs_browser = pytest.mark.skipif(chromium() is None and not os.environ.get("CI"),
                                   reason="no chromium here (make browser installs it; CI always has it)")


def site_from(tmp: Path, raw: Path, before_build=None) -> Path:
    db = tmp / "warehouse.duckdb"
    ingest([raw], db, progress=False)
    if before_build:
        with duckdb.connect(str(db)) as con:
            before_build(con)
    result = build(db, target_dir=tmp / "target", docs=True, quiet=True)
    assert result.success, result.failures
    run_checks(db)
    site = tmp / "site"
    build_site(db, site, dbt_docs=result.docs_path)
    return site


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory) -> Path:
    return site_from(tmp_path_factory.mktemp("dash"), RAW)


def dashboard_pages(site: Path) -> list[Path]:
    return [site / "index.html", site / "findings.html", *sorted((site / "reports").glob("*.html"))]


def test_site_has_a_page_per_report_and_links_to_the_docs(seed_site):
    assert len(list((seed_site / "reports").glob("*.html"))) == len(SEEDS)
    index = (seed_site / "index.html").read_text("utf-8")
    assert 'href="gx-data-docs/index.html"' in index and (seed_site / "gx-data-docs" / "index.html").exists()
    assert 'href="dbt-docs.html"' in index and (seed_site / "dbt-docs.html").stat().st_size > 100_000


def test_dashboard_references_no_network_resource(seed_site):
    for page in dashboard_pages(seed_site):
        html = page.read_text("utf-8")
        assert "http://" not in html and "https://" not in html, page


@needs_browser
def test_rendered_dashboard_shows_agencies_findings_and_charts(seed_site, tmp_path):
    png = screenshot(seed_site / "index.html", tmp_path / "overview.png")
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", header[16:24]) == (1300, 1500)
    assert png.stat().st_size > 40_000  # a blank page compresses to a few kB
    index = dump_dom(seed_site / "index.html")
    for agency in AGENCIES:
        assert agency in index
    assert len(re.findall(r'<svg class="chart"', index)) >= 3
    findings = dump_dom(seed_site / "findings.html")
    assert "I1 fails for column natural_person: 一 + 二 = 107 but （七）总计 + 四 = 106 (difference 1)" in findings
    assert "I1 fails for column commercial_enterprise" in findings


@needs_browser
def test_findings_filter_by_severity(seed_site):
    dom = dump_dom(f"{seed_site / 'findings.html'}#severity=error")
    rows = re.findall(r'<tr class="finding[^>]*>', dom)
    visible = [r for r in rows if "display: none" not in r]
    # 11 findings on the seeds, and 嘉兴港区's blank cells derived from the printed ones (structure.derived_cells)
    assert len(rows) == 12 and len(visible) == 2
    assert all('data-check="identity.I1"' in r for r in visible)


def test_report_page_colours_the_cells_of_its_findings(seed_site):
    page = next(p for p in (seed_site / "reports").glob("*.html") if "余杭区人民政府办公室" in p.read_text("utf-8"))
    html = page.read_text("utf-8")
    cell = re.search(r'<td id="c-t3-new_received-natural_person" class="([^"]*)"[^>]*><span class="raw">107</span>',
                     html)
    assert cell and "sev-error" in cell.group(1)
    total = re.search(r'<td id="c-t3-new_received-total" class="([^"]*)"', html)
    assert "sev-" not in total.group(1)  # I1 holds for the total column
    assert 'href="#c-t3-' in html or 'href="#h-t3-natural_person"' in html


EVIL = "<script>alert(1)</script>"
EVIL_IMG = "<img src=x onerror=\"document.title='pwned'\">"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("hostile")
    raw = tmp / "raw"
    raw.mkdir()
    text = (RAW / "000_a53dafdc1942ec52.txt").read_text("utf-8")
    text = text.replace("一、本年新收政府信息公开申请数量", "一、本年新收政府信息公开申请数量" + EVIL, 1)
    text = text.replace("共收到依申请公开件38件", f"共收到依申请公开件39件{EVIL_IMG}", 1)
    (raw / f"report{EVIL_IMG}.txt").write_text(text, encoding="utf-8")  # file names cannot hold "/"

    def evil_agency(con):  # as if an agency's own name carried the payload
        con.execute("update raw.reports set agency = ? ", [f"{EVIL}钱塘新区"])

    return site_from(tmp, raw, before_build=evil_agency)


def test_report_text_is_stored_as_text(hostile_site):
    db = hostile_site.parent / "warehouse.duckdb"
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select agency from marts.dim_report").fetchall() == [(f"{EVIL}钱塘新区",)]
        label = con.execute("select row_label from staging.stg_report_cells where row_key = 'new_received' "
                            "and col_key = 'total'").fetchone()[0]
    assert label == "一、本年新收政府信息公开申请数量" + EVIL


def test_hostile_text_is_escaped_in_every_page(hostile_site):
    for page in dashboard_pages(hostile_site):
        html = page.read_text("utf-8")
        assert EVIL not in html and "<img src=x" not in html, page
    report = next((hostile_site / "reports").glob("*.html")).read_text("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;钱塘新区" in report


@needs_browser
def test_hostile_script_does_not_run(hostile_site):
    for page in dashboard_pages(hostile_site):
        dom = dump_dom(page)
        scripts = re.findall(r"<script[^>]*>(.*?)</script>", dom, flags=re.S)
        assert not any("alert(1)" in s for s in scripts), page
        assert "<img src=\"x\"" not in dom and "pwned" not in re.search(r"<title>(.*?)</title>", dom).group(1)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom  # shown to the reader, as text


def test_at_national_scale_the_overview_summarises_lowest_scores_first(seed_site, tmp_path):
    db = seed_site.parent / "warehouse.duckdb"
    build_site(db, tmp_path / "site", max_rows=2)
    index = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert "The 2 lowest scores of 5 agency-years" in index
    assert "2 of 5 reports listed, rejected and partial first" in index
    with duckdb.connect(str(db), read_only=True) as con:
        counts = con.execute("""
            select a.agency, count(*) filter (where severity = 'error'), count(*) filter (where severity = 'warning'),
                   count(*) filter (where severity = 'info')
            from marts.fct_agency_year a left join dq.findings f using (report_id) group by 1""").fetchall()
    by_score = sorted((max(0, 100 - 20 * e - 5 * w - i), agency) for agency, e, w, i in counts)
    table = index[index.index("lowest scores of"):index.index("<h2>Reports</h2>")]
    listed = [agency for agency in AGENCIES if agency in table]
    assert sorted(listed) == sorted(agency for _, agency in by_score[:2])
    assert table.index(by_score[0][1]) < table.index(by_score[1][1])
