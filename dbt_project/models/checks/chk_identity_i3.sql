-- identity.I3: see chk_identity_i3.yml.
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
    'I3 fails for row ' || row_key || ': 总计 = ' || {{ num('lhs') }}
        || ' but 自然人 + the five 法人或其他组织 columns = ' || {{ num('rhs') }} || ' (difference ' || {{ num('delta') }} || ')' as message,
    anchor_offset as char_offset
from sides
where identity_id = 'I3' and is_complete and is_read and delta <> 0
