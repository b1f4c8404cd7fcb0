{% test expression_is_true(model, expression, where=none, column_name=none) %}
{# Rows for which the expression does not hold (on a column or on the model: the expression names what it needs). #}
select *
from {{ model }}
where not ({{ expression }})
{%- if where %} and ({{ where }}){% endif %}
{% endtest %}
