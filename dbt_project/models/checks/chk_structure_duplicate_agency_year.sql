-- structure.duplicate_agency_year: see chk_structure_duplicate_agency_year.yml.
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
    cast(null as double) as actual,
    cast(null as double) as delta,
    agency || ' ' || cast(year as varchar) || ' has ' || cast(n_versions as varchar) || ' reports; this one is '
        || version_note as message,
    cast(null as integer) as char_offset
from reports
where n_versions > 1 and not is_current
