-- identity.unverifiable: see chk_identity_unverifiable.yml.
with sides as (

    select * from {{ ref('int_identity_within_report') }}
    where {{ in_check_scope() }}

)

select
    report_id,
    table_id,
    row_key,
    col_key,
    rhs as expected,
    lhs as actual,
    delta,
    identity_id || ' cannot be verified for ' || coalesce(col_key, row_key) || ': not read: ' || unread
        || '. Reading what was not read as 0 gives ' || {{ num('lhs') }} || ' vs ' || {{ num('rhs') }} as message,
    anchor_offset as char_offset
from sides
where unread <> '' and has_numbers and delta <> 0
