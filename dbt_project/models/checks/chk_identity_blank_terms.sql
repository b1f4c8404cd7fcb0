-- identity.blank_terms: see chk_identity_blank_terms.yml.
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
    identity_id || ' does not hold for ' || coalesce(col_key, row_key) || ' when the report''s '
        || cast(n_blank as varchar) || ' blank cell(s) are read as 0: ' || {{ num('lhs') }} || ' vs '
        || {{ num('rhs') }} as message,
    anchor_offset as char_offset
from sides
where is_read and n_blank > 0 and has_numbers and delta <> 0
