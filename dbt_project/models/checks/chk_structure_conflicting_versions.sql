-- structure.conflicting_versions: see _checks.yml.
with reports as (

    select * from {{ ref('dim_report') }}
    where {{ in_check_scope() }}

),

pairs as (

    select
        current_version.report_id,
        other.report_id as other_id,
        current_version.agency,
        current_version.year,
        current_version.version_note
    from reports as current_version
    inner join {{ ref('dim_report') }} as other
        on other.agency = current_version.agency
        and other.year = current_version.year
        and other.report_id <> current_version.report_id
        and other.n_versions > 1
    where current_version.is_current and current_version.n_versions > 1

),

differing as (

    select
        pairs.report_id,
        pairs.other_id,
        here.table_id,
        here.row_key,
        here.col_key,
        here.value as here,
        there.value as there,
        here.char_offset,
        here.table_id || ' ' || here.row_key || '/' || here.col_key as cell
    from pairs
    inner join {{ ref('stg_report_cells') }} as here on here.report_id = pairs.report_id
    inner join {{ ref('stg_report_cells') }} as there
        on there.report_id = pairs.other_id
        and there.table_id = here.table_id
        and there.row_key = here.row_key
        and there.col_key = here.col_key
    where here.value is not null and there.value is not null and here.value <> there.value

),

per_other as (

    select
        report_id,
        other_id,
        count(*) as n_cells,
        min(cell) as first_cell,
        arg_min(table_id, cell) as table_id,
        arg_min(row_key, cell) as row_key,
        arg_min(col_key, cell) as col_key,
        arg_min(here, cell) as here,
        arg_min(there, cell) as there,
        arg_min(char_offset, cell) as char_offset
    from differing
    group by report_id, other_id

),

described as (

    select distinct report_id, agency, year, version_note from pairs

)

{% set message -%}
    described.agency || ' ' || cast(described.year as varchar) || ': other versions give different numbers: '
        || string_agg(per_other.other_id || ' in ' || cast(per_other.n_cells as varchar) || ' cell(s), first '
                      || per_other.first_cell || ' = ' || {{ num('per_other.there') }} || ' there vs '
                      || {{ num('per_other.here') }} || ' here', '; ' order by per_other.other_id)
        || '. This version is ' || described.version_note
{%- endset %}
{#- the first other version (by id) names the cell -#}
{%- set first = 'arg_min(per_other.%s, per_other.other_id)' %}
select
    {{ finding(message, table_id=first | format('table_id'), row_key=first | format('row_key'),
               col_key=first | format('col_key'), expected=first | format('there'), actual=first | format('here'),
               delta=first | format('here - per_other.there'), char_offset=first | format('char_offset'),
               report_id='per_other.report_id') }}
from per_other
inner join described on described.report_id = per_other.report_id
group by per_other.report_id, described.agency, described.year, described.version_note
