-- extraction.split_by_identity: see _checks.yml.
with cells as (

    select * from {{ ref('stg_report_cells') }}
    where {{ in_check_scope() }}

),

-- the run's cells in print order: the template's column order
column_order as (

    select 't3' as table_id, col_key, sort_order from {{ ref('t3_columns') }}
    union all
    select 't4' as table_id, col_key, sort_order from {{ ref('t4_columns') }}

)

{% set message -%}
    'glued digits ' || min(cells.raw_text) || ' read as '
        || string_agg({{ num('cells.value') }}, ', ' order by column_order.sort_order, cells.col_key)
        || ': ' || cast(count(case when resolved_by like 'I%' then 1 end) as varchar) || ' of these cells chosen by '
        || {{ sorted_text_agg('resolved_by', ' / ', "resolved_by like 'I%'", distinct=true) }}
        || ', the only reading for which it holds, so it is not verified on them'
{%- endset %}
select
    {{ finding(message, table_id='cells.table_id', row_key='cells.row_key', char_offset='min(cells.char_offset)',
               report_id='cells.report_id') }}
from cells
left join column_order
    on cells.table_id = column_order.table_id
    and cells.col_key = column_order.col_key
where cells.value_kind = 'split'
group by cells.report_id, cells.table_id, cells.row_key
having count(case when resolved_by like 'I%' then 1 end) > 0
