-- extraction.section_not_found: see _checks.yml.
-- The finding columns cast to their contract (macros/checks.sql finding).
with found as (

    select
        report_id,
        cast(null as varchar) as table_id,
        section as row_key,
        cast(null as varchar) as col_key,
        cast(null as double) as expected,
        cast(null as double) as actual,
        cast(null as double) as delta,
        'section ' || section || ' (' || title || ') not found: ' || not_read_because as message,
        char_offset
    from {{ ref('int_report_sections_missing') }}
    where {{ in_check_scope() }} and not_read_because is not null

)

select
    {{ finding('message', table_id='table_id', row_key='row_key', col_key='col_key', expected='expected',
               actual='actual', delta='delta', char_offset='char_offset') }}
from found
