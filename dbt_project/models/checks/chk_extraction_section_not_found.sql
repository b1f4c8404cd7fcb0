-- extraction.section_not_found: see _checks.yml.
{% call check_rows(ref('int_report_sections_missing'), 'not_read_because is not null', row_key='section',
                   char_offset='char_offset') %}
    'section ' || section || ' (' || title || ') not found: ' || not_read_because
{% endcall %}
