-- structure.unresolved_cells: see chk_structure_unresolved_cells.yml.
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
    'unresolved: ' || min(unresolved_reason) as message,
    min(char_offset) as char_offset
from cells
where is_unresolved
group by report_id, table_id, row_key
