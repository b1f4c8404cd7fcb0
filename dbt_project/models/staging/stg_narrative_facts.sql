with source as (

    select * from {{ source('raw', 'narrative_facts') }}

),

renamed as (

    select
        report_id,
        fact_no,
        metric,
        value,
        unit,
        qualifier,
        matched_text,
        sentence,
        char_offset,
        sentence_offset
    from source

)

select * from renamed
