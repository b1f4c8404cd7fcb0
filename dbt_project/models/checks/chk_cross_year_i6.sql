-- cross_year.I6: see chk_cross_year_i6.yml.
with pairs as (

    select * from {{ ref('int_identity_across_years') }}
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
    'I6 fails for ' || coalesce(row_key, col_key) || ' between ' || cast(year - 1 as varchar) || ' and '
        || cast(year as varchar) || ': 现行有效件数 = ' || {{ num('lhs') }} || ' but last year''s 现行有效件数 + 制发 − 废止 = ' || {{ num('rhs') }}
        || ' (previous report ' || prev_report_id || ')' as message,
    anchor_offset as char_offset
from pairs
where identity_id = 'I6' and is_complete and delta <> 0
