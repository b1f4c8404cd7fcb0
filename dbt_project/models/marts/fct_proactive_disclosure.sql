-- Both templates' table 2 on one vocabulary where the columns mean the same thing (documents issued,
-- decisions), kept apart where they do not (对外公开总数量 is not 现行有效件数). See reference.t2_columns.
-- Incremental: current reports ingested since the last build are added; superseded ones go.

{{ config(materialized='incremental', unique_key='report_id', incremental_strategy='delete+insert',
          post_hook="{{ delete_superseded_reports() }}") }}
-- depends_on: {{ ref('int_report_versions') }}

with {{ current_table_cells('t2') }},

measures as (

    select * from {{ ref('t2_columns') }}

)

select
    current_reports.agency,
    current_reports.year,
    cells.report_id,
    current_reports.template,
    cells.row_key as item,
    coalesce(measures.measure, cells.col_key) as measure,
    cells.col_key as template_col_key,
    coalesce(measures.comparable_across_templates, false) as comparable_across_templates,
    case when not coalesce(measures.is_money, false) then {{ cell_count('cells') }} end as quantity,
    case when measures.is_money then cast(cells.value as decimal(18, 2)) end as amount_yuan,
    {{ cell_missing_reason('cells', 'not coalesce(measures.is_money, false)') }} as missing_reason,
    cells.value_kind,
    cells.is_unresolved,
    current_reports.ingested_at
from cells
inner join current_reports on cells.report_id = current_reports.report_id
left join measures
    on cells.col_key = measures.col_key
    and current_reports.template = cast(measures.template as varchar)
