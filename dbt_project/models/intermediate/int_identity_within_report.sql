-- The two sides of identities I1–I4 (and the 小计 variant of I3) for every report, column or row.
-- These are data for the checks, not verdicts: blank and dash cells count as missing, and how many
-- are missing on each side is kept so a check can tell "wrong" from "cannot be verified". A term the
-- loader could not read (unresolved, or text where a number belongs) is named with why, and a cell whose
-- value this very identity chose or derived (a glued run cut where the identity holds, a blank total filled
-- with the sum of its parts: resolved_by) is counted: the identity holds there by construction, so it cannot
-- be reported as holding or failing.
-- Incremental: a report's cells never change, so only reports ingested since the last build are read.

{{ config(materialized='incremental', unique_key='report_id', incremental_strategy='delete+insert') }}

with report_cells as (

    {{ rows_of_reports_since_last_build(ref('stg_report_cells'), where="rows_.table_id in ('t3', 't4')") }}

),

-- One pass over the cells into one hash join, then one group-by with small states (sums and counts) on a
-- short key: no CTE here may be used twice, as DuckDB then holds its rows in memory (it ran out of 3 GB on
-- a million reports), and the cells named in findings, few, get a scan of their own, as do the unrecognised rows.
terms as (

    {{ identity_term_rows('report_cells') }}

),

sides as (

    select
        report_id,
        identity_id,
        unit_key,
        -- one value per report and identity: carried, not grouped by
        max(ingested_at) as ingested_at,
        max(table_id) as table_id,
        max(axis) as axis,
        sum(case when side = 'lhs' then coalesce(value, 0) else 0 end) as lhs,
        sum(case when side = 'rhs' then coalesce(value, 0) else 0 end) as rhs,
        count(case when side = 'lhs' then 1 end) as lhs_cells,
        count(case when side = 'rhs' then 1 end) as rhs_cells,
        count(case when side = 'lhs' and value is null then 1 end) as lhs_missing,
        count(case when side = 'rhs' and value is null then 1 end) as rhs_missing,
        min(case when side = 'lhs' then char_offset end) as anchor_offset,
        count(case when is_blank then 1 end) as n_blank,
        count(case when is_unread then 1 end) as n_unread,
        count(case when {{ chose('resolved_by', 'identity_id') }} then 1 end) as n_chosen
    from terms
    group by report_id, identity_id, unit_key

),

named_cells as (

    {{ rows_of_reports_since_last_build(ref('stg_report_cells'),
                                        where="rows_.table_id in ('t3', 't4') and (rows_.resolved_by is not null or (" ~ is_unread('rows_') ~ "))") }}

),

named_terms as (

    {{ identity_term_rows('named_cells') }}

),

-- the cells named in findings
names as (

    select
        report_id,
        identity_id,
        unit_key,
        {{ sorted_text_agg('cell', ', ', 'is_unread') }} as unread_cells,
        {{ sorted_text_agg('why_unread', '; ', 'is_unread', distinct=true) }} as unread_why,
        {{ sorted_text_agg('cell', ', ', chose('resolved_by', 'identity_id')) }} as chosen_cells
    from named_terms
    group by report_id, identity_id, unit_key

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
    case when sides.axis = 'row' then sides.unit_key end as row_key,
    case when sides.axis = 'col' then sides.unit_key end as col_key,
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
    concat_ws('; ', names.unread_cells || ': ' || names.unread_why,
              'row(s) not recognised: ' || unrecognised.labels) as unread,
    sides.n_chosen,
    names.chosen_cells,
    sides.n_unread = 0 and sides.n_chosen = 0 and unrecognised.labels is null as is_read,
    sides.anchor_offset,
    sides.ingested_at
from sides
left join names
    on sides.report_id = names.report_id
    and sides.identity_id = names.identity_id
    and sides.unit_key = names.unit_key
left join unrecognised
    on sides.axis = 'col'
    and unrecognised.report_id = sides.report_id
    and unrecognised.table_id = sides.table_id
where sides.lhs_cells > 0 and sides.rhs_cells > 0
