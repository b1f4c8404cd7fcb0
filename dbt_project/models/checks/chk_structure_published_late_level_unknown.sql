-- structure.published_late_level_unknown: see _checks.yml.
{% call check_rows(ref('int_report_publication'), 'not has_deadline and published_on > deadline',
                   char_offset='char_offset') %}
    'published ' || strftime(published_on, '%Y-%m-%d') || ' (' || published_by || '), after 3月31日, the latest '
        || 'deadline of any level; this agency''s level (' || coalesce(level, 'unknown')
        || ') has none the regulation states'
{% endcall %}
