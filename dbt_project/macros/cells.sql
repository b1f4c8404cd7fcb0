{# How the marts read a cell (stg_report_cells, under `alias`): right or NULL, with why. #}

{# Why a cell is not read as a value: unresolved, text where a number belongs, a count that is not a whole
   number; NULL when it was read (a number, or a blank or dash printed as such). `count` is SQL true where
   the cell holds a count. #}
{% macro cell_not_read(alias, count='true') -%}
    case
        when {{ alias }}.is_unresolved then {{ alias }}.unresolved_reason
        when {{ alias }}.value is null and {{ alias }}.value_kind not in ('blank', 'dash')
            then 'printed 「' || {{ alias }}.raw_text || '」'
        when ({{ count }}) and {{ alias }}.value <> floor({{ alias }}.value)
            then 'not a whole number: 「' || {{ alias }}.raw_text || '」'
    end
{%- endmacro %}

{# A count as a whole number, NULL where the cell holds none. #}
{% macro cell_count(alias) -%}
    case when {{ alias }}.value = floor({{ alias }}.value) then cast({{ alias }}.value as bigint) end
{%- endmacro %}

{# Why a cell has no value in a mart: not read (cell_not_read), or printed blank. #}
{% macro cell_missing_reason(alias, count='true') -%}
    coalesce({{ cell_not_read(alias, count) }},
             case when {{ alias }}.value is null then 'printed blank' end)
{%- endmacro %}

{# The first CTEs of a fact mart over one table: current_reports (those ingested since the last build) and
   cells (that table's cells). `with {{ current_table_cells('t3') }}, rows as (…)` #}
{% macro current_table_cells(table_id) -%}
current_reports as (

    select * from {{ ref('int_current_reports') }}
    {{ ingested_since_last_build() }}

),

cells as (

    select * from {{ ref('stg_report_cells') }}
    where table_id = '{{ table_id }}'

)
{%- endmacro %}
