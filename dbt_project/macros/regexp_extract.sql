{# The one engine-specific string function the project uses; port it here (Trino: regexp_extract,
   Spark: regexp_extract) and every model follows. Returns NULL rather than '' when nothing matches. #}
{% macro regexp_extract(expression, pattern, group=1) -%}
    {{ return(adapter.dispatch('regexp_extract')(expression, pattern, group)) }}
{%- endmacro %}

{% macro default__regexp_extract(expression, pattern, group) -%}
    nullif(regexp_extract({{ expression }}, '{{ pattern }}', {{ group }}), '')
{%- endmacro %}
