-- structure.blank_cells: see _checks.yml.
with cells as (

    select * from {{ ref('stg_report_cells') }}
    where {{ in_check_scope() }}

),

units as (

    select
        report_id,
        table_id,
        -- a derived cell was printed blank or as a dash all the same
        case when value_kind = 'derived' then 'blank' else value_kind end as value_kind,
        char_offset,
        case when table_id = 't3' then cast(null as varchar) else row_key end as unit_row,
        case when table_id = 't3' then col_key else cast(null as varchar) end as unit_col
    from cells

)

{% set n_blank = "count(case when value_kind in ('blank', 'dash') then 1 end)" -%}
{% set message -%}
    cast({{ n_blank }} as varchar) || ' of ' || cast(count(*) as varchar)
        || ' cells blank or dash in ' || table_id || ' '
        || case when unit_col is not null then 'column ' || unit_col else 'row ' || unit_row end
{%- endset %}
select
    {{ finding(message, table_id='table_id', row_key='unit_row', col_key='unit_col', expected='count(*)',
               actual="count(case when value_kind not in ('blank', 'dash') then 1 end)", delta='-' ~ n_blank,
               char_offset="min(case when value_kind in ('blank', 'dash') then char_offset end)") }}
from units
group by report_id, table_id, unit_row, unit_col
having {{ n_blank }} > 0
