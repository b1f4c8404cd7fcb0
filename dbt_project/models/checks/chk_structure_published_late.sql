-- structure.published_late: see _checks.yml.
-- The finding columns cast to their contract (macros/checks.sql finding).
with found as (

    select
        report_id,
        cast(null as varchar) as table_id,
        cast(null as varchar) as row_key,
        cast(null as varchar) as col_key,
        cast(null as double) as expected,
        cast(null as double) as actual,
        cast(null as double) as delta,
        'published ' || strftime(published_on, '%Y-%m-%d') || ' (' || published_by || '), after the deadline '
            || strftime(deadline, '%Y-%m-%d') || ' for a ' || level || ' (' || basis || ')' as message,
        char_offset
    from {{ ref('int_report_publication') }}
    where {{ in_check_scope() }} and has_deadline and published_on > deadline

)

select
    {{ finding('message', table_id='table_id', row_key='row_key', col_key='col_key', expected='expected',
               actual='actual', delta='delta', char_offset='char_offset') }}
from found
