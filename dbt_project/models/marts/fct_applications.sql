with current_reports as (

    select * from {{ ref('int_current_reports') }}

),

cells as (

    select * from {{ ref('stg_report_cells') }}
    where table_id = 't3'

),

rows as (

    select * from {{ ref('t3_rows') }}

)

select
    current_reports.agency,
    current_reports.year,
    cells.report_id,
    cells.col_key as applicant_type,
    cells.row_key as outcome,
    coalesce(rows.outcome_group, 'unrecognised') as outcome_group,
    rows.sort_order as outcome_order,
    cells.value as applications,
    cells.value_kind,
    cells.is_unresolved
from cells
inner join current_reports on cells.report_id = current_reports.report_id
left join rows on cells.row_key = rows.row_key
