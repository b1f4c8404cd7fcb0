-- identity.I2: see chk_identity_i2.yml.
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
    'I2 fails for column ' || col_key || ': （七）总计 = ' || {{ num('lhs') }}
        || ' but the sum of outcomes （一）–（六） = ' || {{ num('rhs') }} || ' (difference ' || {{ num('delta') }} || ')' as message,
    anchor_offset as char_offset
from sides
where identity_id = 'I2' and is_complete and is_read and delta <> 0
