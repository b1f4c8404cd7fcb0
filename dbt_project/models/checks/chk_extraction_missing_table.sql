-- extraction.missing_table: see _checks.yml.
with reports as (

    select * from {{ ref('dim_report') }}
    where {{ in_check_scope() }}

),

tables as (

    select 't2' as table_id
    union all
    select 't3'
    union all
    select 't4'

)

select
    {{ finding("'table ' || substr(tables.table_id, 2) || ' not found in the report'", table_id='tables.table_id',
               report_id='reports.report_id') }}
from reports
cross join tables
where reports.status <> 'rejected'
    and not exists (
        select 1 from {{ ref('stg_report_cells') }} as cells
        where cells.report_id = reports.report_id and cells.table_id = tables.table_id
    )
