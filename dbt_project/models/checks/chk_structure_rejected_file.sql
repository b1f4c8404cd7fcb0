-- structure.rejected_file: see chk_structure_rejected_file.yml.
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
    source_path || ': ' || error as message,
    cast(null as integer) as char_offset
from reports
where status = 'rejected'
