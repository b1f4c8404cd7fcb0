-- structure.blank_cells: see _checks.yml.
with cells as (

    select * from {{ ref('stg_report_cells') }}
    where {{ in_check_scope() }}

),

units as (

    select
        report_id,
        table_id,
        -- a derived cell was printed blank or as a dash all the same
        case when value_kind = 'derived' then 'blank' else value_kind end as value_kind,
        char_offset,
        case when table_id = 't3' then cast(null as varchar) else row_key end as unit_row,
        case when table_id = 't3' then col_key else cast(null as varchar) end as unit_col
    from cells

)

select
    report_id,
    table_id,
    unit_row as row_key,
    unit_col as col_key,
    cast(count(*) as double) as expected,
    cast(count(case when value_kind not in ('blank', 'dash') then 1 end) as double) as actual,
    cast(-count(case when value_kind in ('blank', 'dash') then 1 end) as double) as delta,
    cast(count(case when value_kind in ('blank', 'dash') then 1 end) as varchar) || ' of ' || cast(count(*) as varchar)
        || ' cells blank or dash in ' || table_id || ' '
        || case when unit_col is not null then 'column ' || unit_col else 'row ' || unit_row end as message,
    min(case when value_kind in ('blank', 'dash') then char_offset end) as char_offset
from units
group by report_id, table_id, unit_row, unit_col
having count(case when value_kind in ('blank', 'dash') then 1 end) > 0
