-- One row per agency and year: the current report's headline measures (var headline_measures), each NULL
-- with its reason where a cell it needs was not read, and the rates, from known inputs only.

with current_reports as (

    select * from {{ ref('int_current_reports') }}

),

measures as (

    select * from {{ ref('int_report_measures') }}

),

pivoted as (

    select
        current_reports.agency,
        current_reports.year,
        current_reports.report_id,
        current_reports.template,
        current_reports.status,
        {%- for m in var('headline_measures') %}
        cast(max(case when measures.measure = '{{ m }}' then measures.value end) as bigint) as {{ m }},
        case
            when count(case when measures.measure = '{{ m }}' then 1 end) = 0
                then 'the report''s layout is unknown (no template, no （六） rows)'
            else max(case when measures.measure = '{{ m }}' then measures.missing_reason end)
        end as {{ m }}_missing_reason{{ "," if not loop.last }}
        {%- endfor %}
    from current_reports
    left join measures on current_reports.report_id = measures.report_id
    group by 1, 2, 3, 4, 5

)

select
    pivoted.*,
    {%- set headline = var('headline_measures') %}
    cast(
        {%- for m in headline %}
        case when {{ m }} is null then 1 else 0 end{{ " +" if not loop.last }}
        {%- endfor %}
    as integer) as n_measures_unknown,
    case
        when total_processed > 0 then cast(granted + partially_granted as double) / total_processed
    end as disclosure_rate,
    case when review_total > 0 then cast(review_corrected as double) / review_total end as review_correction_rate,
    case when litigation_total > 0 then cast(litigation_corrected as double) / litigation_total end
        as litigation_correction_rate
from pivoted
