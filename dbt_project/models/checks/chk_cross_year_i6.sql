-- cross_year.I6: see _checks.yml.
{% call identity_check('I6', across_years=true) %}
'I6 fails for ' || coalesce(row_key, col_key) || ' between ' || cast(year - 1 as varchar) || ' and '
    || cast(year as varchar) || ': 现行有效件数 = ' || {{ num('lhs') }} || ' but last year''s 现行有效件数 + 制发 − 废止 = ' || {{ num('rhs') }}
    || ' (previous report ' || prev_report_id || ')'
{% endcall %}
