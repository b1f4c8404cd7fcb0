-- A re-published or corrected report gives an agency two reports for one year. The current one is
-- the most complete (loaded before partial, fewer unresolved cells, more cells), then the latest
-- ingested; report_id breaks the last tie so the choice never depends on scan order.

with reports as (

    select * from {{ ref('stg_reports') }}
    where status <> 'rejected'
      and agency is not null
      and year is not null

),

ranked as (

    select
        report_id,
        agency,
        year,
        status,
        n_unresolved,
        n_cells,
        ingested_at,
        count(*) over (partition by agency, year) as n_versions,
        row_number() over (
            partition by agency, year
            order by
                case when status = 'loaded' then 0 else 1 end,
                n_unresolved,
                n_cells desc,
                ingested_at desc,
                report_id
        ) as version_rank
    from reports

),

with_current as (

    select
        ranked.*,
        first_value(report_id) over (
            partition by agency, year order by version_rank
        ) as current_report_id
    from ranked

)

select
    report_id,
    agency,
    year,
    n_versions,
    version_rank,
    version_rank = 1 as is_current,
    case
        when n_versions = 1 then 'only report for this agency and year'
        when version_rank = 1 then 'current: most complete of ' || cast(n_versions as varchar)
            || ' versions (status, unresolved cells, cell count), then latest ingested'
        else 'superseded by ' || current_report_id
    end as version_note
from with_current
