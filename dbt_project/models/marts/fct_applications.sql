-- Incremental: current reports ingested since the last build are added; superseded ones go.

{{ config(materialized='incremental', unique_key='report_id', incremental_strategy='delete+insert',
          post_hook="{{ delete_superseded_reports() }}") }}
-- depends_on: {{ ref('int_report_versions') }}

with {{ current_table_cells('t3') }},

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
    {{ cell_count('cells') }} as applications,
    {{ cell_missing_reason('cells') }} as missing_reason,
    cells.value_kind,
    cells.is_unresolved,
    cells.resolved_by,
    current_reports.ingested_at
from cells
inner join current_reports on cells.report_id = current_reports.report_id
left join rows on cells.row_key = rows.row_key
