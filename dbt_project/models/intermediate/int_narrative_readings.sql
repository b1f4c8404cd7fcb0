-- Each narrative figure beside every table value it may refer to (reference.narrative_readings):
-- "收到申请 N 件" may be 一 or 一+二, "行政复议 N 件" the total or the concluded cases, "占 33.9%" a
-- share of （七）总计, and so on. A figure is consistent when any admissible reading matches; the
-- checks decide what to flag.
-- A clause that names a part ("自然人 72件") is read on that part: table 3's 总计 column is swapped
-- for the part's columns (reference.narrative_parts).
-- A reading is complete when every cell it needs holds a number that was read: a blank, a dash, an
-- unresolved cell or a missing row leaves it incomplete, and an incomplete reading is no evidence
-- against the report. A blank 总计 whose parts hold numbers holds their sum, derived by the loader
-- (value_kind derived), as a reader would take it.
-- Readings the report's tables have no cells for (现行有效件数 in a 2019 report) are left out.
-- Incremental: only reports ingested since the last build are read.
-- Cells and facts are scanned, never held: a CTE used twice is materialised by DuckDB (201 M cells, or
-- 9.8 M facts with their sentences, at a million reports: most of this model's time, then more than its
-- 3 GB), so the facts' own columns for the output get a scan of their own.

{{ config(materialized='incremental', unique_key='report_id', incremental_strategy='delete+insert') }}

with facts as (

    {{ rows_of_reports_since_last_build(ref('stg_narrative_facts')) }}

),

cells as (

    {{ rows_of_reports_since_last_build(ref('stg_report_cells')) }}

),

reports as (

    select report_id, template from {{ ref('stg_reports') }}

),

readings as (

    select * from {{ ref('narrative_readings') }}

),

terms as (

    select * from {{ ref('measure_terms') }}

),

parts as (

    select * from {{ ref('narrative_parts') }}

),

t3_rows as (

    select * from {{ ref('t3_rows') }}

),

t2_columns as (

    select * from {{ ref('t2_columns') }}

),

-- A count is read with the readings that have no base, a share with those that have one.
fact_readings as (

    select
        facts.report_id,
        facts.fact_no,
        facts.part,
        readings.reading_id,
        readings.measure,
        readings.base_measure,
        facts.ingested_at
    from facts
    inner join readings
        on facts.metric = readings.metric
        and (readings.keyword is null or readings.keyword = facts.keyword)
        and (facts.qualifier = 'share') = (readings.base_measure is not null)

),

sides as (

    select report_id, fact_no, part, reading_id, 'value' as side, measure from fact_readings
    union all
    select report_id, fact_no, part, reading_id, 'base' as side, base_measure as measure from fact_readings
    where base_measure is not null

),

-- The cells each side needs, in the report's template: a table-3 row or table-2 column of the other
-- template is not needed (（六）其他处理 is one row in 2019, three in 2021; 规范性文件 本年新制作数量
-- is 本年制发件数 in 2021).
side_terms as (

    select
        sides.report_id,
        sides.fact_no,
        sides.reading_id,
        sides.side,
        terms.table_id,
        terms.row_key,
        coalesce(parts.col_key, terms.col_key) as col_key,
        terms.sign * coalesce(parts.sign, 1) as sign
    from sides
    inner join terms on sides.measure = terms.measure
    left join parts
        on sides.part = parts.part
        and terms.table_id = 't3'
        and terms.col_key = 'total'
    inner join reports on sides.report_id = reports.report_id
    left join t3_rows
        on terms.table_id = 't3'
        and terms.row_key = t3_rows.row_key
    left join t2_columns
        on terms.table_id = 't2'
        and terms.col_key = t2_columns.col_key
        and reports.template = t2_columns.template
    where reports.template is null
        or (
            (terms.table_id <> 't3' or t3_rows.templates = 'both' or t3_rows.templates = reports.template)
            and (terms.table_id <> 't2' or t2_columns.col_key is not null)
        )

),

term_values as (

    select
        side_terms.report_id,
        side_terms.fact_no,
        side_terms.reading_id,
        side_terms.side,
        side_terms.sign,
        cells.report_id is not null as is_present,
        case when not cells.is_unresolved then cells.value end as value
    from side_terms
    left join cells
        on side_terms.report_id = cells.report_id
        and side_terms.table_id = cells.table_id
        and side_terms.row_key = cells.row_key
        and side_terms.col_key = cells.col_key

),

side_values as (

    select
        report_id,
        fact_no,
        reading_id,
        side,
        sum(sign * value) as value,
        count(*) as n_cells,
        count(*) filter (where is_present) as n_cells_present,
        count(value) as n_cells_read
    from term_values
    group by report_id, fact_no, reading_id, side

),

per_reading as (

    select
        report_id,
        fact_no,
        reading_id,
        max(case when side = 'value' then value end) as value,
        max(case when side = 'base' then value end) as base,
        sum(n_cells) as n_cells,
        sum(n_cells_read) as n_cells_read,
        bool_and(n_cells_read = n_cells) as is_complete,
        bool_and(n_cells_present > 0) as applies
    from side_values
    group by report_id, fact_no, reading_id

),

-- The facts' own columns, joined last to the readings of this run's reports: a plain scan, so that the
-- hash table is built on the readings (a scan joined to the reports was estimated at a few thousand rows,
-- and 9.8 M facts with their sentences were put in the hash table instead).
stated as (

    select * from {{ ref('stg_narrative_facts') }}

),

valued as (

    select
        stated.report_id,
        stated.fact_no,
        stated.metric,
        stated.part,
        stated.value as stated_value,
        stated.qualifier,
        stated.decimals,
        stated.keyword,
        stated.why,
        stated.sentence,
        stated.char_offset,
        fact_readings.reading_id,
        fact_readings.measure,
        fact_readings.base_measure,
        readings.description as reading_description,
        case
            when not per_reading.is_complete then null
            when fact_readings.base_measure is null then per_reading.value
            when per_reading.base > 0 then 100 * per_reading.value / per_reading.base
        end as table_value,
        per_reading.is_complete and (fact_readings.base_measure is null or per_reading.base > 0) as is_complete,
        per_reading.n_cells,
        per_reading.n_cells_read,
        fact_readings.ingested_at
    from per_reading
    inner join fact_readings
        on per_reading.report_id = fact_readings.report_id
        and per_reading.fact_no = fact_readings.fact_no
        and per_reading.reading_id = fact_readings.reading_id
    inner join stated
        on per_reading.report_id = stated.report_id
        and per_reading.fact_no = stated.fact_no
    inner join readings
        on stated.metric = readings.metric
        and per_reading.reading_id = readings.reading_id
    where per_reading.applies

)

select
    report_id,
    fact_no,
    metric,
    part,
    stated_value,
    qualifier,
    decimals,
    keyword,
    why,
    sentence,
    char_offset,
    reading_id,
    measure,
    base_measure,
    reading_description,
    table_value,
    is_complete,
    n_cells,
    n_cells_read,
    case
        when table_value is null then null
        -- "占33.9%" matches a computed share that rounds to the printed digits
        when qualifier = 'share' then abs(table_value - stated_value) <= 0.5 * power(10, -decimals) + 1e-9
        -- "3.4万余条", "约300件" state a rounded figure
        when qualifier = 'approx' then abs(table_value - stated_value) <= 0.2 * stated_value
        else table_value = stated_value
    end as matches,
    ingested_at
from valued
