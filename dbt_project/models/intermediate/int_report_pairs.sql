-- Each current report beside its agency's current report of the year before: what the cross-year text and
-- table checks compare.

with current_reports as (

    select report_id, agency, year from {{ ref('int_current_reports') }}
    where status <> 'rejected'

)

select
    this_year.report_id,
    this_year.agency,
    this_year.year,
    last_year.report_id as prev_report_id
from current_reports as this_year
inner join current_reports as last_year
    on this_year.agency = last_year.agency and last_year.year = this_year.year - 1
