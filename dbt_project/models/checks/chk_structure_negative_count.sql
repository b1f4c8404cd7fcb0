-- structure.negative_count: see chk_structure_negative_count.yml.
with cells as (

    select * from {{ ref('stg_report_cells') }}
    where {{ in_check_scope() }}

)

select
    report_id,
    table_id,
    row_key,
    col_key,
    cast(0 as double) as expected,
    value as actual,
    value as delta,
    'negative count ' || raw_text || ' in ' || table_id || ' ' || row_key || '/' || col_key as message,
    char_offset
from cells
where value < 0 and col_key <> 'change' and col_key not in ('procurement_amount', 'fee_amount')
