-- extraction.derived_cells: see _checks.yml.
with cells as (

    select * from {{ ref('stg_report_cells') }}
    where {{ in_check_scope() }}
        and value_kind = 'derived'

),

numbered as (

    select
        cells.*,
        row_number() over (partition by report_id, table_id order by char_offset, row_key, col_key) as n
    from cells

)

select
    report_id,
    table_id,
    cast(null as varchar) as row_key,
    cast(null as varchar) as col_key,
    cast(null as double) as expected,
    cast(null as double) as actual,
    cast(null as double) as delta,
    cast(count(*) as varchar) || ' cell(s) printed blank or as a dash hold the value the printed cells determine: '
        || string_agg(case when n <= {{ var('cells_named_in_a_finding') }} then row_key || '/' || col_key || ' = '
                               || {{ num('value') }} || ' (' || resolved_by || ')' end, ', ' order by n)
        || case when count(*) > {{ var('cells_named_in_a_finding') }} then ', …' else '' end as message,
    min(char_offset) as char_offset
from numbered
group by report_id, table_id
