"""``xxgk dashboard``: a static, self-contained data-quality site generated from the warehouse.

The warehouse is opened read-only and only for as long as the queries take. Every string that
comes from a report (agency names, labels, cell text, sentences, file names) reaches the HTML
through Jinja's autoescaping, in text or attribute context only; the one inline script is static.
"""
from __future__ import annotations

import re
import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from .. import warehouse
from ..checks.data_docs import write_site
from . import charts

TEMPLATES = Path(__file__).parent / "templates"
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
# Findings cost points (marts.fct_report_quality): an error is a wrong figure, a warning a doubtful one, info a curiosity.
SCORE_WEIGHTS = {"error": 20, "warning": 5, "info": 1}
# Before the first check run every current report scores 100.
UNCHECKED_QUALITY = ("(select report_id, agency, year, template, status, 0 as errors, 0 as warnings, 0 as infos, "
                     "0 as not_read, 100 as score from marts.fct_agency_year)")
# The tables' rows and columns, labels and order: the vocabulary seeds (reference.*), as the loader reads them.
VOCABULARY_SQL = {
    "t3_rows": "select row_key, label, sort_order from reference.t3_rows order by sort_order",
    "t3_cols": "select col_key, label from reference.t3_columns order by sort_order",
    "t4_rows": "select row_key, concat_ws(' · ', nullif(group_label, ''), label) as label from reference.t4_rows "
               "order by sort_order",
    "t4_cols": "select col_key, label from reference.t4_columns order by sort_order",
}


@dataclass
class SiteResult:
    index: Path
    n_report_pages: int
    n_findings_listed: int
    n_findings: int


def build_site(db_path: str | Path, out_dir: str | Path, dbt_docs: Path | None = None,
               max_report_pages: int = 2000, max_findings: int = 5000, max_rows: int = 2000) -> SiteResult:
    """Write index.html, findings.html and reports/<id>.html into ``out_dir``.

    At national scale the site summarises: report pages for the reports with the most findings
    (``max_report_pages``), the first ``max_findings`` findings by severity, and on the overview the
    ``max_rows`` lowest-scoring agency-years and the rejected and partial reports first, beside a
    per-year summary of every agency; the warehouse has all. The GX Data Docs of this warehouse's check runs
    (dq.data_docs) are written under ``gx-data-docs/``.
    """
    out = Path(out_dir)
    data = _load(Path(db_path), max_report_pages, max_findings, max_rows)
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(anchor=anchor, fmt=fmt, one_line=one_line)
    links = _copy_docs(out, dbt_docs, data.pop("data_docs"))
    common = dict(links=links, severities=list(SEVERITY_ORDER), weights=SCORE_WEIGHTS)
    (out / "reports").mkdir(parents=True, exist_ok=True)
    (out / "index.html").write_text(env.get_template("index.html.j2").render(
        **common, root="", charts=_charts(data), **data), encoding="utf-8")
    (out / "findings.html").write_text(env.get_template("findings.html.j2").render(
        **common, root="", **data), encoding="utf-8")
    page = env.get_template("report.html.j2")
    for report in data["report_pages"]:
        (out / "reports" / f"{report['report_id']}.html").write_text(page.render(
            **common, root="../", report=report, **_report_tables(report, data)), encoding="utf-8")
    return SiteResult(out / "index.html", len(data["report_pages"]), len(data["findings"]), data["n_findings"])


def _rows(con, sql: str, params=()) -> list[dict]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _load(db_path: Path, max_report_pages: int, max_findings: int, max_rows: int) -> dict:
    if not db_path.exists():
        raise FileNotFoundError(f"{db_path}: no warehouse here; run `xxgk run` first")
    with warehouse.connect(db_path, read_only=True) as con:
        has_checks = _has(con, "dq", "findings")
        findings_from = "dq.findings" if has_checks else (
            "(select null::varchar as report_id, null::varchar as agency, null::integer as year, null::varchar as "
            "check_id, null::varchar as kind, null::varchar as severity, null::varchar as table_id, null::varchar as row_key, null::varchar "
            "as col_key, null::double as expected, null::double as actual, null::double as delta, null::varchar as "
            "message, null::varchar as snippet, null::integer as char_offset, null::boolean as is_new where false)")
        quality_from = "marts.fct_report_quality" if has_checks else UNCHECKED_QUALITY
        data = {
            "has_checks": has_checks,
            "data_docs": con.execute("select path, content from dq.data_docs").fetchall() if _has(con, "dq", "data_docs")
            else [],
            "status_counts": dict(con.execute("select status, count(*) from marts.dim_report group by 1").fetchall()),
            "severity_counts": dict(con.execute(f"select severity, count(*) from {findings_from} where kind = 'report' "
                                                "group by 1").fetchall()),
            "n_not_read": con.execute(f"select count(*) from {findings_from} where kind = 'extraction'").fetchone()[0],
            "check_counts": _rows(con, f"select check_id, severity, count(*) as n from {findings_from} "
                                       "group by 1, 2 order by n desc, check_id"),
            "year_severity": _rows(con, f"select year, severity, count(*) as n from {findings_from} "
                                        "where year is not null and kind = 'report' group by 1, 2 order by 1"),
            "measures_by_year": _rows(con, """
                select year, count(*) as agencies, sum(new_received) as new_received,
                       sum(total_processed) as total_processed, avg(disclosure_rate) as disclosure_rate
                from marts.fct_agency_year group by year order by year"""),
            "runs": _rows(con, """
                select run_id, min(run_at) as run_at, sum(n_findings) filter (where severity = 'error') as errors,
                       sum(n_findings) filter (where severity = 'warning') as warnings,
                       sum(n_findings) filter (where severity = 'info') as infos
                from dq.check_runs where kind = 'report' group by run_id order by run_at""") if has_checks else [],
            "agency_years": _rows(con, f"""
                select * from {quality_from} order by score, agency, year limit ?""", [max_rows]),
            "year_scores": _rows(con, f"""
                select year, count(*) as agencies, avg(score) as mean_score,
                       avg(case when errors > 0 then 1.0 else 0.0 end) as share_with_errors
                from {quality_from} group by year order by year"""),
            "n_agency_years": con.execute("select count(*) from marts.fct_agency_year").fetchone()[0],
            "n_findings": con.execute(f"select count(*) from {findings_from}").fetchone()[0],
            "findings": _rows(con, f"""
                select report_id, agency, year, check_id, kind, severity, table_id, row_key, col_key, expected, actual,
                       delta, message, snippet, is_new
                from {findings_from}
                order by kind desc, case severity when 'error' then 0 when 'warning' then 1 else 2 end, agency, year,
                         check_id
                limit ?""", [max_findings]),
            "reports": _rows(con, """
                select report_id, agency, year, template, script, status, error, source_path, n_unresolved,
                       is_current, version_note
                from marts.dim_report
                order by case status when 'rejected' then 0 when 'partial' then 1 else 2 end,
                         agency nulls last, year, report_id
                limit ?""", [max_rows]),
            "n_reports": con.execute("select count(*) from marts.dim_report").fetchone()[0],
        }
        pages = _rows(con, f"""
            select r.report_id, r.agency, r.year, r.template, r.script, r.status, r.error, r.source_path, r.title,
                   r.version_note, count(f.check_id) as n_findings
            from marts.dim_report r left join {findings_from} f on f.report_id = r.report_id
            where r.status <> 'rejected'
            group by all order by n_findings desc, r.agency, r.year limit ?""", [max_report_pages])
        ids = [p["report_id"] for p in pages]
        cells = _rows(con, "select * from staging.stg_report_cells where report_id in (select unnest(?))", [ids])
        facts = _rows(con, "select * from staging.stg_narrative_facts where report_id in (select unnest(?)) "
                           "order by report_id, fact_no", [ids])
        page_findings = _rows(con, f"select * from {findings_from} where report_id in (select unnest(?))", [ids])
        data.update({name: _rows(con, sql) for name, sql in VOCABULARY_SQL.items()})
    by_report = defaultdict(lambda: {"cells": [], "facts": [], "findings": []})
    for kind, rows in (("cells", cells), ("facts", facts), ("findings", page_findings)):
        for row in rows:
            by_report[row["report_id"]][kind].append(row)
    for p in pages:
        p.update(by_report[p["report_id"]])
        p["findings"].sort(key=lambda f: (SEVERITY_ORDER.get(f["severity"], 9), f["check_id"]))
    data["report_pages"] = pages
    data["page_ids"] = set(ids)
    data["filters"] = {
        "agency": sorted({f["agency"] for f in data["findings"] if f["agency"]}),
        "year": sorted({f["year"] for f in data["findings"] if f["year"]}),
        "check": sorted({f["check_id"] for f in data["findings"]}),
    }
    return data


def _charts(data: dict) -> dict:
    years = sorted({r["year"] for r in data["year_severity"]})
    by = {(r["year"], r["severity"]): r["n"] for r in data["year_severity"]}
    out = {
        "by_check": charts.bar_chart([(r["check_id"], r["n"], charts.SEVERITY_COLOURS[r["severity"]])
                                      for r in data["check_counts"]], "Findings by check"),
        "by_year": charts.stacked_columns(years, {s: [by.get((y, s), 0) for y in years] for s in SEVERITY_ORDER},
                                          charts.SEVERITY_COLOURS, "Findings by report year"),
    }
    m = data["measures_by_year"]
    out["measures"] = charts.line_chart(
        [r["year"] for r in m],
        {"new_received": [r["new_received"] for r in m], "total_processed": [r["total_processed"] for r in m],
         "disclosure_rate": [r["disclosure_rate"] for r in m]},
        "Headline measures by year (each line scaled to its maximum)")
    if len(data["runs"]) > 0:
        runs = data["runs"]
        out["runs"] = charts.stacked_columns(
            [r["run_at"].strftime("%m-%d %H:%M") for r in runs],
            {"error": [r["errors"] or 0 for r in runs], "warning": [r["warnings"] or 0 for r in runs],
             "info": [r["infos"] or 0 for r in runs]}, charts.SEVERITY_COLOURS, "Findings per check run")
    return out


def _cell_severity(findings: list[dict]) -> dict[tuple, str]:
    """(table, row, col) → worst severity; a finding on a whole row or column marks all its cells."""
    marks: dict[tuple, str] = {}
    for f in findings:
        if f["table_id"] in (None, "narrative") or (f["row_key"] is None and f["col_key"] is None):
            continue
        key = (f["table_id"], f["row_key"], f["col_key"])
        if SEVERITY_ORDER[f["severity"]] < SEVERITY_ORDER.get(marks.get(key), 9):
            marks[key] = f["severity"]
    return marks


def _report_tables(report: dict, data: dict) -> dict:
    marks = _cell_severity(report["findings"])

    def worst(table, row, col):
        found = [marks.get(k) for k in ((table, row, col), (table, row, None), (table, None, col))]
        found = [s for s in found if s]
        return min(found, key=SEVERITY_ORDER.get) if found else None

    cells = {(c["table_id"], c["row_key"], c["col_key"]): c for c in report["cells"]}
    present_cols = {c["col_key"] for c in report["cells"] if c["table_id"] == "t3"}
    t3_cols = [(c["col_key"], c["label"]) for c in data["t3_cols"] if c["col_key"] in present_cols]
    t4_cols = [(c["col_key"], c["label"]) for c in data["t4_cols"]]
    order = {r["row_key"]: r["sort_order"] for r in data["t3_rows"]}
    t3_keys = sorted({c["row_key"] for c in report["cells"] if c["table_id"] == "t3"}, key=lambda k: (order.get(k, 99), k))
    t2_keys = list(dict.fromkeys(c["row_key"] for c in report["cells"] if c["table_id"] == "t2"))

    def row(table, key, cols):
        first = next((cells[(table, key, c)] for c, _ in cols if (table, key, c) in cells), None)
        return {"key": key, "label": first["row_label"] if first else key, "severity": marks.get((table, key, None)),
                "cells": [{"id": f"c-{table}-{key}-{c}", "cell": cells.get((table, key, c)),
                           "severity": worst(table, key, c)} for c, _ in cols]}

    t2 = []
    for key in t2_keys:
        cols = [(c["col_key"], c["col_key"]) for c in report["cells"] if c["table_id"] == "t2" and c["row_key"] == key]
        t2.append({**row("t2", key, cols), "cols": cols})
    return {
        "t3_cols": t3_cols, "t3": [row("t3", k, t3_cols) for k in t3_keys],
        "t3_col_marks": {c: marks.get(("t3", None, c)) for c, _ in t3_cols},
        "t4_cols": t4_cols, "t4": [row("t4", r["row_key"], t4_cols) | {"label": r["label"]} for r in data["t4_rows"]
                                   if any(("t4", r["row_key"], c) in cells for c, _ in t4_cols)],
        "t2": t2,
    }


def _has(con, schema: str, table: str) -> bool:
    return bool(con.execute("select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
                            [schema, table]).fetchone()[0])


def _copy_docs(out: Path, dbt_docs: Path | None, gx_site: list[tuple[str, bytes]]) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    links = {}
    if dbt_docs and Path(dbt_docs).exists():
        shutil.copyfile(dbt_docs, out / "dbt-docs.html")
        links["dbt"] = "dbt-docs.html"
    shutil.rmtree(out / "gx-data-docs", ignore_errors=True)
    if gx_site:
        write_site(gx_site, out / "gx-data-docs")
        links["gx"] = "gx-data-docs/index.html"
    return links


def one_line(snippet: str | None) -> str:
    r"""A source snippet on one line, cells separated by '|', for a table column.

    >>> one_line("\t107\n\t15\n\n\t0")
    '107 | 15 | 0'
    """
    return re.sub(r"\s*\n\s*", " | ", (snippet or "").strip(" \t\n|")).strip(" |")


def fmt(value) -> str:
    """A number as a person reads it.

    >>> fmt(182000000.0), fmt(0.5), fmt(None)
    ('182000000', '0.5', '')
    """
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def anchor(f: dict) -> str:
    """Where on a report page a finding points: its cell, else its row or column, else the findings list."""
    if f["table_id"] and f["row_key"] and f["col_key"]:
        return f"c-{f['table_id']}-{f['row_key']}-{f['col_key']}"
    if f["table_id"] and f["col_key"]:
        return f"h-{f['table_id']}-{f['col_key']}"
    if f["table_id"] and f["row_key"]:
        return f"r-{f['table_id']}-{f['row_key']}"
    return "findings"
