-- extraction.rejected_file: see _checks.yml.
{% call check_rows(ref('dim_report'), "status = 'rejected'") %}
source_path || ': ' || error
{% endcall %}
