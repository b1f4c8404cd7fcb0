{% test measures_match_their_cells(model) %}
{# Rows of a mart where a headline measure (var headline_measures) is known although a cell it needs was not
   read, or differs from the sum of its cells (intermediate.int_report_measures): a mart never turns an
   unknown into a number. #}
with mart as (

    select * from {{ model }}

),

measures as (

    select * from {{ ref('int_report_measures') }}

)
{%- for m in var('headline_measures') %}
select mart.report_id, '{{ m }}' as measure
from mart
left join measures
    on measures.report_id = mart.report_id
    and measures.measure = '{{ m }}'
where mart.{{ m }} is not null
    and (measures.value is null or measures.n_read < measures.n_cells or mart.{{ m }} <> measures.value)
{{ 'union all' if not loop.last }}
{%- endfor %}
{% endtest %}
