-- The two sides of the cross-year identities for consecutive current reports of the same agency:
-- I5 (carry-over, per table-3 column), I6 (2021 template: documents in force roll forward),
-- I7 (2019 template: item counts roll forward). One row per later report and unit.
-- Incremental: the pairs of every agency with a report ingested since the last build are rebuilt;
-- pairs whose reports were superseded go.

{{ config(materialized='incremental', unique_key='agency', incremental_strategy='delete+insert',
          post_hook="{{ delete_superseded_reports(['report_id', 'prev_report_id']) }}") }}
-- depends_on: {{ ref('int_report_versions') }}

with new_reports as (

    select agency from {{ ref('stg_reports') }}
    {{ ingested_since_last_build() }}

),

current_reports as (

    select report_id, agency, year, template, ingested_at from {{ ref('int_current_reports') }}
    {%- if is_incremental() %}
    where agency in (select agency from new_reports)
    {%- endif %}

),

t3 as (

    select current_reports.*, cells.row_key, cells.col_key, cells.value, cells.char_offset
    from {{ ref('stg_report_cells') }} as cells
    inner join current_reports on cells.report_id = current_reports.report_id
    where cells.table_id = 't3' and cells.row_key in ('carried_over', 'carried_forward')

),

t2 as (

    select
        current_reports.report_id,
        current_reports.agency,
        current_reports.year,
        current_reports.template,
        current_reports.ingested_at,
        cells.row_key,
        max(case when cells.col_key = 'in_force' then cells.value end) as in_force,
        max(case when cells.col_key = 'issued' then cells.value end) as issued,
        max(case when cells.col_key = 'repealed' then cells.value end) as repealed,
        max(case when cells.col_key = 'prior_year_items' then cells.value end) as prior_year_items,
        max(case when cells.col_key = 'change' then cells.value end) as change,
        min(cells.char_offset) as row_offset
    from {{ ref('stg_report_cells') }} as cells
    inner join current_reports on cells.report_id = current_reports.report_id
    where cells.table_id = 't2'
    group by 1, 2, 3, 4, 5, 6

),

carry_over as (

    select
        this_year.report_id,
        last_year.report_id as prev_report_id,
        this_year.agency,
        this_year.year,
        'I5' as identity_id,
        't3' as table_id,
        cast(null as varchar) as row_key,
        this_year.col_key,
        last_year.value as lhs,
        this_year.value as rhs,
        last_year.value is not null and this_year.value is not null as is_complete,
        this_year.char_offset as anchor_offset,
        greatest(this_year.ingested_at, last_year.ingested_at) as ingested_at
    from t3 as this_year
    inner join t3 as last_year
        on last_year.agency = this_year.agency
        and last_year.year = this_year.year - 1
        and last_year.col_key = this_year.col_key
    where this_year.row_key = 'carried_over'
      and last_year.row_key = 'carried_forward'

),

t2_pairs as (

    -- Consecutive years of one agency printed in the same template: I6 and I7 compare only those.
    select
        this_year.report_id,
        last_year.report_id as prev_report_id,
        this_year.agency,
        this_year.year,
        this_year.template,
        this_year.row_key,
        this_year.row_offset,
        this_year.in_force,
        this_year.issued,
        this_year.repealed,
        this_year.prior_year_items,
        last_year.in_force as last_in_force,
        last_year.prior_year_items as last_prior_year_items,
        last_year.change as last_change,
        greatest(this_year.ingested_at, last_year.ingested_at) as ingested_at
    from t2 as this_year
    inner join t2 as last_year
        on last_year.agency = this_year.agency
        and last_year.year = this_year.year - 1
        and last_year.row_key = this_year.row_key
        and last_year.template = this_year.template

),

in_force as (

    select
        report_id,
        prev_report_id,
        agency,
        year,
        'I6' as identity_id,
        't2' as table_id,
        row_key,
        'in_force' as col_key,
        in_force as lhs,
        last_in_force + issued - repealed as rhs,
        in_force is not null and last_in_force is not null
            and issued is not null and repealed is not null as is_complete,
        row_offset as anchor_offset,
        ingested_at
    from t2_pairs
    where template = '2021' and row_key in ('regulations', 'normative_documents')

),

item_counts as (

    select
        report_id,
        prev_report_id,
        agency,
        year,
        'I7' as identity_id,
        't2' as table_id,
        row_key,
        'prior_year_items' as col_key,
        prior_year_items as lhs,
        last_prior_year_items + last_change as rhs,
        prior_year_items is not null and last_prior_year_items is not null
            and last_change is not null as is_complete,
        row_offset as anchor_offset,
        ingested_at
    from t2_pairs
    where template = '2019' and row_key in ('licensing', 'other_services', 'penalty', 'coercion', 'fees')

),

unioned as (

    select * from carry_over
    union all
    select * from in_force
    union all
    select * from item_counts

)

select
    unioned.*,
    lhs - rhs as delta
from unioned
