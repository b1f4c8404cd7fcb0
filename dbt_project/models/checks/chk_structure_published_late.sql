-- structure.published_late: see _checks.yml.
{% call check_rows(ref('int_report_publication'), 'has_deadline and published_on > deadline',
                   char_offset='char_offset') %}
    'published ' || strftime(published_on, '%Y-%m-%d') || ' (' || published_by || '), after the deadline '
        || strftime(deadline, '%Y-%m-%d') || ' for a ' || level || ' (' || basis || ')'
{% endcall %}
