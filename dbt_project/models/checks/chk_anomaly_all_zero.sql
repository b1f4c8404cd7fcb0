-- anomaly.all_zero: see _checks.yml.
with reports as (

    select * from {{ ref('dim_report') }}
    where {{ in_check_scope() }}

)

select
    {{ finding("'all ' || cast(count(cells.value) as varchar) || ' numbers in tables 3 and 4 are zero'", actual='0',
               report_id='reports.report_id') }}
from reports
inner join {{ ref('stg_report_cells') }} as cells
    on cells.report_id = reports.report_id and cells.table_id in ('t3', 't4')
where reports.is_current
group by reports.report_id
having count(cells.value) > 0 and max(abs(cells.value)) = 0
