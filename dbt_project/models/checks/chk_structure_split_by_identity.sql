-- structure.split_by_identity: see chk_structure_split_by_identity.yml.
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
    'glued digits ' || min(raw_text) || ' cut into ' || string_agg({{ num('value') }}, ', ' order by line_no, char_offset, col_key)
        || ': the only cut for which ' || min(resolved_by) || ' holds, so ' || min(resolved_by)
        || ' is not verified on this row' as message,
    min(char_offset) as char_offset
from cells
where value_kind = 'split' and resolved_by in ('I3', 'I4')
group by report_id, table_id, row_key
