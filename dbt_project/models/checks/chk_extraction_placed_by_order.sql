-- extraction.placed_by_order: see _checks.yml.
{% call check_rows(ref('stg_report_cells'), "resolved_by = 'template_order'",
                   group_by='report_id, table_id, row_key', table_id='table_id', row_key='row_key',
                   char_offset='min(char_offset)') %}
'row ' || row_key || ' placed by the template''s row order: its label was not printed beside its numbers'
{% endcall %}
