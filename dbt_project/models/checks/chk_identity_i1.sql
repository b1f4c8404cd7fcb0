-- identity.I1: see _checks.yml.
{% call identity_check('I1') %}
'I1 fails for column ' || col_key || ': 一 + 二 = ' || {{ num('lhs') }}
    || ' but （七）总计 + 四 = ' || {{ num('rhs') }} || ' (difference ' || {{ num('delta') }} || ')'
{% endcall %}
