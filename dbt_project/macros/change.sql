{# The change of one measure from the previous report of the same agency (marts.fct_agency_year_change):
   absolute, and relative to the previous value (NULL where that is 0). NULL through any unknown. #}
{% macro change_columns(measure) -%}
    {{ measure }},
    previous_{{ measure }},
    {{ measure }} - previous_{{ measure }} as {{ measure }}_change,
    case when previous_{{ measure }} <> 0
        then cast({{ measure }} - previous_{{ measure }} as double) / previous_{{ measure }}
    end as {{ measure }}_change_ratio
{%- endmacro %}
