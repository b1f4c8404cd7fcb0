with current_reports as (

    select * from {{ ref('int_current_reports') }}

),

cells as (

    select * from {{ ref('stg_report_cells') }}
    where table_id = 't4'

)

select
    current_reports.agency,
    current_reports.year,
    cells.report_id,
    case cells.row_key
        when 'review' then 'review'
        when 'litigation_direct' then 'direct_litigation'
        when 'litigation_after_review' then 'litigation_after_review'
    end as proceeding,
    cells.col_key as result,
    cells.value as cases,
    cells.value_kind,
    cells.is_unresolved
from cells
inner join current_reports on cells.report_id = current_reports.report_id
