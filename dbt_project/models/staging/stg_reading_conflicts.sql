with source as (

    select * from {{ source('raw', 'reading_conflicts') }}

),

renamed as (

    select
        report_id,
        table_id,
        row_key,
        col_key,
        identities,
        raw_text,
        message,
        char_offset,
        line_no
    from source

)

select * from renamed
