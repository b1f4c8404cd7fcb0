-- extraction.unresolved_cells: see _checks.yml.
{% call check_rows(ref('stg_report_cells'), "is_unresolved", group_by='report_id, table_id, row_key',
                   table_id='table_id', row_key='row_key', char_offset='min(char_offset)') %}
'unresolved: ' || min(unresolved_reason)
{% endcall %}
