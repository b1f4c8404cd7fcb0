-- Every measure of a report as a signed sum of its cells (reference.measure_terms), known or NULL with why.
-- The cells a measure needs are those of the report's layout: （六） is one row in the 2019 layout (and in
-- some 2021 reports) and three rows in the 2021 one; table 2's columns are its template's. A measure is
-- NULL when any cell it needs is not in the report or was not read (unresolved, text where a number
-- belongs, a count that is not a whole number), and when the report printed all of them blank: a sum of
-- the cells read would look complete while it is not. Blank cells beside numbers count as 0, as a reader
-- of the printed table takes them; n_blank says how many there were.
-- Incremental: only reports ingested since the last build are read.

{{ config(materialized='incremental', unique_key='report_id', incremental_strategy='delete+insert') }}

with reports as (

    select report_id, template, ingested_at from {{ ref('stg_reports') }}
    where status <> 'rejected'
    {%- if is_incremental() %}
      and ingested_at >= {{ last_watermark('build') }}
    {%- endif %}

),

cells as (

    {{ rows_of_reports_since_last_build(ref('stg_report_cells')) }}

),

-- How the report prints （六）: as one row (other_handling) or as three; the template says where neither is there.
other_layout as (

    select
        report_id,
        case
            when bool_or(row_key = 'other_handling') then '2019'
            when bool_or(row_key in ('other_overdue_correction', 'other_overdue_fee', 'other_misc')) then '2021'
        end as layout
    from cells
    where table_id = 't3'
    group by report_id

),

needed as (

    select
        reports.report_id,
        reports.ingested_at,
        terms.measure,
        measures.unit,
        terms.table_id,
        terms.row_key,
        terms.col_key,
        terms.sign
    from reports
    cross join {{ ref('measure_terms') }} as terms
    inner join {{ ref('measures') }} as measures on terms.measure = measures.measure
    left join other_layout on reports.report_id = other_layout.report_id
    left join {{ ref('t3_rows') }} as t3_rows
        on terms.table_id = 't3'
        and terms.row_key = t3_rows.row_key
    left join {{ ref('t2_columns') }} as t2_columns
        on terms.table_id = 't2'
        and terms.col_key = t2_columns.col_key
        and reports.template = cast(t2_columns.template as varchar)
    where (terms.table_id <> 't3' or t3_rows.templates = 'both'
           or t3_rows.templates = coalesce(other_layout.layout, reports.template))
      and (terms.table_id <> 't2' or t2_columns.col_key is not null)

),

terms as (

    select
        needed.*,
        cells.report_id is not null as is_present,
        cells.value,
        cells.value_kind,
        needed.table_id || ' ' || needed.row_key || '/' || needed.col_key as cell,
        case
            when cells.report_id is null then 'not in the report'
            else {{ cell_not_read('cells', "needed.unit = 'count'") }}
        end as not_read
    from needed
    left join cells
        on needed.report_id = cells.report_id
        and needed.table_id = cells.table_id
        and needed.row_key = cells.row_key
        and needed.col_key = cells.col_key

),

summed as (

    select
        report_id,
        measure,
        max(unit) as unit,
        sum(sign * value) as total,
        count(*) as n_cells,
        count(case when not_read is null then 1 end) as n_read,
        count(case when not_read is null and value is not null then 1 end) as n_numbers,
        count(case when not_read is null and value is null then 1 end) as n_blank,
        count(case when not is_present then 1 end) as n_absent,
        {{ sorted_text_agg('cell', ', ', 'not is_present') }} as absent_cells,
        {{ sorted_text_agg('cell', ', ', 'is_present and not_read is not null') }} as unread_cells,
        {{ sorted_text_agg('not_read', '; ', 'is_present and not_read is not null', distinct=true) }} as unread_why,
        {{ sorted_text_agg('cell', ', ', 'not_read is null and value is null') }} as blank_cells,
        max(ingested_at) as ingested_at
    from terms
    group by report_id, measure

)

select
    report_id,
    measure,
    unit,
    case when n_read = n_cells and n_numbers > 0 then total end as value,
    n_cells,
    n_read,
    n_numbers,
    n_blank,
    case
        when n_absent > 0 then 'not in the report: ' || absent_cells
        when n_read < n_cells then 'not read: ' || unread_cells || ' (' || unread_why || ')'
        when n_numbers = 0 then 'printed blank: ' || blank_cells
    end as missing_reason,
    ingested_at
from summed
