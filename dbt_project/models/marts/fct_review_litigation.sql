-- Incremental: current reports ingested since the last build are added; superseded ones go.

{{ config(materialized='incremental', unique_key='report_id', incremental_strategy='delete+insert',
          post_hook="{{ delete_superseded_reports() }}") }}
-- depends_on: {{ ref('int_report_versions') }}

with {{ current_table_cells('t4') }}

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
    {{ cell_count('cells') }} as cases,
    {{ cell_missing_reason('cells') }} as missing_reason,
    cells.value_kind,
    cells.is_unresolved,
    cells.resolved_by,
    current_reports.ingested_at
from cells
inner join current_reports on cells.report_id = current_reports.report_id
