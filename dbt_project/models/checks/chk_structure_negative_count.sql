-- structure.negative_count: see _checks.yml.
{% call check_rows(ref('stg_report_cells'),
                   "value < 0 and col_key <> 'change' and col_key not in ('procurement_amount', 'fee_amount')",
                   table_id='table_id', row_key='row_key', col_key='col_key', expected='0', actual='value',
                   delta='value', char_offset='char_offset') %}
'negative count ' || raw_text || ' in ' || table_id || ' ' || row_key || '/' || col_key
{% endcall %}
