-- structure.unrecognised_row: see chk_structure_unrecognised_row.yml.
with cells as (

    select * from {{ ref('stg_report_cells') }}
    where {{ in_check_scope() }}

)

select
    report_id,
    table_id,
    row_key,
    cast(null as varchar) as col_key,
    cast(null as double) as expected,
    cast(null as double) as actual,
    cast(null as double) as delta,
    'row label 「' || min(row_label) || '」 not recognised' as message,
    min(char_offset) as char_offset
from cells
where row_key like 'unrecognised_%'
group by report_id, table_id, row_key
