-- The two sides of identities I1–I4 (and the 小计 variant of I3) for every report, column or row.
-- These are data for the checks, not verdicts: blank and dash cells count as missing, and how many
-- are missing on each side is kept so a check can tell "wrong" from "cannot be verified". A term the
-- loader could not read (unresolved, or text where a number belongs) is named with why, and a cell whose
-- value this very identity chose (a glued run cut where the identity holds: resolved_by) is counted:
-- the identity holds there by construction, so it cannot be reported as holding or failing.
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
        cells.char_offset,
        {{ term_state() }}
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
        cells.char_offset,
        {{ term_state() }}
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
        axis,
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
        count(case when resolved_by = identity_id then 1 end) as n_chosen
    from joined
    group by report_id, ingested_at, identity_id, table_id, axis, unit_key

),

-- The cells named in findings, aggregated over the few terms not read or chosen, not over every term.
named as (

    select
        report_id,
        identity_id,
        unit_key,
        string_agg(case when is_unread then cell end, ', ' order by cell) as unread_cells,
        string_agg(distinct case when is_unread then why_unread end, '; '
                   order by case when is_unread then why_unread end) as unread_why,
        string_agg(case when resolved_by = identity_id then cell end, ', ' order by cell) as chosen_cells
    from joined
    where is_unread or resolved_by = identity_id
    group by report_id, identity_id, unit_key

),

-- A row of table 3 the loader did not recognise may be a term of every column identity.
unrecognised as (

    select report_id, table_id, string_agg(distinct row_label, ', ' order by row_label) as labels
    from cells
    where row_key like 'unrecognised_%'
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
    concat_ws('; ', named.unread_cells || ': ' || named.unread_why,
              'row(s) not recognised: ' || unrecognised.labels) as unread,
    sides.n_chosen,
    named.chosen_cells,
    sides.n_unread = 0 and sides.n_chosen = 0 and unrecognised.labels is null as is_read,
    sides.anchor_offset,
    sides.ingested_at
from sides
left join named
    on named.report_id = sides.report_id
    and named.identity_id = sides.identity_id
    and named.unit_key = coalesce(sides.row_key, sides.col_key)
left join unrecognised
    on sides.axis = 'col'
    and unrecognised.report_id = sides.report_id
    and unrecognised.table_id = sides.table_id
where sides.lhs_cells > 0 and sides.rhs_cells > 0
