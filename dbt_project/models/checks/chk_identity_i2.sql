-- identity.I2: see _checks.yml.
{% call identity_check('I2') %}
'I2 fails for column ' || col_key || ': （七）总计 = ' || {{ num('lhs') }}
    || ' but the sum of outcomes （一）–（六） = ' || {{ num('rhs') }} || ' (difference ' || {{ num('delta') }} || ')'
{% endcall %}
