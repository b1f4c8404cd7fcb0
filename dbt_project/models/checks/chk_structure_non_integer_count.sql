-- structure.non_integer_count: see chk_structure_non_integer_count.yml.
with cells as (

    select * from {{ ref('stg_report_cells') }}
    where {{ in_check_scope() }}

)

select
    report_id,
    table_id,
    row_key,
    col_key,
    round(value) as expected,
    value as actual,
    value - round(value) as delta,
    'count ' || raw_text || ' is not a whole number in ' || table_id || ' ' || row_key || '/' || col_key as message,
    char_offset
from cells
where value is not null and value <> round(value) and col_key not in ('procurement_amount', 'fee_amount')
