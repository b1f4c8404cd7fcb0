-- structure.placed_by_order: see chk_structure_placed_by_order.yml.
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
    'row ' || row_key || ' placed by the template''s row order: its label was not printed beside its numbers'
        as message,
    min(char_offset) as char_offset
from cells
where resolved_by = 'template_order'
group by report_id, table_id, row_key
