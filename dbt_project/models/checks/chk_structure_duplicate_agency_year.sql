-- structure.duplicate_agency_year: see _checks.yml.
{% call check_rows(ref('dim_report'), "n_versions > 1 and not is_current") %}
agency || ' ' || cast(year as varchar) || ' has ' || cast(n_versions as varchar) || ' reports; this one is '
    || version_note
{% endcall %}
