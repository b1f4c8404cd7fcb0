-- structure.several_reports_in_file: see _checks.yml.
{% call check_rows(ref('dim_report'), "other_reports is not null") %}
source_path || ' holds further reports that were not read: ' || other_reports
    || '; split the file and ingest each report'
{% endcall %}
