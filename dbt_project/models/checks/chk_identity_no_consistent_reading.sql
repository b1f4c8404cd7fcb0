-- identity.no_consistent_reading: see _checks.yml.
{% call check_rows(ref('stg_reading_conflicts'), "true", table_id='table_id', row_key='row_key', col_key='col_key',
                   char_offset='char_offset') %}
identities || ' cannot all hold however the glued digits 「' || raw_text || '」 are read: ' || message
{% endcall %}
