-- anomaly.yoy_jump: see _checks.yml.
{{ config(materialized='table') }}
-- Peers are compared over the whole warehouse: rebuilt whole on every check run.

with agency_years as (

    select * from {{ ref('fct_agency_year') }}

),

pairs as (

    select
        this_year.report_id,
        this_year.agency,
        this_year.year,
        last_year.new_received as previous,
        this_year.new_received as current,
        ln((this_year.new_received + 1) / (last_year.new_received + 1)) as log_ratio
    from agency_years as this_year
    inner join agency_years as last_year
        on last_year.agency = this_year.agency and last_year.year = this_year.year - 1
    where this_year.new_received is not null and last_year.new_received is not null

),

center as (

    select median(log_ratio) as med from pairs

),

spread as (

    select median(abs(log_ratio - med)) as mad from pairs, center

)

{% set message -%}
    'new applications went from ' || cast(previous as varchar) || ' in ' || cast(year - 1 as varchar) || ' to '
        || cast(current as varchar) || ' in ' || cast(year as varchar)
{%- endset %}
select
    {{ finding(message, table_id="'t3'", row_key="'new_received'", col_key="'total'", expected='previous',
               actual='current', delta='current - previous') }}
from pairs, center, spread
where abs(log_ratio - med) > greatest(5 * 1.4826 * mad, ln(4)) and abs(current - previous) >= 10
