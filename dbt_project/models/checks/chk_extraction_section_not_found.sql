-- extraction.section_not_found: see _checks.yml.
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
