"""Every check, once: id, severity, what it means to an analyst, and the SQL that finds the failures.

Each check's SQL runs over ``{batch}`` (its GX asset) and returns one row per failing unit with
the columns of ``FINDING_COLUMNS``. GX runs it to validate (push-down row counts); ``xxgk check``
runs the very same text in DuckDB to store every finding (GX returns at most 200 sample rows).
The committed GX suites under expectations/gx are generated from this module
(``xxgk check --write-suites``); a test keeps them in sync.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from loaders.store import sql_literal

FINDING_COLUMNS = ("report_id", "table_id", "row_key", "col_key", "expected", "actual", "delta", "message",
                   "char_offset")
SEVERITIES = ("error", "warning", "info")
GX_SEVERITY = {"error": "critical", "warning": "warning", "info": "info"}

# Which reports a check run evaluates: all of them on a full run; on an incremental run every report
# of each agency with a report ingested since the previous run (so cross-year pairs and superseded
# versions are re-evaluated too). Written by `xxgk check` before GX validates.
SCOPE_TABLE = "dq.check_scope"


def _in_scope(relation: str) -> str:
    return f"select * from {relation} where report_id in (select report_id from {SCOPE_TABLE})"


# GX query assets: one per warehouse model the suites validate.
ASSETS = {
    "identity_sides": _in_scope("intermediate.int_identity_within_report"),
    "identity_across_years": _in_scope("intermediate.int_identity_across_years"),
    "narrative_readings": _in_scope("intermediate.int_narrative_readings"),
    "reports": _in_scope("marts.dim_report"),
    "cells": _in_scope("staging.stg_report_cells"),
    # Anomalies compare every agency with its peers, so they always read the whole warehouse.
    "agency_year": "select * from marts.fct_agency_year",
}
WHOLE_WAREHOUSE_ASSETS = {"agency_year"}


@dataclass(frozen=True)
class Check:
    check_id: str
    suite: str
    severity: str
    asset: str
    description: str
    sql: str

    @property
    def scoped(self) -> bool:
        """Evaluated for the reports in the run's scope only (else over the whole warehouse)."""
        return self.asset not in WHOLE_WAREHOUSE_ASSETS


def num(expr: str) -> str:
    """SQL rendering a number for a message: 107, 0.5, 126337813.74; 'blank' for NULL."""
    return f"coalesce(rtrim(rtrim(printf('%.2f', {expr}), '0'), '.'), 'blank')"


# --- identities within a report ---------------------------------------------------------------
_IDENTITY_WORDS = {
    "I1": ("column", "一 + 二", "（七）总计 + 四"),
    "I2": ("column", "（七）总计", "the sum of outcomes （一）–（六）"),
    "I3": ("row", "总计", "自然人 + the five 法人或其他组织 columns"),
    "I3_subtotal": ("row", "小计", "the five 法人或其他组织 columns"),
    "I4": ("block", "总计", "维持 + 纠正 + 其他 + 尚未审结"),
}


def _failing_identity_sql(identity: str, place_sql: str, lhs: str, rhs: str, suffix_sql: str) -> str:
    """Rows of an identity model where the identity fails with every cell present, as findings."""
    return f"""
select report_id, table_id, row_key, col_key, rhs as expected, lhs as actual, delta,
       {sql_literal(f"{identity} fails for ")} || {place_sql} || {sql_literal(f": {lhs} = ")} || {num('lhs')}
           || {sql_literal(f" but {rhs} = ")} || {num('rhs')} || {suffix_sql} as message,
       anchor_offset as char_offset
from {{batch}}
where identity_id = '{identity}' and is_complete and delta <> 0"""


def _identity_check(identity: str) -> Check:
    axis, lhs, rhs = _IDENTITY_WORDS[identity]
    unit = "col_key" if axis == "column" else "row_key"
    return Check(
        check_id=f"identity.{identity}",
        suite="identities",
        severity="error",
        asset="identity_sides",
        description=f"{identity}: in every {axis} of table {'4' if identity == 'I4' else '3'}, {lhs} equals {rhs}. "
                    "Fails only where every cell involved holds a number.",
        sql=_failing_identity_sql(identity, f"{sql_literal(axis + ' ')} || {unit}", lhs, rhs,
                                  f"' (difference ' || {num('delta')} || ')'"),
    )


IDENTITY_INCOMPLETE = Check(
    check_id="identity.unverifiable",
    suite="identities",
    severity="warning",
    asset="identity_sides",
    description="An identity (I1–I4) whose sides differ while some of its cells are blank or '/': it cannot be "
                "verified, and treating the blanks as 0 it does not hold.",
    sql=f"""
select report_id, table_id, row_key, col_key, rhs as expected, lhs as actual, delta,
       identity_id || ' cannot be verified for ' || coalesce(col_key, row_key) || ': '
           || cast(lhs_missing + rhs_missing as varchar) || ' blank cell(s); reading them as 0 gives '
           || {num('lhs')} || ' vs ' || {num('rhs')} as message,
       anchor_offset as char_offset
from {{batch}}
where not is_complete and has_numbers and delta <> 0""",
)


# --- across years ------------------------------------------------------------------------------
def _cross_year_check(identity: str, severity: str, description: str, words: tuple[str, str]) -> Check:
    lhs, rhs = words
    return Check(
        check_id=f"cross_year.{identity}",
        suite="cross_year",
        severity=severity,
        asset="identity_across_years",
        description=description,
        sql=_failing_identity_sql(
            identity, "coalesce(row_key, col_key) || ' between ' || cast(year - 1 as varchar) || ' and ' "
                      "|| cast(year as varchar)", lhs, rhs, "' (previous report ' || prev_report_id || ')'"),
    )


# --- narrative ---------------------------------------------------------------------------------
NARRATIVE_MISMATCH = Check(
    check_id="narrative.mismatch",
    suite="narrative",
    severity="warning",
    asset="narrative_readings",
    description="A number stated in the narrative matches none of the table figures it may refer to "
                "(收到 may be 一 or 一+二, 行政复议 the total or the concluded cases, 占 N% a share within rounding, "
                "自然人 N 件 the 自然人 column, …), and every table cell those readings need was read (a reading "
                "over a blank or unresolved cell is no evidence). Often a wider scope than the table, so a "
                "warning with both values and the sentence, not an error.",
    sql=f"""
with per_fact as (
    select report_id, fact_no, metric, part, stated_value, qualifier, sentence, char_offset,
           string_agg(reading_id || ' = ' || {num('table_value')}, '; ' order by reading_id) as readings,
           arg_min(table_value, abs(table_value - stated_value)) as closest,
           count(*) as n_readings,
           bool_and(is_complete) as all_complete,
           bool_or(coalesce(matches, false)) as any_match
    from {{batch}}
    group by report_id, fact_no, metric, part, stated_value, qualifier, sentence, char_offset
)
select report_id, 'narrative' as table_id, metric as row_key, cast(null as varchar) as col_key,
       closest as expected, stated_value as actual, stated_value - closest as delta,
       'narrative states ' || metric || case when part in ('total', 'review', 'litigation') then ''
           else ' (' || part || ')' end || ' = ' || {num('stated_value')}
           || case when qualifier = 'share' then '%' else '' end
           || ' but the tables give ' || readings || ' — 「' || sentence || '」' as message,
       char_offset
from per_fact
where n_readings > 0 and all_complete and not any_match""",
)


# --- structure and values ----------------------------------------------------------------------
# The finding columns of a check about a whole report: no cell, no numbers.
NO_CELL = ("cast(null as varchar) as table_id, cast(null as varchar) as row_key, cast(null as varchar) as col_key,\n"
           "       cast(null as double) as expected, cast(null as double) as actual, cast(null as double) as delta,")
_COUNT_COLUMNS = "col_key not in ('procurement_amount', 'fee_amount')"


def _row_check(check_id: str, description: str, message_sql: str, where_sql: str) -> Check:
    """A warning with one finding per table row whose cells match ``where_sql``."""
    return Check(
        check_id=check_id,
        suite="structure",
        severity="warning",
        asset="cells",
        description=description,
        sql=f"""
select report_id, table_id, row_key, cast(null as varchar) as col_key,
       cast(null as double) as expected, cast(null as double) as actual, cast(null as double) as delta,
       {message_sql} as message, min(char_offset) as char_offset
from {{batch}}
where {where_sql}
group by report_id, table_id, row_key""",
    )
STRUCTURE = [
    Check(
        check_id="structure.missing_table",
        suite="structure",
        severity="error",
        asset="reports",
        description="A report (not rejected) in which table 2, 3 or 4 was not found at all.",
        sql="""
select r.report_id, t.table_id, cast(null as varchar) as row_key, cast(null as varchar) as col_key,
       cast(null as double) as expected, cast(null as double) as actual, cast(null as double) as delta,
       'table ' || substr(t.table_id, 2) || ' not found in the report' as message, cast(null as integer) as char_offset
from {batch} as r
cross join (select 't2' as table_id union all select 't3' union all select 't4') as t
where r.status <> 'rejected'
  and not exists (select 1 from staging.stg_report_cells c where c.report_id = r.report_id and c.table_id = t.table_id)""",
    ),
    Check(
        check_id="structure.template_year_mismatch",
        suite="structure",
        severity="error",
        asset="reports",
        description="The layout does not match the year: a report for 2021 or later printed in the 2019 "
                    "template, a 2019–2020 report in the 2021 one, or a report for 2018 or earlier (when the "
                    "reports had other tables) in either: the year or the layout was misread.",
        sql="""
select report_id, cast(null as varchar) as table_id, cast(null as varchar) as row_key, cast(null as varchar) as col_key,
       cast(case when year >= 2021 then 2021 when year >= 2019 then 2019 end as double) as expected,
       cast(template as double) as actual,
       cast(template as double) - case when year >= 2021 then 2021 when year >= 2019 then 2019 end as delta,
       'report for ' || cast(year as varchar) || ' uses the ' || template || ' template'
           || case when year < 2019 then ', which reports before 2019 did not have' else '' end as message,
       cast(null as integer) as char_offset
from {batch}
where template_matches_year = false""",
    ),
    Check(
        check_id="structure.implausible_year",
        suite="structure",
        severity="error",
        asset="reports",
        description="The year read from the title is before 2008 (the first year of the disclosure "
                    "regulations) or after next year: it was misread, or the title is wrong.",
        sql=f"""
select report_id, cast(null as varchar) as table_id, cast(null as varchar) as row_key, cast(null as varchar) as col_key,
       cast(null as double) as expected, cast(year as double) as actual, cast(null as double) as delta,
       'year ' || cast(year as varchar) || ' is outside 2008–' || cast(year(current_date) + 1 as varchar)
           || ': misread from the title of ' || source_path || '?' as message,
       cast(null as integer) as char_offset
from {{batch}}
where status <> 'rejected' and (year < 2008 or year > year(current_date) + 1)""",
    ),
    Check(
        check_id="structure.blank_cells",
        suite="structure",
        severity="warning",
        asset="cells",
        description="Cells left blank or filled with '/', '-' or '无' where the template asks for a number "
                    "(blank is 'not filled', not necessarily 0). One finding per table-3 column or table-2/4 row.",
        sql="""
with units as (
    select report_id, table_id, value_kind, char_offset,
           case when table_id = 't3' then cast(null as varchar) else row_key end as unit_row,
           case when table_id = 't3' then col_key else cast(null as varchar) end as unit_col
    from {batch}
)
select report_id, table_id, unit_row as row_key, unit_col as col_key,
       cast(count(*) as double) as expected,
       cast(count(case when value_kind not in ('blank', 'dash') then 1 end) as double) as actual,
       cast(-count(case when value_kind in ('blank', 'dash') then 1 end) as double) as delta,
       cast(count(case when value_kind in ('blank', 'dash') then 1 end) as varchar) || ' of ' || cast(count(*) as varchar)
           || ' cells blank or dash in ' || table_id || ' '
           || case when unit_col is not null then 'column ' || unit_col else 'row ' || unit_row end as message,
       min(case when value_kind in ('blank', 'dash') then char_offset end) as char_offset
from units
group by report_id, table_id, unit_row, unit_col
having count(case when value_kind in ('blank', 'dash') then 1 end) > 0""",
    ),
    Check(
        check_id="structure.negative_count",
        suite="structure",
        severity="error",
        asset="cells",
        description="A negative number where a count belongs (only 本年增/减 may be negative).",
        sql=f"""
select report_id, table_id, row_key, col_key, cast(0 as double) as expected, value as actual, value as delta,
       'negative count ' || raw_text || ' in ' || table_id || ' ' || row_key || '/' || col_key as message, char_offset
from {{batch}}
where value < 0 and col_key <> 'change' and {_COUNT_COLUMNS}""",
    ),
    Check(
        check_id="structure.non_integer_count",
        suite="structure",
        severity="error",
        asset="cells",
        description="A fractional number where a count of applications, cases or items belongs.",
        sql=f"""
select report_id, table_id, row_key, col_key, round(value) as expected, value as actual, value - round(value) as delta,
       'count ' || raw_text || ' is not a whole number in ' || table_id || ' ' || row_key || '/' || col_key as message,
       char_offset
from {{batch}}
where value is not null and value <> round(value) and {_COUNT_COLUMNS}""",
    ),
    _row_check("structure.unresolved_cells", "Cells the loader could not place with certainty (glued digits, "
               "missing cells, an amount without a unit): their values are NULL, never guessed. One finding per "
               "table row.", "'unresolved: ' || min(unresolved_reason)", "is_unresolved"),
    _row_check("structure.unrecognised_row", "A table row whose label the loader did not recognise (garbled or "
               "extra row); its values are kept under row_key unrecognised_N.",
               "'row label 「' || min(row_label) || '」 not recognised'", "row_key like 'unrecognised_%'"),
    Check(
        check_id="structure.report_not_identified",
        suite="structure",
        severity="warning",
        asset="reports",
        description="A report whose agency or year could not be read from its title; it is left out of the facts.",
        sql=f"""
select report_id, {NO_CELL}
       'agency or year not found in the title of ' || source_path as message, cast(null as integer) as char_offset
from {{batch}}
where status <> 'rejected' and (agency is null or year is null)""",
    ),
    Check(
        check_id="structure.duplicate_agency_year",
        suite="structure",
        severity="info",
        asset="reports",
        description="More than one report for the same agency and year (re-published or corrected); the "
                    "superseded versions are listed with the one kept.",
        sql=f"""
select report_id, {NO_CELL}
       agency || ' ' || cast(year as varchar) || ' has ' || cast(n_versions as varchar) || ' reports; this one is '
           || version_note as message, cast(null as integer) as char_offset
from {{batch}}
where n_versions > 1 and not is_current""",
    ),
    Check(
        check_id="structure.conflicting_versions",
        suite="structure",
        severity="warning",
        asset="reports",
        description="The versions of one agency-year give different numbers for the same cells: the figures "
                    "depend on which version is current (the most complete, then the latest signing date, then "
                    "the content hash). One finding on the current version, at the first differing cell.",
        sql=f"""
with pairs as (
    select c.report_id, o.report_id as other_id, c.agency, c.year, c.version_note
    from {{batch}} as c
    join marts.dim_report as o
      on o.agency = c.agency and o.year = c.year and o.report_id <> c.report_id and o.n_versions > 1
    where c.is_current and c.n_versions > 1
),
differing as (
    select p.report_id, p.other_id, a.table_id, a.row_key, a.col_key, a.value as here, b.value as there,
           a.char_offset, a.table_id || ' ' || a.row_key || '/' || a.col_key as cell
    from pairs as p
    join staging.stg_report_cells as a on a.report_id = p.report_id
    join staging.stg_report_cells as b
      on b.report_id = p.other_id and b.table_id = a.table_id and b.row_key = a.row_key and b.col_key = a.col_key
    where a.value is not null and b.value is not null and a.value <> b.value
),
per_other as (
    select report_id, other_id, count(*) as n_cells, min(cell) as first_cell,
           arg_min(table_id, cell) as table_id, arg_min(row_key, cell) as row_key, arg_min(col_key, cell) as col_key,
           arg_min(here, cell) as here, arg_min(there, cell) as there, arg_min(char_offset, cell) as char_offset
    from differing
    group by report_id, other_id
)
select d.report_id, arg_min(d.table_id, d.other_id) as table_id, arg_min(d.row_key, d.other_id) as row_key,
       arg_min(d.col_key, d.other_id) as col_key, arg_min(d.there, d.other_id) as expected,
       arg_min(d.here, d.other_id) as actual, arg_min(d.here - d.there, d.other_id) as delta,
       p.agency || ' ' || cast(p.year as varchar) || ': other versions give different numbers: '
           || string_agg(d.other_id || ' in ' || cast(d.n_cells as varchar) || ' cell(s), first ' || d.first_cell
                         || ' = ' || {num('d.there')} || ' there vs ' || {num('d.here')} || ' here', '; '
                         order by d.other_id)
           || '. This version is ' || p.version_note as message,
       arg_min(d.char_offset, d.other_id) as char_offset
from per_other as d
join (select distinct report_id, agency, year, version_note from pairs) as p on p.report_id = d.report_id
group by d.report_id, p.agency, p.year, p.version_note""",
    ),
    Check(
        check_id="structure.several_reports_in_file",
        suite="structure",
        severity="error",
        asset="reports",
        description="A file holding more than one report (concatenated): only the first was read; the ones "
                    "after it are named, and are missing from the warehouse until the file is split.",
        sql=f"""
select report_id, {NO_CELL}
       source_path || ' holds further reports that were not read: ' || other_reports
           || '; split the file and ingest each report' as message, cast(null as integer) as char_offset
from {{batch}}
where other_reports is not null""",
    ),
    Check(
        check_id="structure.rejected_file",
        suite="structure",
        severity="info",
        asset="reports",
        description="A file that is not a readable report (empty, binary, not a report); its bytes are kept.",
        sql=f"""
select report_id, {NO_CELL}
       source_path || ': ' || error as message, cast(null as integer) as char_offset
from {{batch}}
where status = 'rejected'""",
    ),
]


# --- anomalies ---------------------------------------------------------------------------------
ANOMALIES = [
    Check(
        check_id="anomaly.yoy_jump",
        suite="anomalies",
        severity="info",
        asset="agency_year",
        description="New applications changed from one year to the next far more than is usual across all "
                    "agencies: the log-ratio is more than 5 robust standard deviations (MAD) from the median, "
                    "at least 4-fold, and by at least 10 applications.",
        sql="""
with pairs as (
    select cur.report_id, cur.agency, cur.year, prev.new_received as previous, cur.new_received as current,
           ln((cur.new_received + 1) / (prev.new_received + 1)) as log_ratio
    from {batch} as cur
    join {batch} as prev on prev.agency = cur.agency and prev.year = cur.year - 1
    where cur.new_received is not null and prev.new_received is not null
),
center as (select median(log_ratio) as med from pairs),
spread as (select median(abs(log_ratio - med)) as mad from pairs, center)
select report_id, 't3' as table_id, 'new_received' as row_key, 'total' as col_key,
       previous as expected, current as actual, current - previous as delta,
       'new applications went from ' || cast(previous as varchar) || ' in ' || cast(year - 1 as varchar) || ' to '
           || cast(current as varchar) || ' in ' || cast(year as varchar) as message,
       cast(null as integer) as char_offset
from pairs, center, spread
where abs(log_ratio - med) > greatest(5 * 1.4826 * mad, ln(4)) and abs(current - previous) >= 10""",
    ),
    Check(
        check_id="anomaly.not_held_share",
        suite="anomalies",
        severity="info",
        asset="agency_year",
        description="The share of applications answered 本机关不掌握相关政府信息 is far outside the agency's peers "
                    "(same level and year, at least 10 peers, at least 20 applications processed): more than 4 "
                    "robust standard deviations from the peers' median.",
        sql="""
with shares as (
    select f.report_id, f.agency, f.year, a.level, f.total_processed,
           c.applications / f.total_processed as share
    from {batch} as f
    join marts.dim_agency as a on a.agency = f.agency
    join marts.fct_applications as c
      on c.report_id = f.report_id and c.outcome = 'unable_not_held' and c.applicant_type = 'total'
    where f.total_processed >= 20 and c.applications is not null
),
peers as (
    select level, year, median(share) as med, count(*) as n_peers from shares group by level, year
),
spread as (
    select s.level, s.year, median(abs(s.share - p.med)) as mad
    from shares s join peers p using (level, year) group by s.level, s.year
)
select s.report_id, 't3' as table_id, 'unable_not_held' as row_key, 'total' as col_key,
       p.med as expected, s.share as actual, s.share - p.med as delta,
       '本机关不掌握 is ' || cast(round(100 * s.share) as varchar) || '% of processed applications; peers (' || s.level
           || ', ' || cast(s.year as varchar) || ') median ' || cast(round(100 * p.med) as varchar) || '%' as message,
       cast(null as integer) as char_offset
from shares s join peers p using (level, year) join spread d using (level, year)
where p.n_peers >= 10 and abs(s.share - p.med) > greatest(4 * 1.4826 * d.mad, 0.2)""",
    ),
    Check(
        check_id="anomaly.all_zero",
        suite="anomalies",
        severity="info",
        asset="reports",
        description="Every number in tables 3 and 4 is zero: possible, but often a template filled in without data.",
        sql="""
select r.report_id, cast(null as varchar) as table_id, cast(null as varchar) as row_key, cast(null as varchar) as col_key,
       cast(null as double) as expected, cast(0 as double) as actual, cast(null as double) as delta,
       'all ' || cast(count(c.value) as varchar) || ' numbers in tables 3 and 4 are zero' as message,
       cast(null as integer) as char_offset
from {batch} as r
join staging.stg_report_cells as c on c.report_id = r.report_id and c.table_id in ('t3', 't4')
where r.is_current
group by r.report_id
having count(c.value) > 0 and max(abs(c.value)) = 0""",
    ),
]

CHECKS: list[Check] = [
    *(_identity_check(i) for i in _IDENTITY_WORDS),
    IDENTITY_INCOMPLETE,
    _cross_year_check("I5", "error", "I5: the applications a report carries forward (四) are the ones the same "
                      "agency's next report carries over (二), in every column.", ("四 of the previous year", "二")),
    _cross_year_check("I6", "warning", "I6 (2021 template): 现行有效件数 rolls forward: last year's plus this "
                      "year's 制发 minus 废止. Soft: revisions and mergers break it.",
                      ("现行有效件数", "last year's 现行有效件数 + 制发 − 废止")),
    _cross_year_check("I7", "warning", "I7 (2019 template): 上一年项目数量 equals last year's 上一年项目数量 plus its "
                      "本年增/减. Soft: item catalogues get revised.",
                      ("上一年项目数量", "last year's 上一年项目数量 + 本年增/减")),
    NARRATIVE_MISMATCH,
    *STRUCTURE,
    *ANOMALIES,
]
SUITES = sorted({c.suite for c in CHECKS})


def catalog_fingerprint() -> str:
    """Changes when any check's id, severity or SQL changes: earlier findings are then stale."""
    text = "\n".join(f"{c.check_id}|{c.severity}|{c.asset}|{c.sql}" for c in CHECKS)
    return hashlib.sha256((text + repr(ASSETS)).encode()).hexdigest()


def finding_sql(check: Check) -> str:
    """The check's SQL with its asset inlined, to run directly in DuckDB."""
    return check.sql.replace("{batch}", f"({ASSETS[check.asset]})")
