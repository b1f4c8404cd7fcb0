-- structure.implausible_year: see chk_structure_implausible_year.yml.
with reports as (

    select * from {{ ref('dim_report') }}
    where {{ in_check_scope() }}

)

select
    report_id,
    cast(null as varchar) as table_id,
    cast(null as varchar) as row_key,
    cast(null as varchar) as col_key,
    cast(null as double) as expected,
    cast(year as double) as actual,
    cast(null as double) as delta,
    'year ' || cast(year as varchar) || ' is outside 2008–' || cast(year(current_date) + 1 as varchar)
        || ': misread from the title of ' || source_path || '?' as message,
    cast(null as integer) as char_offset
from reports
where status <> 'rejected' and (year < 2008 or year > year(current_date) + 1)
