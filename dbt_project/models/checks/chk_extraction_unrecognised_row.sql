-- extraction.unrecognised_row: see _checks.yml.
{% call check_rows(ref('stg_report_cells'), "row_key like 'unrecognised_%'", group_by='report_id, table_id, row_key',
                   table_id='table_id', row_key='row_key', char_offset='min(char_offset)') %}
'row label 「' || min(row_label) || '」 not recognised'
{% endcall %}
