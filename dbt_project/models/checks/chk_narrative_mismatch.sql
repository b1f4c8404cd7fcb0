-- narrative.mismatch: see _checks.yml.
with readings as (

    select * from {{ ref('int_narrative_readings') }}
    where {{ in_check_scope() }}

),

per_fact as (

    select
        report_id,
        fact_no,
        metric,
        part,
        stated_value,
        qualifier,
        sentence,
        why,
        char_offset,
        string_agg(reading_id || ' = ' || {{ num('table_value') }}, '; ' order by reading_id) as readings,
        arg_min(table_value, abs(table_value - stated_value)) as closest,
        count(*) as n_readings,
        bool_and(is_complete) as all_complete,
        bool_or(coalesce(matches, false)) as any_match
    from readings
    group by report_id, fact_no, metric, part, stated_value, qualifier, sentence, why, char_offset

)

{% call check_rows('per_fact', 'n_readings > 0 and all_complete and not any_match', table_id="'narrative'",
                   row_key='metric', expected='closest', actual='stated_value', delta='stated_value - closest',
                   char_offset='char_offset') %}
    'narrative states ' || metric || case when part in ('total', 'review', 'litigation') then ''
        else ' (' || part || ')' end || ' = ' || {{ num('stated_value') }}
        || case when qualifier = 'share' then '%' else '' end
        || ' but the tables give ' || readings || ' — 「' || sentence || '」'
        || coalesce(' (read so: ' || why || ')', '')
{% endcall %}
