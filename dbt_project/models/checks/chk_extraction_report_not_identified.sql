-- extraction.report_not_identified: see _checks.yml.
{% call check_rows(ref('dim_report'), "status <> 'rejected' and (agency is null or year is null)") %}
'agency or year not found in the title of ' || source_path
{% endcall %}
