-- The reports this check run evaluates: every report of each agency with a report ingested since the
-- previous check run's watermark (the run log), so a new year's carry-over is checked against the year
-- before and a corrected version against the others; every report on the first run or a full one.

{{ config(materialized='table') }}

with reports as (

    select report_id, agency, ingested_at from {{ ref('dim_report') }}

),

new_reports as (

    select report_id, agency from reports
    where ingested_at >= {{ last_watermark('check') }}

)

select report_id
from reports
{%- if not flags.FULL_REFRESH %}
where report_id in (select report_id from new_reports)
    or agency in (select agency from new_reports)
{%- endif %}
