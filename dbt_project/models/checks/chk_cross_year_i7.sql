-- cross_year.I7: see _checks.yml.
{% call identity_check('I7', across_years=true) %}
'I7 fails for ' || coalesce(row_key, col_key) || ' between ' || cast(year - 1 as varchar) || ' and '
    || cast(year as varchar) || ': 上一年项目数量 = ' || {{ num('lhs') }} || ' but last year''s 上一年项目数量 + 本年增/减 = ' || {{ num('rhs') }}
    || ' (previous report ' || prev_report_id || ')'
{% endcall %}
