-- The two sides of identities I1–I4 (and the 小计 variant of I3) for every report, column or row.
-- These are data for the checks, not verdicts: blank and dash cells count as missing, and how many
-- are missing on each side is kept so a check can tell "wrong" from "cannot be verified".

with cells as (

    select * from {{ ref('stg_report_cells') }}
    where table_id in ('t3', 't4')

),

terms as (

    select * from {{ ref('identity_terms') }}

),

joined as (

    select
        cells.report_id,
        terms.identity_id,
        terms.table_id,
        terms.axis,
        case when terms.axis = 'col' then cells.col_key else cells.row_key end as unit_key,
        terms.side,
        cells.value,
        cells.char_offset
    from cells
    inner join terms
        on cells.table_id = terms.table_id
        and (
            (terms.axis = 'col' and cells.row_key = terms.term_key)
            or (terms.axis = 'row' and cells.col_key = terms.term_key)
        )

),

sides as (

    select
        report_id,
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
    group by report_id, identity_id, table_id, axis, unit_key

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
    anchor_offset
from sides
where lhs_cells > 0 and rhs_cells > 0
