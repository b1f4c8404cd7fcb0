-- identity.I4: see chk_identity_i4.yml.
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
    'I4 fails for block ' || row_key || ': 总计 = ' || {{ num('lhs') }}
        || ' but 维持 + 纠正 + 其他 + 尚未审结 = ' || {{ num('rhs') }} || ' (difference ' || {{ num('delta') }} || ')' as message,
    anchor_offset as char_offset
from sides
where identity_id = 'I4' and is_complete and is_read and delta <> 0
