-- Each narrative figure beside every table value it may refer to (reference.narrative_readings):
-- "收到申请 N 件" may be 一 or 一+二, "行政复议 N 件" the total or the concluded cases, and so on.
-- A figure is consistent when any admissible reading matches; the checks decide what to flag.
-- Readings the report's tables have no cells for (现行有效件数 in a 2019 report) are left out.
-- Incremental: only reports ingested since the last build are read.

{{ config(materialized='incremental', unique_key='report_id', incremental_strategy='delete+insert') }}

with facts as (

    {{ rows_of_reports_since_last_build(ref('stg_narrative_facts')) }}

),

readings as (

    select * from {{ ref('narrative_readings') }}

),

measures as (

    select * from {{ ref('int_report_measures') }}

)

select
    facts.report_id,
    facts.fact_no,
    facts.metric,
    facts.value as stated_value,
    facts.qualifier,
    facts.sentence,
    facts.char_offset,
    readings.reading_id,
    readings.measure,
    readings.description as reading_description,
    measures.value as table_value,
    case
        when measures.value is null then null
        -- "3.4万余条" states a rounded lower bound
        when facts.qualifier = 'approx' then measures.value >= facts.value and measures.value < facts.value * 1.2
        else measures.value = facts.value
    end as matches,
    facts.ingested_at
from facts
inner join readings on facts.metric = readings.metric
inner join measures
    on facts.report_id = measures.report_id
    and readings.measure = measures.measure
