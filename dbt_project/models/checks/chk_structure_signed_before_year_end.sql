-- structure.signed_before_year_end: see _checks.yml.
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
        'signed ' || strftime(printed_date, '%Y-%m-%d') || ', before the year ' || cast(year as varchar)
            || ' it reports on had ended' as message,
        signed_offset as char_offset
    from {{ ref('int_report_publication') }}
    where {{ in_check_scope() }} and printed_date < make_date(year, 12, 31)

)

select
    {{ finding('message', table_id='table_id', row_key='row_key', col_key='col_key', expected='expected',
               actual='actual', delta='delta', char_offset='char_offset') }}
from found
