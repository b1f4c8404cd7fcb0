"""``xxgk dashboard``: a static, self-contained data-quality site generated from the warehouse.

The warehouse is opened read-only and only for as long as the queries take. Every string that
comes from a report (agency names, labels, cell text, sentences, file names) reaches the HTML
through Jinja's autoescaping, in text or attribute context only; the scripts are static.

What a page shows is what the warehouse holds: a cell's value as read (never the glued run it was cut
from), "?" where nothing was read, with why and the values it may take; an unknown measure is "?",
never a number.
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
# Before the first check run nothing is known of the findings, nor of the score: NULL, shown as "?".
UNCHECKED_QUALITY = ("(select a.report_id, a.agency, a.year, a.template, a.status, null::bigint as errors, "
                     "null::bigint as warnings, null::bigint as infos, null::bigint as dismissed, "
                     "r.n_unresolved as not_read, null::integer as score "
                     "from marts.fct_agency_year a join marts.dim_report r using (report_id))")
NO_FINDINGS = (
    "(select null::varchar as finding_id, null::varchar as report_id, null::varchar as agency, null::integer as year, "
    "null::varchar as check_id, null::varchar as kind, null::varchar as severity, null::varchar as table_id, "
    "null::varchar as row_key, null::varchar as col_key, null::double as expected, null::double as actual, "
    "null::double as delta, null::varchar as message, null::varchar as snippet, null::integer as char_offset, "
    "null::boolean as is_new where false)")
NO_REVIEWS = ("(select null::varchar as finding_id, null::varchar as decision, null::varchar as note, "
              "null::varchar as reviewer, null::timestamp as reviewed_at, null::varchar as recorded_in, "
              "null::boolean as is_current where false)")
# The tables' rows and columns, labels and order: the vocabulary seeds (reference.*), as the loader reads them.
VOCABULARY_SQL = {
    "t3_rows": "select row_key, label, sort_order from reference.t3_rows order by sort_order",
    "t3_cols": "select col_key, label from reference.t3_columns order by sort_order",
    "t4_rows": "select row_key, concat_ws(' · ', nullif(group_label, ''), label) as label from reference.t4_rows "
               "order by sort_order",
    "t4_cols": "select col_key, label from reference.t4_columns order by sort_order",
    "severities": "select * from reference.severities order by sort_order",
    "identity_terms": "select * from reference.identity_terms",
}
# The measures each agency's small multiple draws: applications received and processed, one unit, one axis.
PANEL_MEASURES = ("new_received", "total_processed")
# What a cell's kind and how it was placed tell the reader (a mark beside the value, and words on hover).
CELL_MARKS = {
    "split": ("✂", "cut from a glued run of digits: the only cut for which {resolved_by} holds"),
    "derived": ("=", "determined by the printed cells through {resolved_by}"),
    "template_order": ("↕", "placed by the template's row order: its label was not printed beside it"),
}


@dataclass
class SiteResult:
    index: Path
    n_report_pages: int
    n_findings_listed: int
    n_findings: int


def build_site(db_path: str | Path, out_dir: str | Path, dbt_docs: Path | None = None,
               max_report_pages: int = 2000, max_findings: int = 5000, max_rows: int = 2000,
               max_panels: int = 48) -> SiteResult:
    """Write index.html, findings.html, reports/<id>.html and texts/<id>.html (the text as read) into ``out_dir``.

    At national scale the site summarises: report pages for the reports with the most findings
    (``max_report_pages``), the first ``max_findings`` findings by severity, on the overview the
    ``max_rows`` lowest-scoring agency-years and the rejected and partial reports first, and the
    ``max_panels`` agencies with the most years drawn; the warehouse has all. The GX Data Docs of this
    warehouse's check runs (dq.data_docs) are written under ``gx-data-docs/``.
    """
    out = Path(out_dir)
    data = _load(Path(db_path), max_report_pages, max_findings, max_rows, max_panels)
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    # Every page colours findings by the seed severities (base.html.j2).
    env.globals.update(anchor=anchor, fmt=fmt, one_line=one_line, severities=data["severities"])
    links = _copy_docs(out, dbt_docs, data.pop("data_docs"))
    common = dict(links=links)
    (out / "reports").mkdir(parents=True, exist_ok=True)
    (out / "texts").mkdir(parents=True, exist_ok=True)
    (out / "index.html").write_text(env.get_template("index.html.j2").render(
        **common, root="", charts=_charts(data), **data), encoding="utf-8")
    (out / "findings.html").write_text(env.get_template("findings.html.j2").render(
        **common, root="", **data), encoding="utf-8")
    page, text_page = env.get_template("report.html.j2"), env.get_template("text.html.j2")
    for report in data["report_pages"]:
        rid = report["report_id"]
        (out / "reports" / f"{rid}.html").write_text(page.render(
            **common, root="../", report=report, **_report_tables(report, data)), encoding="utf-8")
        (out / "texts" / f"{rid}.html").write_text(text_page.render(
            **common, root="../", report=report, pieces=_text_pieces(report)), encoding="utf-8")
    return SiteResult(out / "index.html", len(data["report_pages"]), len(data["findings"]), data["n_findings"])


def _rows(con, sql: str, params=()) -> list[dict]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _load(db_path: Path, max_report_pages: int, max_findings: int, max_rows: int, max_panels: int) -> dict:
    if not db_path.exists():
        raise FileNotFoundError(f"{db_path}: no warehouse here; run `xxgk run` first")
    with warehouse.connect(db_path, read_only=True) as con:
        if not warehouse.has_relation(con, "reference", "severities"):
            raise FileNotFoundError(f"{db_path} was built by an older xxgk (no reference.severities): run `xxgk build`")
        has_checks = warehouse.has_relation(con, "dq", "findings")
        findings_from = "dq.findings" if has_checks else NO_FINDINGS
        reviews_from = ("(select * from dq.finding_reviews where is_current)"
                        if warehouse.has_relation(con, "dq", "finding_reviews") else NO_REVIEWS)
        # Findings with their review state; dismissed ones count nowhere but in their own column.
        reviewed = f"""(select f.*, r.decision, r.note as review_note, r.reviewer, r.reviewed_at,
                               coalesce(r.decision = 'dismissed', false) as is_dismissed
                        from {findings_from} f left join {reviews_from} r using (finding_id))"""
        counted = f"(select * from {reviewed} where not is_dismissed)"
        quality_from = "marts.fct_report_quality" if has_checks else UNCHECKED_QUALITY
        data = {
            "has_checks": has_checks,
            "data_docs": con.execute("select path, content from dq.data_docs").fetchall()
            if warehouse.has_relation(con, "dq", "data_docs") else [],
            "status_counts": dict(con.execute("select status, count(*) from marts.dim_report group by 1").fetchall()),
            "severity_counts": dict(con.execute(f"select severity, count(*) from {counted} where kind = 'report' "
                                                "group by 1").fetchall()),
            "extraction_counts": dict(con.execute(f"select severity, count(*) from {counted} "
                                                  "where kind = 'extraction' group by 1").fetchall()),
            "cells_not_read": con.execute("select coalesce(sum(n_unresolved), 0), count(*) filter "
                                          "(where n_unresolved > 0) from marts.dim_report where is_current").fetchone(),
            "n_dismissed": con.execute(f"select count(*) from {reviewed} where is_dismissed").fetchone()[0],
            "check_counts": _rows(con, f"select check_id, kind, severity, count(*) as n from {counted} "
                                       "group by all order by n desc, check_id"),
            "agency_counts": _rows(con, f"""
                select agency, severity, count(*) as n from {counted}
                where kind = 'report' and agency is not null group by all"""),
            "runs": _rows(con, """
                select r.run_id, r.finished_at, r.is_full, r.n_reports,
                       (select sum(n_new) from dq.check_runs c where c.run_id = r.run_id and c.severity = 'error')
                           as new_errors
                from meta.runs r where r.stage = 'check' order by r.finished_at desc limit 10""") if has_checks else [],
            "agency_years": _rows(con, f"""
                select * from {quality_from} order by score, errors desc, warnings desc, agency, year limit ?""",
                                  [max_rows]),
            "year_scores": _rows(con, f"""
                select year, count(*) as agencies, avg(score) as mean_score,
                       avg(case when errors > 0 then 1.0 else 0.0 end) as share_with_errors
                from {quality_from} group by year order by year"""),
            "n_agency_years": con.execute("select count(*) from marts.fct_agency_year").fetchone()[0],
            "n_findings": con.execute(f"select count(*) from {findings_from}").fetchone()[0],
            "findings": _rows(con, f"""
                select f.finding_id, f.report_id, f.agency, f.year, f.check_id, f.kind, f.severity, f.table_id,
                       f.row_key, f.col_key, f.expected, f.actual, f.delta, f.message, f.snippet, f.char_offset,
                       f.is_new, f.decision, f.review_note, f.reviewer, f.reviewed_at, f.is_dismissed
                from {reviewed} f left join reference.severities s using (severity)
                order by f.is_dismissed, f.kind desc, s.sort_order, f.agency, f.year, f.check_id
                limit ?""", [max_findings]),
            "reports": _rows(con, """
                select report_id, agency, year, template, script, status, error, source_path, n_unresolved,
                       is_current, version_note
                from marts.dim_report
                order by case status when 'rejected' then 0 when 'partial' then 1 else 2 end,
                         agency nulls last, year, report_id
                limit ?""", [max_rows]),
            "n_reports": con.execute("select count(*) from marts.dim_report").fetchone()[0],
            "measure_labels": dict(con.execute(
                "select column_name, comment from duckdb_columns() where schema_name = 'marts' "
                "and table_name = 'fct_agency_year' and column_name in (select unnest(?))",
                [list(PANEL_MEASURES)]).fetchall()),
        }
        data["panels"], data["n_agencies"] = _panels(con, max_panels)
        pages = _rows(con, f"""
            select r.report_id, r.agency, r.year, r.template, r.script, r.status, r.error, r.source_path, r.title,
                   r.version_note, count(f.check_id) as n_findings
            from marts.dim_report r left join {counted} f on f.report_id = r.report_id
            where r.status <> 'rejected'
            group by all order by n_findings desc, r.agency, r.year limit ?""", [max_report_pages])
        ids = [p["report_id"] for p in pages]
        cells = _rows(con, "select * from staging.stg_report_cells where report_id in (select unnest(?))", [ids])
        facts = _rows(con, "select * from staging.stg_narrative_facts where report_id in (select unnest(?)) "
                           "order by report_id, fact_no", [ids])
        page_findings = _rows(con, f"select * from {reviewed} where report_id in (select unnest(?))", [ids])
        texts = dict(con.execute("select report_id, normalised_text from raw.report_sources "
                                 "where report_id in (select unnest(?))", [ids]).fetchall())
        data.update({name: _rows(con, sql) for name, sql in VOCABULARY_SQL.items()})
    order = {s["severity"]: s["sort_order"] for s in data["severities"]}
    by_report = defaultdict(lambda: {"cells": [], "facts": [], "findings": []})
    for kind, rows in (("cells", cells), ("facts", facts), ("findings", page_findings)):
        for row in rows:
            by_report[row["report_id"]][kind].append(row)
    for p in pages:
        p.update(by_report[p["report_id"]])
        p["text"] = texts.get(p["report_id"]) or ""
        p["findings"].sort(key=lambda f: (f["is_dismissed"], order.get(f["severity"], 9), f["check_id"]))
    data["report_pages"] = pages
    data["page_ids"] = set(ids)
    data["filters"] = {
        "agency": sorted({f["agency"] for f in data["findings"] if f["agency"]}),
        "year": sorted({f["year"] for f in data["findings"] if f["year"]}),
        "check": sorted({f["check_id"] for f in data["findings"]}),
    }
    return data


def _panels(con, max_panels: int) -> tuple[list[dict], int]:
    """Each drawn agency's headline measures by year, as the marts hold them: NULL where a cell was not read (with
    the reason, where the mart gives one)."""
    columns = {c for (c,) in con.execute("select column_name from duckdb_columns() where schema_name = 'marts' "
                                         "and table_name = 'fct_agency_year'").fetchall()}
    reasons = [f"{m}_missing_reason" if f"{m}_missing_reason" in columns else f"null::varchar as {m}_missing_reason"
               for m in PANEL_MEASURES]
    (n_agencies,) = con.execute("select count(distinct agency) from marts.fct_agency_year").fetchone()
    rows = _rows(con, f"""
        with drawn as (
            select agency from marts.fct_agency_year group by agency order by count(*) desc, agency limit ?
        )
        select agency, year, report_id, {', '.join(PANEL_MEASURES)}, {', '.join(reasons)}
        from marts.fct_agency_year where agency in (select agency from drawn) order by agency, year""", [max_panels])
    panels: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        panels[r["agency"]].append(r)
    return [{"agency": agency, "years": years} for agency, years in panels.items()], n_agencies


def _charts(data: dict) -> dict:
    labels = data["measure_labels"]  # the marts' column descriptions
    by_agency: dict[str, dict[str, int]] = defaultdict(dict)
    for r in data["agency_counts"]:
        by_agency[r["agency"]][r["severity"]] = r["n"]
    order = [s["severity"] for s in data["severities"]]
    colours = {s["severity"]: s["colour"] for s in data["severities"]}
    worst_first = sorted(by_agency.items(), key=lambda kv: tuple(-kv[1].get(s, 0) for s in order) + (kv[0],))
    return {
        "by_check": charts.bar_chart([(r["check_id"] + ("" if r["kind"] == "report" else " (could not read)"), r["n"],
                                       colours[r["severity"]]) for r in data["check_counts"]],
                                     "Findings per check (dismissed ones left out)"),
        "by_agency": charts.stacked_bars(worst_first[:20], order, colours,
                                         "Report findings per agency (the 20 with the most errors)"),
        "panels": [charts.small_multiple(
            p["agency"], [y["year"] for y in p["years"]],
            {m: [(y[m], y[f"{m}_missing_reason"] or "a cell it sums was not read") for y in p["years"]]
             for m in PANEL_MEASURES}) for p in data["panels"]],
        "panel_legend": [(m, labels.get(m) or "") for m in PANEL_MEASURES],
    }


def _text_pieces(report: dict) -> list[tuple[str, int | None, bool]]:
    """The report's normalised text in pieces (text, offset, is a cell's print): each cell's printed text is a piece
    of its own, its id the offset that cells and findings link to."""
    text = report["text"]
    spans: dict[int, int] = {}
    for c in report["cells"]:
        if c["char_offset"] is not None:
            spans[c["char_offset"]] = max(spans.get(c["char_offset"], 0), _printed_length(text, c))
    for f in report["findings"] + report["facts"]:
        if f["char_offset"] is not None:
            spans.setdefault(f["char_offset"], 0)
    pieces, pos = [], 0
    for start in sorted(spans):
        if start < pos or start > len(text):
            continue
        end = start + spans[start]
        pieces += [(text[pos:start], None, False), (text[start:end], start, True)]
        pos = end
    pieces.append((text[pos:], None, False))
    return pieces


def _printed_length(text: str, cell: dict) -> int:
    """How many characters the cell's printed text takes at its offset: a glued run's pieces are joined by ' | ' in
    raw_text and by whitespace in print; 0 when the print is not found there."""
    pos = cell["char_offset"]
    for i, piece in enumerate((cell["raw_text"] or "").split(" | ")):
        while i and pos < len(text) and text[pos].isspace():
            pos += 1
        if not piece or text[pos:pos + len(piece)] != piece:
            return 0
        pos += len(piece)
    return pos - cell["char_offset"]


def _identity_cells(findings: list[dict], terms: list[dict]) -> dict[tuple, tuple[str, str, dict]]:
    """(table, row, col) → (severity, side, finding) for the cells a failing identity sums: an identity finding
    (identity.I1 … I4, its id the identity's) names the column or row; reference.identity_terms the cells. The
    findings given are the report's, not dismissed."""
    by_identity = defaultdict(list)
    for t in terms:
        by_identity[t["identity_id"]].append(t)
    cells: dict[tuple, tuple[str, str, dict]] = {}
    for f in findings:
        if not f["check_id"].startswith("identity."):
            continue
        for t in by_identity.get(f["check_id"].split(".", 1)[1], []):
            if t["table_id"] != f["table_id"]:
                continue
            key = ((t["table_id"], t["term_key"], f["col_key"]) if t["axis"] == "col" and f["col_key"] else
                   (t["table_id"], f["row_key"], t["term_key"]) if t["axis"] == "row" and f["row_key"] else None)
            if key and (key not in cells or f["severity"] == "error"):
                cells[key] = (f["severity"], t["side"], f)
    return cells


def _report_tables(report: dict, data: dict) -> dict:
    order = {s["severity"]: s["sort_order"] for s in data["severities"]}
    # Cells are coloured by the report's findings (not dismissed); what could not be read shows in the cell itself.
    live = [f for f in report["findings"] if not f["is_dismissed"] and f["kind"] == "report"]
    identity = _identity_cells(live, data["identity_terms"])
    by_terms = {id(f) for _, _, f in identity.values()}
    marks: dict[tuple, str] = {}
    for f in live:
        if f["table_id"] in (None, "narrative") or (f["row_key"] is None and f["col_key"] is None) or id(f) in by_terms:
            continue
        key = (f["table_id"], f["row_key"], f["col_key"])
        if order[f["severity"]] < order.get(marks.get(key), 9):
            marks[key] = f["severity"]
    lhs_terms = defaultdict(int)
    for t in data["identity_terms"]:
        lhs_terms[t["identity_id"]] += t["side"] == "lhs"

    def worst(table, row, col):
        if (table, row, col) in identity:
            return identity[(table, row, col)][0]
        found = [marks.get(k) for k in ((table, row, col), (table, row, None), (table, None, col))]
        found = [s for s in found if s]
        return min(found, key=order.get) if found else None

    cells = {(c["table_id"], c["row_key"], c["col_key"]): c for c in report["cells"]}
    present_cols = {c["col_key"] for c in report["cells"] if c["table_id"] == "t3"}
    t3_cols = [(c["col_key"], c["label"]) for c in data["t3_cols"] if c["col_key"] in present_cols]
    t4_cols = [(c["col_key"], c["label"]) for c in data["t4_cols"]]
    row_order = {r["row_key"]: r["sort_order"] for r in data["t3_rows"]}
    t3_keys = sorted({c["row_key"] for c in report["cells"] if c["table_id"] == "t3"},
                     key=lambda k: (row_order.get(k, 99), k))
    t2_keys = list(dict.fromkeys(c["row_key"] for c in report["cells"] if c["table_id"] == "t2"))
    text_page = f"../texts/{report['report_id']}.html"

    def shown(table, key, col):
        cell = cells.get((table, key, col))
        term = identity.get((table, key, col))
        expected = None
        if term and term[1] == "lhs" and lhs_terms[term[2]["check_id"].split(".", 1)[1]] == 1:
            expected = term[2]["expected"]  # a one-cell side: the value the other side gives it
        return {"id": f"c-{table}-{key}-{col}", "cell": cell, "severity": worst(table, key, col),
                "term": term[1] if term else None, "expected": expected, **_cell_view(cell),
                "href": f"{text_page}#o-{cell['char_offset']}" if cell and cell["char_offset"] is not None else None}

    def row(table, key, cols):
        first = next((cells[(table, key, c)] for c, _ in cols if (table, key, c) in cells), None)
        return {"key": key, "label": first["row_label"] if first else key, "severity": marks.get((table, key, None)),
                "cells": [shown(table, key, c) for c, _ in cols]}

    t2 = []
    for key in t2_keys:
        cols = [(c["col_key"], c["col_key"]) for c in report["cells"] if c["table_id"] == "t2" and c["row_key"] == key]
        t2.append({**row("t2", key, cols), "cols": cols})
    failing = [f for f in live if f["check_id"].startswith("identity.")]
    return {
        "t3_cols": t3_cols, "t3": [row("t3", k, t3_cols) for k in t3_keys],
        "t3_col_marks": {c: marks.get(("t3", None, c)) for c, _ in t3_cols},
        "t4_cols": t4_cols, "t4": [row("t4", r["row_key"], t4_cols) | {"label": r["label"]} for r in data["t4_rows"]
                                   if any(("t4", r["row_key"], c) in cells for c, _ in t4_cols)],
        "t2": t2, "text_page": text_page,
        "failing": {t: [f for f in failing if f["table_id"] == t] for t in ("t2", "t3", "t4")},
        "marks": {kind: mark for kind, (mark, _) in CELL_MARKS.items()},
    }


def _cell_view(cell: dict | None) -> dict:
    """What a cell shows (its value as read, or "?" with the values it may take), its mark, and the words on hover:
    what was printed, how it was read, why it was not."""
    if cell is None:
        return {"show": "·", "mark": "", "how": "not in the report", "state": "absent"}
    printed = f"printed: {cell['raw_text']!s}" if cell["raw_text"] not in (None, "") else "printed blank"
    kind = "template_order" if cell["resolved_by"] == "template_order" else cell["value_kind"]
    mark, words = CELL_MARKS.get(kind, ("", ""))
    how = [printed] + ([words.format(resolved_by=cell["resolved_by"] or "?")] if words else [])
    if cell["is_unresolved"] or (cell["value"] is None and cell["value_kind"] not in ("blank", "dash")):
        candidates = cell.get("candidates")
        how.append(f"not read: {cell['unresolved_reason'] or 'text where a number belongs'}")
        return {"show": "?", "candidates": candidates.replace("|", " or ") if candidates else "", "mark": mark,
                "how": "; ".join(how), "state": "unread"}
    if cell["value"] is None:
        return {"show": "–" if cell["value_kind"] == "dash" else "blank", "mark": "", "how": "; ".join(how),
                "state": "blank"}
    return {"show": fmt(cell["value"]), "mark": mark, "how": "; ".join(how), "state": kind}


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
