-- identity.I3: see _checks.yml.
{% call identity_check('I3') %}
'I3 fails for row ' || row_key || ': 总计 = ' || {{ num('lhs') }}
    || ' but 自然人 + the five 法人或其他组织 columns = ' || {{ num('rhs') }} || ' (difference ' || {{ num('delta') }} || ')'
{% endcall %}
