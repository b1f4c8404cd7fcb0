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
        agency,
        cast(year as integer) as year,
        template,
        script,
        status,
        error,
        n_cells,
        n_unresolved,
        n_facts,
        parser_version,
        ingested_at
    from source

)

select * from renamed
