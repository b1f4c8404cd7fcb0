-- The agency is the canonical agency of the name the report prints (raw.agency_names: the loader's name rules,
-- the equivalent forms and the analysts' aliases, loaders/readers/agency.py), so one agency's reports are one
-- agency whatever spelling, script or prefix each year prints; what was printed is kept beside it.

with source as (

    select * from {{ source('raw', 'reports') }}

),

names as (

    select * from {{ source('raw', 'agency_names') }}

),

renamed as (

    select
        source.report_id,
        source.sha256,
        source.source_path,
        source.source_format,
        source.encoding,
        source.title,
        coalesce(names.agency, source.agency) as agency,
        coalesce(names.agency_key, source.agency) as agency_key,
        coalesce(source.printed_agency, source.agency) as printed_agency,
        names.resolved_by as agency_resolved_by,
        cast(source.year as integer) as year,
        source.template,
        source.script,
        source.status,
        source.error,
        source.n_cells,
        source.n_unresolved,
        source.n_facts,
        source.parser_version,
        source.ingested_at,
        source.printed_date,
        source.page_date,
        source.other_reports,
        source.revision_mark,
        source.first_seen_at
    from source
    left join names on names.printed_name = source.agency

)

select * from renamed
