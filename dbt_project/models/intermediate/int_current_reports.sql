-- The one report per agency and year that the facts use (see int_report_versions), with the
-- attributes every fact table needs.

with versions as (

    select * from {{ ref('int_report_versions') }}
    where is_current

),

reports as (

    select * from {{ ref('stg_reports') }}

)

select
    versions.report_id,
    versions.agency,
    versions.year,
    reports.template,
    reports.status,
    reports.ingested_at
from versions
inner join reports on versions.report_id = reports.report_id
