-- structure.report_not_identified: see chk_structure_report_not_identified.yml.
with reports as (

    select * from {{ ref('dim_report') }}
    where {{ in_check_scope() }}

)

select
    report_id,
    cast(null as varchar) as table_id,
    cast(null as varchar) as row_key,
    cast(null as varchar) as col_key,
    cast(null as double) as expected,
    cast(null as double) as actual,
    cast(null as double) as delta,
    'agency or year not found in the title of ' || source_path as message,
    cast(null as integer) as char_offset
from reports
where status <> 'rejected' and (agency is null or year is null)
