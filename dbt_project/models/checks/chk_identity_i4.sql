-- identity.I4: see _checks.yml.
{% call identity_check('I4') %}
'I4 fails for block ' || row_key || ': 总计 = ' || {{ num('lhs') }}
    || ' but 维持 + 纠正 + 其他 + 尚未审结 = ' || {{ num('rhs') }} || ' (difference ' || {{ num('delta') }} || ')'
{% endcall %}
