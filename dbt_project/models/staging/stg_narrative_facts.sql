with source as (

    select * from {{ source('raw', 'narrative_facts') }}

),

renamed as (

    select
        report_id,
        fact_no,
        metric,
        coalesce(part, 'total') as part,
        value,
        unit,
        qualifier,
        coalesce(decimals, 0) as decimals,
        keyword,
        why,
        matched_text,
        sentence,
        char_offset,
        sentence_offset
    from source

)

select * from renamed
