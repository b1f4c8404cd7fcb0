"""The dashboard rendered from real warehouses, looked at in headless Chromium: values and highlighted cells read from
the DOM, the pages driven as a reader does (filters, search, a CSV download), screenshots kept as artefacts."""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import struct
from pathlib import Path

import duckdb
import pytest

from tests.support.samples import RAW, SEEDS
from tests.support.warehouses import q
from xxgk.build import build
from xxgk.checks.run import run_checks
from xxgk.dashboard.screenshot import Browser, chromium, dump_dom, screenshot
from xxgk.dashboard.site import _cell_view, build_site
from xxgk.ingest import ingest

# The pipeline end to end: dbt, GX, the command line (tests/conftest.py builds the samples once).
pytestmark = pytest.mark.e2e

AGENCIES = ["杭州钱塘新区管理委员会", "东新街道", "杭州钱江经济开发区", "余杭区人民政府办公室", "嘉兴港区"]
needs_browser = pytest.mark.skipif(chromium() is None and not os.environ.get("CI"),
                                   reason="no chromium here (make browser installs it; CI always has it)")


def site_from(tmp: Path, raw: Path | list[Path], before_build=None) -> Path:
    db = tmp / "warehouse.duckdb"
    ingest(raw if isinstance(raw, list) else [raw], db, progress=False)
    if before_build:
        with duckdb.connect(str(db)) as con:
            before_build(con)
    result = build(db, target_dir=tmp / "target", docs=False, quiet=True)  # the dbt docs hold no report's text
    assert result.success, result.failures
    run_checks(db, built_in=tmp / "target")
    site = tmp / "site"
    build_site(db, site)
    return site


def site_of(db: Path) -> Path:
    """The dashboard of a warehouse checked in conftest, beside it (with its dbt docs)."""
    site = db.parent / "site"
    build_site(db, site, dbt_docs=db.parent / "target" / "static_index.html")
    return site


@pytest.fixture(scope="module")
def seed_site(samples) -> Path:
    return site_of(samples)


@pytest.fixture(scope="module")
def real_site(real_reports) -> Path:
    """The twelve real reports (tests/fixtures/real), as a reviewer meets them."""
    return site_of(real_reports)


def warehouse_of(site: Path) -> Path:
    return site.parent / "warehouse.duckdb"


def report_page(site: Path, source: str) -> Path:
    (rid,) = q(warehouse_of(site), "select report_id from marts.dim_report where source_path like ?", f"%{source}")[0]
    return site / "reports" / f"{rid}.html"


def dashboard_pages(site: Path) -> list[Path]:
    return [site / "index.html", site / "findings.html", *sorted((site / "reports").glob("*.html")),
            *sorted((site / "texts").glob("*.html"))]


# What a cell shows, its classes and its words on hover, by the cell's id.
CELLS_JS = """Object.fromEntries([...document.querySelectorAll('td.cell')].map(td =>
    [td.id, {show: td.dataset.value, text: td.textContent, classes: td.className, title: td.title}]))"""


def test_site_has_a_page_per_report_and_links_to_the_docs(seed_site):
    assert len(list((seed_site / "reports").glob("*.html"))) == len(SEEDS)
    assert len(list((seed_site / "texts").glob("*.html"))) == len(SEEDS)
    index = (seed_site / "index.html").read_text("utf-8")
    assert 'href="gx-data-docs/index.html"' in index and (seed_site / "gx-data-docs" / "index.html").exists()
    assert 'href="dbt-docs.html"' in index and (seed_site / "dbt-docs.html").stat().st_size > 100_000


def test_dbt_docs_open_on_the_projects_own_overview(seed_site):
    docs = (seed_site / "dbt-docs.html").read_text("utf-8")
    assert "Where to start" in docs and "marts.fct_report_quality" in docs


def test_dashboard_references_no_network_resource(seed_site):
    remote = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//""", re.I)
    for page in dashboard_pages(seed_site):
        assert not remote.search(page.read_text("utf-8")), page
    # A report's own text may name a web site: shown as text, never loaded.
    texts = "".join(p.read_text("utf-8") for p in (seed_site / "texts").glob("*.html"))
    assert "https://www.yuhang.gov.cn/col/col1229441705/index.html" in texts


@needs_browser
def test_rendered_dashboard_shows_agencies_findings_and_charts(seed_site, artefacts):
    png = screenshot(seed_site / "index.html", artefacts / "seeds-overview.png")
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", header[16:24]) == (1300, 1500)
    assert png.stat().st_size > 40_000  # a blank page compresses to a few kB
    index = dump_dom(seed_site / "index.html")
    for agency in AGENCIES:
        assert agency in index
    assert len(re.findall(r'<svg class="chart panel"', index)) == len(AGENCIES)  # one small multiple per agency
    findings = dump_dom(seed_site / "findings.html")
    assert "I1 fails for column natural_person: 一 + 二 = 107 but （七）总计 + 四 = 106 (difference 1)" in findings
    assert "I1 fails for column commercial_enterprise" in findings


@needs_browser
def test_findings_filter_by_severity(seed_site):
    dom = dump_dom(f"{seed_site / 'findings.html'}#severity=error")
    rows = re.findall(r'<tr class="finding[^>]*>', dom)
    visible = [r for r in rows if "display: none" not in r]
    # 11 findings on the seeds, and 嘉兴港区's blank cells derived from the printed ones (extraction.derived_cells)
    assert len(rows) == 12 and len(visible) == 2
    assert all('data-check="identity.I1"' in r for r in visible)


@needs_browser
def test_report_page_colours_the_cells_of_its_identity(seed_site):
    with Browser() as b:
        cells = b.open(report_page(seed_site, "003_287cca442e0f5e9d.txt")).js(CELLS_JS)
    # I1 for 自然人: 一 + 二 = 107 vs （七） + 四 = 106; its four cells are marked, the column's others are not.
    for row in ("new_received", "carried_over", "total_processed", "carried_forward"):
        assert "sev-error" in cells[f"c-t3-{row}-natural_person"]["classes"], row
    assert cells["c-t3-new_received-natural_person"]["show"] == "107"
    assert "term-lhs" in cells["c-t3-new_received-natural_person"]["classes"]
    assert "sev-" not in cells["c-t3-granted-natural_person"]["classes"]
    assert "sev-" not in cells["c-t3-new_received-total"]["classes"]  # I1 holds for the total column


# --- the real corpus: what a reviewer sees -------------------------------------------------------------------------

@needs_browser
def test_a_flattened_page_shows_each_cells_value_and_the_row_its_identity_fails_on(real_site, artefacts):
    """平潭 2020 (003.txt): cells cut from glued runs show their own values; I2 fails in the 自然人 and 总计 columns."""
    page = report_page(real_site, "003.txt")
    with Browser(height=2600) as b:
        cells = b.open(page).js(CELLS_JS)
        lines = b.js("[...document.querySelectorAll('.identity')].map(p => p.textContent)")
        b.screenshot(artefacts / "real-003-pingtan-2020.png")
    total = cells["c-t3-total_processed-total"]
    assert total["show"] == "21" and "✂" in total["text"] and "≠ 27" in total["text"]
    assert "printed: 20 | 0 | 00 | 0 | 121" in total["title"] and "cut from a glued run" in total["title"]
    assert cells["c-t3-granted-natural_person"]["show"] == "6"
    assert not any("6000017" in c["text"] or "|" in c["text"] for c in cells.values())  # no glued run in a cell
    # I2 (（七）总计 = the outcome rows) fails in two columns: its terms there are marked, nothing else.
    for col, expected, printed in (("total", 27, 21), ("natural_person", 26, 20)):
        marked = {k.split("-")[2] for k, c in cells.items() if k.endswith(f"-{col}") and k.startswith("c-t3-")
                  and "sev-error" in c["classes"]}
        assert "total_processed" in marked and "granted" in marked and "unable_unclear" in marked, col
        assert not marked & {"new_received", "carried_over", "carried_forward"}, col
        assert "term-lhs" in cells[f"c-t3-total_processed-{col}"]["classes"]
        assert any(f"column {col}" in line and f"printed {printed}, expected {expected}" in line for line in lines)
    assert not [c for k, c in cells.items() if "-natural_person" not in k and "-total" not in k
                and "sev-error" in c["classes"]]


@needs_browser
def test_a_cell_not_read_shows_a_question_mark_and_why(real_site, artefacts):
    """平潭 2019 (002.txt): table 2's 规范性文件 row is the glued run 898989, which ten splits fit and no identity
    chooses between; the warehouse holds nothing there."""
    with Browser(height=2200) as b:
        cells = b.open(report_page(real_site, "002.txt")).js(CELLS_JS)
        b.screenshot(artefacts / "real-002-unresolved.png")
    made = cells["c-t2-normative_documents-made"]
    assert made["show"] == "?" and "unread" in made["classes"]
    assert "glued digits 898989: 10 splits" in made["title"] and "printed: 898989" in made["title"]
    assert not re.search(r"\d", made["text"].split("?")[0])  # no number stands for it


@needs_browser
def test_a_cell_links_to_its_place_in_the_text(real_site, artefacts):
    with Browser() as b:
        b.open(report_page(real_site, "003.txt"))
        href = b.js("document.querySelector('#c-t3-total_processed-total a').href")
        b.open(href)
        target = b.js("[document.querySelector(':target').textContent, "
                      "getComputedStyle(document.querySelector(':target')).backgroundColor]")
        b.screenshot(artefacts / "real-003-text-at-the-cell.png")
    assert "/texts/" in href and target == ["20 0 00 0 121", "rgb(255, 224, 102)"]


@needs_browser
def test_reports_with_errors_rank_below_reports_with_only_warnings(real_site, artefacts):
    with Browser(height=2400) as b:
        b.open(real_site / "index.html")
        rows = b.js("[...document.querySelectorAll('#scores tr[data-report]')].map(tr => "
                    "[...tr.cells].map(td => td.textContent.trim()))")
        cards = b.js("Object.fromEntries([...document.querySelectorAll('.card')].map(c => "
                     "[c.querySelector('.l').textContent.trim(), c.querySelector('.n').textContent.trim()]))")
        more_open = b.js("document.getElementById('more-counts').open")
        b.screenshot(artefacts / "real-overview.png", full_page=True)
    ranked = [(agency, int(year), int(errors), int(warnings), int(score))
              for agency, year, _, _, errors, warnings, *_, score in rows]
    with_errors = [r for r in ranked if r[2]]
    assert {(a, y) for a, y, *_ in with_errors} == {("平潭综合实验区", 2020), ("洪泽区人民政府", 2023)}
    assert ranked[:2] == sorted(with_errors, key=lambda r: (r[4], r[0]))  # the identity errors first
    shanghai = next(r for r in ranked if r[:2] == ("上海市人民政府办公厅", 2019))
    assert shanghai[2] == 0 and shanghai[3] >= 10  # blank columns: many warnings, no error
    assert max(r[4] for r in with_errors) < shanghai[4]
    # "Cells not read" counts the cells the warehouse holds nothing for, not the notes on cells read by a cut.
    (not_read,) = q(warehouse_of(real_site), "select sum(n_unresolved) from marts.dim_report where is_current")[0]
    assert cards["cells not read (in 7 reports)"] == str(not_read)
    assert not more_open  # info findings collapsed


@needs_browser
def test_headline_measures_per_agency_with_axis_values(real_site):
    with Browser(height=2400) as b:
        panels = b.open(real_site / "index.html").js("""[...document.querySelectorAll('svg.panel')].map(svg => ({
            title: svg.querySelector('title').textContent,
            axis: [...svg.querySelectorAll('text.axis')].map(t => t.textContent)}))""")
    assert {p["title"] for p in panels} == {a for (a,) in q(warehouse_of(real_site),
                                                               "select distinct agency from marts.fct_agency_year")}
    pingtan = next(p for p in panels if p["title"] == "平潭综合实验区")
    assert [str(y) for y in range(2019, 2025)] == [a for a in pingtan["axis"] if len(a) == 4 and a.startswith("20")]
    assert "0" in pingtan["axis"] and "250" in pingtan["axis"]  # its own axis: 218 applications at most
    with Browser() as b:
        b.open(real_site / "index.html")
        assert b.js("document.body.textContent.includes('Headline measures by year')") is False


@needs_browser
def test_an_unknown_measure_is_drawn_as_a_question_mark(real_site, tmp_path):
    db = tmp_path / "w.duckdb"
    shutil.copyfile(warehouse_of(real_site), db)
    with duckdb.connect(str(db)) as con:
        con.execute("update marts.fct_agency_year set new_received = null where agency = '平潭综合实验区' "
                    "and year = 2022")
    build_site(db, tmp_path / "site")
    with Browser(height=2400) as b:
        unknown = b.open(tmp_path / "site" / "index.html").js(
            "[...document.querySelectorAll('svg.panel text.unknown title')].map(t => t.textContent)")
    assert unknown == ["new_received 2022: unknown (a cell it sums was not read)"]


@needs_browser
def test_findings_search_filters_and_csv_of_the_shown_rows(real_site, artefacts):
    with Browser() as b:
        b.open(real_site / "findings.html")
        default = b.js("[...document.querySelectorAll('tr.finding')].filter(r => r.style.display !== 'none')"
                       ".map(r => r.dataset.severity)")
        b.js("const s = document.getElementById('search'); s.value = '洪泽'; "
             "s.dispatchEvent(new Event('input'))")
        shown = b.js("[...document.querySelectorAll('tr.finding')].filter(r => r.style.display !== 'none')"
                     ".map(r => r.dataset.id)")
        hash_ = b.js("location.hash")
        data = b.click_to_download("#csv").read_bytes()
        b.screenshot(artefacts / "real-findings-search.png")
        b.js("const t = document.getElementById('search'); t.value = ''; t.dispatchEvent(new Event('input')); "
             "document.getElementById('show-info').click()")
        with_info = b.js("[...document.querySelectorAll('tr.finding')].filter(r => r.style.display !== 'none')"
                         ".map(r => r.dataset.severity)")
    assert "info" not in default and default  # info collapsed until asked for
    ids = {i for (i,) in q(warehouse_of(real_site), "select finding_id from dq.findings where agency = '洪泽区人民政府' "
                                                    "and severity <> 'info'")}
    assert set(shown) == ids and len(ids) == 2 and hash_ == "#q=%E6%B4%AA%E6%B3%BD"
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert {r["finding_id"] for r in rows} == ids
    assert {(r["check"], r["cell"], r["expected"], r["actual"]) for r in rows} == {
        ("identity.I4", "t4 review", "11", "0"), ("identity.I4", "t4 litigation_after_review", "5", "0")}
    assert len(with_info) == len(default) + with_info.count("info") and "info" in with_info


def test_what_a_cell_shows_for_each_way_it_was_read():
    cell = {"value": None, "raw_text": "", "value_kind": "blank", "resolved_by": None, "is_unresolved": False,
            "unresolved_reason": None}
    assert _cell_view(cell) | {"how": ""} == {"show": "blank", "mark": "", "how": "", "state": "blank"}
    derived = _cell_view(cell | {"value": 3.0, "value_kind": "derived", "resolved_by": "I2,I3"})
    assert (derived["show"], derived["mark"], derived["state"]) == ("3", "=", "derived")
    assert derived["how"] == "printed blank; determined by the printed cells through I2,I3"
    unread = _cell_view(cell | {"raw_text": "270020130", "value_kind": "number", "is_unresolved": True,
                                "unresolved_reason": "glued digits 270020130: 2 splits fit I3",
                                "candidates": "27|2"})
    assert (unread["show"], unread["candidates"], unread["state"]) == ("?", "27 or 2", "unread")
    assert "not read: glued digits 270020130: 2 splits fit I3" in unread["how"]
    ordered = _cell_view(cell | {"value": 4.0, "raw_text": "4", "value_kind": "number", "resolved_by": "template_order"})
    assert (ordered["show"], ordered["mark"]) == ("4", "↕")
    assert _cell_view(None)["show"] == "·"


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


def test_before_the_first_check_run_no_score_is_made_up(samples_built, tmp_path):
    build_site(samples_built, tmp_path / "site")
    index = (tmp_path / "site" / "index.html").read_text("utf-8")
    (report,), = q(samples_built, "select report_id from marts.dim_report where source_path like '%/003_%'")
    row = re.search(rf'<tr class="[^"]*" data-report="{report}">(.*?)</tr>', index, flags=re.S).group(1)
    assert re.findall(r'<td class="num[^"]*"[^>]*>(?:<strong>)?([^<]*)', row) == ["?", "?", "?", "?", "0", "?"]
    assert "The checks have not run on this warehouse yet" in index


def test_at_national_scale_the_overview_summarises_lowest_scores_first(seed_site, tmp_path):
    db = seed_site.parent / "warehouse.duckdb"
    build_site(db, tmp_path / "site", max_rows=2, max_panels=3)
    index = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert "The 2 lowest scores of 5 agency-years" in index
    assert "2 of 5 reports listed, rejected and partial first" in index
    assert "The 3 agencies with the most years of 5" in index
    by_score = q(db, "select agency, score from marts.fct_report_quality order by score, errors desc, warnings desc, "
                     "agency, year")
    table = index[index.index("lowest scores of"):index.index("<h2>Findings per check")]
    listed = [agency for agency in AGENCIES if agency in table]
    assert sorted(listed) == sorted(agency for agency, _ in by_score[:2])
    assert table.index(by_score[0][0]) < table.index(by_score[1][0])
