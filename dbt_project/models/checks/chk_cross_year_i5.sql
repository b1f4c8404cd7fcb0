-- cross_year.I5: see _checks.yml.
{% call identity_check('I5', across_years=true) %}
'I5 fails for ' || coalesce(row_key, col_key) || ' between ' || cast(year - 1 as varchar) || ' and '
    || cast(year as varchar) || ': 四 of the previous year = ' || {{ num('lhs') }} || ' but 二 = ' || {{ num('rhs') }}
    || ' (previous report ' || prev_report_id || ')'
{% endcall %}
