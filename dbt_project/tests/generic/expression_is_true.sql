{% test expression_is_true(model, expression, where=none) %}
{# Rows for which the expression does not hold. #}
select *
from {{ model }}
where not ({{ expression }})
{%- if where %} and ({{ where }}){% endif %}
{% endtest %}
