{% test unique_combination_of_columns(model, combination_of_columns) %}
{# The grain of a model: no two rows share these columns. Grouping on one 64-bit hash of the columns
   is much cheaper than on the columns themselves at tens of millions of rows; only rows whose hash
   repeats are grouped on the columns, so a hash collision can never fail the test. #}
{%- set columns = combination_of_columns | join(', ') %}
with repeated_hashes as (

    select {{ row_hash(combination_of_columns) }} as row_hash
    from {{ model }}
    group by 1
    having count(*) > 1

)

select {{ columns }}, count(*) as n_rows
from {{ model }}
where {{ row_hash(combination_of_columns) }} in (select row_hash from repeated_hashes)
group by {{ columns }}
having count(*) > 1
{% endtest %}
