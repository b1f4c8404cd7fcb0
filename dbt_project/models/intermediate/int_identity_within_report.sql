-- The two sides of identities I1–I4 (and the 小计 variant of I3) for every report, column or row.
-- These are data for the checks, not verdicts: blank and dash cells count as missing, and how many
-- are missing on each side is kept so a check can tell "wrong" from "cannot be verified". A term the
-- loader could not read (unresolved, or text where a number belongs) is named with why, and a cell whose
-- value this very identity chose (a glued run cut where the identity holds: resolved_by) is counted:
-- the identity holds there by construction, so it cannot be reported as holding or failing.
-- Incremental: a report's cells never change, so only reports ingested since the last build are read.

{{ config(materialized='incremental', unique_key='report_id', incremental_strategy='delete+insert') }}

with report_cells as (

    {{ rows_of_reports_since_last_build(ref('stg_report_cells'), where="rows_.table_id in ('t3', 't4')") }}

),

-- Each cell, once as a term of the column identities (I1, I2 sum rows down a column: found by its row)
-- and once as a term of the row identities (I3, I4 sum columns along a row: found by its column).
-- One pass over the cells into one hash join: no CTE here may be used twice, as DuckDB then holds its
-- rows in memory (it ran out of 3 GB on a million reports); the few unrecognised rows get a scan of their own.
cells as (

    select
        report_cells.*,
        axes.axis,
        case when axes.axis = 'col' then report_cells.row_key else report_cells.col_key end as term_key,
        case when axes.axis = 'col' then report_cells.col_key else report_cells.row_key end as unit_key
    from report_cells
    cross join (select 'col' as axis union all select 'row' as axis) as axes

),

terms as (

    select * from {{ ref('identity_terms') }}

),

joined as (

    select
        cells.report_id,
        cells.ingested_at,
        terms.identity_id,
        terms.table_id,
        terms.axis,
        cells.unit_key,
        terms.side,
        cells.value,
        cells.char_offset,
        {{ term_state() }}
    from cells
    inner join terms
        on cells.table_id = terms.table_id
        and cells.axis = terms.axis
        and cells.term_key = terms.term_key

),

sides as (

    select
        report_id,
        ingested_at,
        identity_id,
        table_id,
        axis,
        unit_key,
        case when axis = 'row' then unit_key end as row_key,
        case when axis = 'col' then unit_key end as col_key,
        sum(case when side = 'lhs' then coalesce(value, 0) else 0 end) as lhs,
        sum(case when side = 'rhs' then coalesce(value, 0) else 0 end) as rhs,
        count(case when side = 'lhs' then 1 end) as lhs_cells,
        count(case when side = 'rhs' then 1 end) as rhs_cells,
        count(case when side = 'lhs' and value is null then 1 end) as lhs_missing,
        count(case when side = 'rhs' and value is null then 1 end) as rhs_missing,
        min(case when side = 'lhs' then char_offset end) as anchor_offset,
        count(case when is_blank then 1 end) as n_blank,
        count(case when is_unread then 1 end) as n_unread,
        count(case when resolved_by = identity_id then 1 end) as n_chosen,
        -- the cells named in findings
        {{ sorted_text_agg('cell', ', ', 'is_unread') }} as unread_cells,
        {{ sorted_text_agg('why_unread', '; ', 'is_unread', distinct=true) }} as unread_why,
        {{ sorted_text_agg('cell', ', ', 'resolved_by = identity_id') }} as chosen_cells
    from joined
    group by report_id, ingested_at, identity_id, table_id, axis, unit_key

),

-- A row of table 3 the loader did not recognise may be a term of every column identity.
unrecognised_rows as (

    {{ rows_of_reports_since_last_build(ref('stg_report_cells'),
                                        where="rows_.table_id in ('t3', 't4') and rows_.row_key like 'unrecognised_%'") }}

),

unrecognised as (

    select report_id, table_id, string_agg(distinct row_label, ', ' order by row_label) as labels
    from unrecognised_rows
    group by report_id, table_id

)

select
    sides.report_id,
    sides.identity_id,
    sides.table_id,
    sides.row_key,
    sides.col_key,
    sides.lhs,
    sides.rhs,
    sides.lhs - sides.rhs as delta,
    sides.lhs_cells,
    sides.rhs_cells,
    sides.lhs_missing,
    sides.rhs_missing,
    sides.lhs_cells > 0 and sides.rhs_cells > 0 and sides.lhs_missing = 0 and sides.rhs_missing = 0 as is_complete,
    sides.lhs_cells > sides.lhs_missing and sides.rhs_cells > sides.rhs_missing as has_numbers,
    sides.n_blank,
    sides.n_unread,
    concat_ws('; ', sides.unread_cells || ': ' || sides.unread_why,
              'row(s) not recognised: ' || unrecognised.labels) as unread,
    sides.n_chosen,
    sides.chosen_cells,
    sides.n_unread = 0 and sides.n_chosen = 0 and unrecognised.labels is null as is_read,
    sides.anchor_offset,
    sides.ingested_at
from sides
left join unrecognised
    on sides.axis = 'col'
    and unrecognised.report_id = sides.report_id
    and unrecognised.table_id = sides.table_id
where sides.lhs_cells > 0 and sides.rhs_cells > 0
