-- anomaly.all_zero: see _checks.yml.
with reports as (

    select * from {{ ref('dim_report') }}
    where {{ in_check_scope() }}

)

select
    reports.report_id,
    cast(null as varchar) as table_id,
    cast(null as varchar) as row_key,
    cast(null as varchar) as col_key,
    cast(null as double) as expected,
    cast(0 as double) as actual,
    cast(null as double) as delta,
    'all ' || cast(count(cells.value) as varchar) || ' numbers in tables 3 and 4 are zero' as message,
    cast(null as integer) as char_offset
from reports
inner join {{ ref('stg_report_cells') }} as cells
    on cells.report_id = reports.report_id and cells.table_id in ('t3', 't4')
where reports.is_current
group by reports.report_id
having count(cells.value) > 0 and max(abs(cells.value)) = 0
