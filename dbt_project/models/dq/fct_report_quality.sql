-- The data-quality score of each current report: 100 less 20 per error, 5 per warning and 1 per info.

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
        count(findings.finding_id) filter (where findings.severity = 'error') as errors,
        count(findings.finding_id) filter (where findings.severity = 'warning') as warnings,
        count(findings.finding_id) filter (where findings.severity = 'info') as infos
    from reports
    left join findings on findings.report_id = reports.report_id
    group by reports.report_id, reports.agency, reports.year, reports.template, reports.status

)

select
    counted.*,
    greatest(0, 100 - 20 * errors - 5 * warnings - 1 * infos) as score
from counted
