with source as (

    select * from {{ source('raw', 'reports') }}

),

renamed as (

    select
        report_id,
        sha256,
        source_path,
        source_format,
        encoding,
        title,
        -- The loader normalises names; this also cleans rows ingested before it did: invisible characters
        -- (zero-width, controls, bidi overrides) would split one agency in two.
        nullif(regexp_replace(agency, '[\x{0}-\x{1f}\x{7f}-\x{9f}\x{ad}\x{200b}-\x{200f}\x{202a}-\x{202e}\x{2060}-\x{2064}\x{2066}-\x{206f}\x{feff}\s]', '', 'g'), '') as agency,
        cast(year as integer) as year,
        template,
        script,
        status,
        error,
        n_cells,
        n_unresolved,
        n_facts,
        parser_version,
        ingested_at,
        printed_date,
        other_reports
    from source

)

select * from renamed
