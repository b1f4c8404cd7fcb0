-- A re-published or corrected report gives an agency two reports for one year. Which one is current
-- is decided by the content alone, never by when or in which order the files were ingested, so the
-- same folder gives the same warehouse whatever the workers, chunks or runs:
--   1. the most complete: loaded before partial, then fewer unresolved cells, then more cells;
--   2. then the latest signing date printed at the end of the report (printed_date; undated last);
--   3. then the lowest content hash (sha256): arbitrary, but stable.
-- version_note says which of these decided. When the versions' numbers differ, the check
-- structure.conflicting_versions says where, so a choice made by rule 3 is never silent.

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
        printed_date,
        count(*) over (partition by agency, year) as n_versions,
        row_number() over (
            partition by agency, year
            order by
                case when status = 'loaded' then 0 else 1 end,
                n_unresolved,
                n_cells desc,
                printed_date desc nulls last,
                sha256
        ) as version_rank
    from reports

),

with_next as (

    select
        ranked.*,
        first_value(report_id) over by_rank as current_report_id,
        lead(status) over by_rank as next_status,
        lead(n_unresolved) over by_rank as next_unresolved,
        lead(n_cells) over by_rank as next_cells,
        lead(printed_date) over by_rank as next_printed_date
    from ranked
    window by_rank as (partition by agency, year order by version_rank)

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
            || ' versions (status, unresolved cells, cell count), then the latest signing date, then the lowest '
            || 'content hash; decided here by '
            || case
                when (status = 'loaded') <> (next_status = 'loaded') then 'status (' || status || ' vs ' || next_status || ')'
                when n_unresolved <> next_unresolved then 'fewer unresolved cells ('
                    || cast(n_unresolved as varchar) || ' vs ' || cast(next_unresolved as varchar) || ')'
                when n_cells <> next_cells then 'more cells (' || cast(n_cells as varchar) || ' vs '
                    || cast(next_cells as varchar) || ')'
                when printed_date is not null and (next_printed_date is null or printed_date > next_printed_date)
                    then 'the later signing date (' || cast(printed_date as varchar) || ' vs '
                    || coalesce(cast(next_printed_date as varchar), 'none printed') || ')'
                else 'the content hash (equally complete, not dated apart)'
            end
        else 'superseded by ' || current_report_id
    end as version_note
from with_next
