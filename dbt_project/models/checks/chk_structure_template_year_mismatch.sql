-- structure.template_year_mismatch: see chk_structure_template_year_mismatch.yml.
with reports as (

    select * from {{ ref('dim_report') }}
    where {{ in_check_scope() }}

)

select
    report_id,
    cast(null as varchar) as table_id,
    cast(null as varchar) as row_key,
    cast(null as varchar) as col_key,
    cast(case when year >= 2021 then 2021 when year >= 2019 then 2019 end as double) as expected,
    cast(template as double) as actual,
    cast(template as double) - case when year >= 2021 then 2021 when year >= 2019 then 2019 end as delta,
    'report for ' || cast(year as varchar) || ' uses the ' || template || ' template'
        || case when year < 2019 then ', which reports before 2019 did not have' else '' end as message,
    cast(null as integer) as char_offset
from reports
where template_matches_year = false
