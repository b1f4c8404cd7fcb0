-- One row per agency and year: each headline measure beside the same agency's previous report, which may be
-- more than a year before (years_since_previous says; the first report has none).

with agency_years as (

    select * from {{ ref('fct_agency_year') }}

),

with_previous as (

    select
        agency,
        year,
        report_id,
        lag(year) over by_year as previous_year,
        lag(report_id) over by_year as previous_report_id,
        {%- for m in var('headline_measures') %}
        {{ m }},
        lag({{ m }}) over by_year as previous_{{ m }}{{ "," if not loop.last }}
        {%- endfor %}
    from agency_years
    window by_year as (partition by agency order by year)

)

select
    agency,
    year,
    report_id,
    previous_year,
    previous_report_id,
    year - previous_year as years_since_previous,
    {%- for m in var('headline_measures') %}
    {{ change_columns(m) }}{{ "," if not loop.last }}
    {%- endfor %}
from with_previous
