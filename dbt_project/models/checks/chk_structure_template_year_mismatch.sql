-- structure.template_year_mismatch: see _checks.yml.
{% set expected = 'case when year >= 2021 then 2021 when year >= 2019 then 2019 end' %}
{% call check_rows(ref('dim_report'), "template_matches_year = false", expected=expected, actual='template',
                   delta='cast(template as double) - ' ~ expected) %}
'report for ' || cast(year as varchar) || ' uses the ' || template || ' template'
    || case when year < 2019 then ', which reports before 2019 did not have' else '' end
{% endcall %}
