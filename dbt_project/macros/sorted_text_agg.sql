{# The distinct-or-not values of `expression` over a group's rows where `condition` holds, sorted and joined
   by `delimiter`; NULL when no row qualifies. On DuckDB through list aggregates, which spill to disk
   with the rest of a large group-by: string_agg(... order by) holds every input row of every group in
   memory, and ran out of DuckDB's 3 GB on a million reports (int_identity_within_report). #}
{% macro sorted_text_agg(expression, delimiter, condition, distinct=false) -%}
    {{ return(adapter.dispatch('sorted_text_agg')(expression, delimiter, condition, distinct)) }}
{%- endmacro %}

{% macro duckdb__sorted_text_agg(expression, delimiter, condition, distinct) -%}
    {%- set values -%}list({{ expression }}) filter (where {{ condition }} and {{ expression }} is not null){%- endset -%}
    array_to_string(list_sort({% if distinct %}list_distinct({{ values }}){% else %}{{ values }}{% endif %}), '{{ delimiter }}')
{%- endmacro %}

{% macro default__sorted_text_agg(expression, delimiter, condition, distinct) -%}
    {%- set value %}case when {{ condition }} then {{ expression }} end{% endset -%}
    string_agg({{ 'distinct ' if distinct }}{{ value }}, '{{ delimiter }}' order by {{ value }})
{%- endmacro %}
