{%- set measures = [
    'new_received', 'carried_over', 'total_processed', 'carried_forward',
    'granted', 'partially_granted', 'denied', 'unable', 'rejected', 'other',
    'review_total', 'review_corrected', 'litigation_total', 'litigation_corrected',
] -%}

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
        {%- for m in measures %}
        max(case when measures.measure = '{{ m }}' then measures.value end) as {{ m }}{{ "," if not loop.last }}
        {%- endfor %}
    from current_reports
    left join measures on current_reports.report_id = measures.report_id
    group by 1, 2, 3, 4, 5

)

select
    pivoted.*,
    case
        when total_processed > 0 and (granted is not null or partially_granted is not null)
            then (coalesce(granted, 0) + coalesce(partially_granted, 0)) / total_processed
    end as disclosure_rate,
    case when review_total > 0 then review_corrected / review_total end as review_correction_rate,
    case when litigation_total > 0 then litigation_corrected / litigation_total end as litigation_correction_rate
from pivoted
