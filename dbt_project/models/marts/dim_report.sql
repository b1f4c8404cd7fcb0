with reports as (

    select * from {{ ref('stg_reports') }}

),

versions as (

    select * from {{ ref('int_report_versions') }}

)

select
    reports.report_id,
    reports.agency,
    reports.year,
    reports.template,
    reports.script,
    reports.status,
    reports.error,
    reports.title,
    reports.source_path,
    reports.source_format,
    reports.encoding,
    reports.sha256,
    reports.n_cells,
    reports.n_unresolved,
    reports.n_facts,
    reports.ingested_at,
    reports.printed_date,
    reports.page_date,
    reports.other_reports,
    reports.printed_agency,
    reports.agency_key,
    reports.agency_resolved_by,
    reports.revision_mark,
    reports.first_seen_at,
    coalesce(versions.is_current, false) as is_current,
    versions.n_versions,
    versions.version_rank,
    coalesce(versions.version_note, 'not a candidate: ' || reports.status
        || case when reports.agency is null or reports.year is null then ', agency or year unknown' else '' end
    ) as version_note,
    -- The 2021 template from the 2021 reports on, the 2019 one for 2019 and 2020; before 2019 reports had
    -- other tables, so a report for 2018 or earlier in either layout has its year (or layout) wrong.
    case
        when reports.template is null or reports.year is null then null
        when reports.year >= 2021 then reports.template = '2021'
        when reports.year >= 2019 then reports.template = '2019'
        else false
    end as template_matches_year
from reports
left join versions on reports.report_id = versions.report_id
