-- structure.implausible_year: see _checks.yml.
{% call check_rows(ref('dim_report'), "status <> 'rejected' and (year < 2008 or year > year(current_date) + 1)",
                   actual='year') %}
'year ' || cast(year as varchar) || ' is outside 2008–' || cast(year(current_date) + 1 as varchar)
    || ': misread from the title of ' || source_path || '?'
{% endcall %}
