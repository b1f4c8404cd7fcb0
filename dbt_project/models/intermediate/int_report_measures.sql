-- Every headline measure of a report as a signed sum of cells (definitions: reference.measure_terms).
-- A measure none of whose cells holds a number is NULL, not 0: blank is "not filled".
-- Incremental: only reports ingested since the last build are read.

{{ config(materialized='incremental', unique_key='report_id', incremental_strategy='delete+insert') }}

with cells as (

    {{ rows_of_reports_since_last_build(ref('stg_report_cells')) }}

),

terms as (

    select * from {{ ref('measure_terms') }}

),

joined as (

    select
        cells.report_id,
        cells.ingested_at,
        terms.measure,
        terms.sign,
        cells.value
    from cells
    inner join terms
        on cells.table_id = terms.table_id
        and cells.row_key = terms.row_key
        and cells.col_key = terms.col_key

)

select
    report_id,
    measure,
    case when count(value) = 0 then null else sum(sign * value) end as value,
    count(value) as n_cells_with_number,
    count(*) as n_cells,
    ingested_at
from joined
group by report_id, ingested_at, measure
