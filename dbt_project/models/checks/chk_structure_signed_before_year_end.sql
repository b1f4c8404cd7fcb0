-- structure.signed_before_year_end: see _checks.yml.
{% call check_rows(ref('int_report_publication'), 'printed_date < make_date(year, 12, 31)',
                   char_offset='signed_offset') %}
    'signed ' || strftime(printed_date, '%Y-%m-%d') || ', before the year ' || cast(year as varchar)
        || ' it reports on had ended'
{% endcall %}
