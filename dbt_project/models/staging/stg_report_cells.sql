with source as (

    select * from {{ source('raw', 'report_cells') }}

),

typed as (

    select
        report_id,
        table_id,
        row_key,
        col_key,
        value,
        raw_text,
        value_kind,
        unit,
        row_label,
        char_offset,
        line_no,
        unresolved_reason,
        unresolved_reason is not null as is_unresolved,
        resolved_by,
        candidates,
        confidence
    from source

)

select * from typed
