-- The two sides of identities I1–I4 (and the 小计 variant of I3) for every report, column or row.
-- These are data for the checks, not verdicts: blank and dash cells count as missing, and how many
-- are missing on each side is kept so a check can tell "wrong" from "cannot be verified".
-- Incremental: a report's cells never change, so only reports ingested since the last build are read.

{{ config(materialized='incremental', unique_key='report_id', incremental_strategy='delete+insert') }}

with cells as (

    {{ rows_of_reports_since_last_build(ref('stg_report_cells'), where="rows_.table_id in ('t3', 't4')") }}

),

terms as (

    select * from {{ ref('identity_terms') }}

),

-- A column identity (I1, I2) sums rows down a column; a row identity (I3, I4) sums columns along a
-- row. Two equi-joins, so each is a hash join.
column_terms as (

    select
        cells.report_id,
        cells.ingested_at,
        terms.identity_id,
        terms.table_id,
        terms.axis,
        cells.col_key as unit_key,
        terms.side,
        cells.value,
        cells.char_offset
    from cells
    inner join terms
        on cells.table_id = terms.table_id
        and cells.row_key = terms.term_key
    where terms.axis = 'col'

),

row_terms as (

    select
        cells.report_id,
        cells.ingested_at,
        terms.identity_id,
        terms.table_id,
        terms.axis,
        cells.row_key as unit_key,
        terms.side,
        cells.value,
        cells.char_offset
    from cells
    inner join terms
        on cells.table_id = terms.table_id
        and cells.col_key = terms.term_key
    where terms.axis = 'row'

),

joined as (

    select * from column_terms
    union all
    select * from row_terms

),

sides as (

    select
        report_id,
        ingested_at,
        identity_id,
        table_id,
        case when axis = 'row' then unit_key end as row_key,
        case when axis = 'col' then unit_key end as col_key,
        sum(case when side = 'lhs' then coalesce(value, 0) else 0 end) as lhs,
        sum(case when side = 'rhs' then coalesce(value, 0) else 0 end) as rhs,
        count(case when side = 'lhs' then 1 end) as lhs_cells,
        count(case when side = 'rhs' then 1 end) as rhs_cells,
        count(case when side = 'lhs' and value is null then 1 end) as lhs_missing,
        count(case when side = 'rhs' and value is null then 1 end) as rhs_missing,
        min(case when side = 'lhs' then char_offset end) as anchor_offset
    from joined
    group by report_id, ingested_at, identity_id, table_id, axis, unit_key

)

select
    report_id,
    identity_id,
    table_id,
    row_key,
    col_key,
    lhs,
    rhs,
    lhs - rhs as delta,
    lhs_cells,
    rhs_cells,
    lhs_missing,
    rhs_missing,
    lhs_cells > 0 and rhs_cells > 0 and lhs_missing = 0 and rhs_missing = 0 as is_complete,
    lhs_cells > lhs_missing and rhs_cells > rhs_missing as has_numbers,
    anchor_offset,
    ingested_at
from sides
where lhs_cells > 0 and rhs_cells > 0
