-- identity.I1: see chk_identity_i1.yml.
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
    'I1 fails for column ' || col_key || ': 一 + 二 = ' || {{ num('lhs') }}
        || ' but （七）总计 + 四 = ' || {{ num('rhs') }} || ' (difference ' || {{ num('delta') }} || ')' as message,
    anchor_offset as char_offset
from sides
where identity_id = 'I1' and is_complete and is_read and delta <> 0
