-- extraction.derived_cells: see _checks.yml.
with cells as (

    select * from {{ ref('stg_report_cells') }}
    where {{ in_check_scope() }}
        and value_kind = 'derived'

),

numbered as (

    select
        cells.*,
        row_number() over (partition by report_id, table_id order by char_offset, row_key, col_key) as n
    from cells

)

{% set message -%}
    cast(count(*) as varchar) || ' cell(s) printed blank or as a dash hold the value the printed cells determine: '
        || string_agg(case when n <= {{ var('cells_named_in_a_finding') }} then row_key || '/' || col_key || ' = '
                               || {{ num('value') }} || ' (' || resolved_by || ')' end, ', ' order by n)
        || case when count(*) > {{ var('cells_named_in_a_finding') }} then ', …' else '' end
{%- endset %}
select
    {{ finding(message, table_id='table_id', char_offset='min(char_offset)') }}
from numbered
group by report_id, table_id
