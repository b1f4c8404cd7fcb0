-- structure.section_missing: see _checks.yml.
{% call check_rows(ref('int_report_sections_missing'), 'not_read_because is null', row_key='section',
                   char_offset='char_offset') %}
    'section ' || section || ' (' || title || ') is missing: every other section is there, and nothing before '
        || 'the next one speaks of it'
{% endcall %}
