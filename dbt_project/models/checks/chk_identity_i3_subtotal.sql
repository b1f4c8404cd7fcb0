-- identity.I3_subtotal: see _checks.yml.
{% call identity_check('I3_subtotal') %}
'I3_subtotal fails for row ' || row_key || ': 小计 = ' || {{ num('lhs') }}
    || ' but the five 法人或其他组织 columns = ' || {{ num('rhs') }} || ' (difference ' || {{ num('delta') }} || ')'
{% endcall %}
