-- The data-quality score of each current report: 100 less 20 per error, 5 per warning and 1 per info, over
-- report findings only; what we could not read (extraction findings) is counted apart and costs nothing.

{{ config(schema='marts') }}

with reports as (

    select report_id, agency, year, template, status from {{ ref('fct_agency_year') }}

),

findings as (

    select * from {{ ref('findings') }}

),

counted as (

    select
        reports.report_id,
        reports.agency,
        reports.year,
        reports.template,
        reports.status,
        count(findings.finding_id) filter (where findings.kind = 'report' and findings.severity = 'error') as errors,
        count(findings.finding_id) filter (where findings.kind = 'report' and findings.severity = 'warning') as warnings,
        count(findings.finding_id) filter (where findings.kind = 'report' and findings.severity = 'info') as infos,
        count(findings.finding_id) filter (where findings.kind = 'extraction') as not_read
    from reports
    left join findings on findings.report_id = reports.report_id
    group by reports.report_id, reports.agency, reports.year, reports.template, reports.status

)

select
    counted.*,
    greatest(0, 100 - 20 * errors - 5 * warnings - 1 * infos) as score
from counted
