-- extraction.unverifiable: see _checks.yml.
{% call check_rows(ref('int_identity_within_report'), "unread <> '' and has_numbers and delta <> 0",
                   table_id='table_id', row_key='row_key', col_key='col_key', expected='rhs', actual='lhs',
                   delta='delta', char_offset='anchor_offset') %}
identity_id || ' cannot be verified for ' || coalesce(col_key, row_key) || ': not read: ' || unread
    || '. Reading what was not read as 0 gives ' || {{ num('lhs') }} || ' vs ' || {{ num('rhs') }}
{% endcall %}
