with source as (

    select * from {{ source('raw', 'report_sections') }}

),

renamed as (

    select
        report_id,
        section,
        section_key,
        heading,
        char_offset,
        body_offset,
        body,
        -- The body's words without spaces and punctuation: what is said, however it is laid out.
        regexp_replace(body, '[\s\p{P}]+', '', 'g') as body_words
    from source

)

select * from renamed
