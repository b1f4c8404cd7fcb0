-- The data-quality score of each current report, over the report findings a reviewer has not dismissed:
-- 100 less, per severity, min(max_points, points × findings) (reference.severities), so that one error costs more
-- than any number of warnings and info findings. What we could not read costs nothing: it is counted apart, in
-- cells not read.

{{ config(schema='marts') }}

with reports as (

    select report_id, agency, year, template, status from {{ ref('fct_agency_year') }}

),

dismissed as (

    select finding_id from {{ ref('finding_reviews') }}
    where is_current and decision = 'dismissed'

),

findings as (

    select
        findings.report_id,
        findings.kind,
        findings.severity,
        dismissed.finding_id is not null as is_dismissed
    from {{ ref('findings') }} as findings
    left join dismissed on dismissed.finding_id = findings.finding_id

),

report_findings as (

    select report_id, severity, count(*) as n
    from findings
    where kind = 'report' and not is_dismissed
    group by report_id, severity

),

points_lost as (

    select report_findings.report_id, sum(least(severities.max_points, severities.points * report_findings.n)) as points
    from report_findings
    inner join {{ ref('severities') }} as severities on severities.severity = report_findings.severity
    group by report_findings.report_id

),

counted as (

    select
        reports.report_id,
        reports.agency,
        reports.year,
        reports.template,
        reports.status,
        count(*) filter (
            where findings.kind = 'report' and not findings.is_dismissed and findings.severity = 'error'
        ) as errors,
        count(*) filter (
            where findings.kind = 'report' and not findings.is_dismissed and findings.severity = 'warning'
        ) as warnings,
        count(*) filter (
            where findings.kind = 'report' and not findings.is_dismissed and findings.severity = 'info'
        ) as infos,
        count(*) filter (where findings.is_dismissed) as dismissed
    from reports
    left join findings on findings.report_id = reports.report_id
    group by reports.report_id, reports.agency, reports.year, reports.template, reports.status

)

select
    counted.*,
    dim_report.n_unresolved as not_read,
    cast(greatest(0, 100 - coalesce(points_lost.points, 0)) as integer) as score
from counted
inner join {{ ref('dim_report') }} as dim_report on dim_report.report_id = counted.report_id
left join points_lost on points_lost.report_id = counted.report_id
