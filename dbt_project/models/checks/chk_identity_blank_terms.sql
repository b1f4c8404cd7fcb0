-- identity.blank_terms: see _checks.yml.
{% call check_rows(ref('int_identity_within_report'), "is_read and n_blank > 0 and has_numbers and delta <> 0",
                   table_id='table_id', row_key='row_key', col_key='col_key', expected='rhs', actual='lhs',
                   delta='delta', char_offset='anchor_offset') %}
identity_id || ' does not hold for ' || coalesce(col_key, row_key) || ' when the report''s '
    || cast(n_blank as varchar) || ' blank cell(s) are read as 0: ' || {{ num('lhs') }} || ' vs ' || {{ num('rhs') }}
{% endcall %}
