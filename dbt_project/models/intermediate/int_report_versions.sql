-- A re-published or corrected report gives an agency two contents for one year. Which one is current is
-- decided by evidence, in this order, never by the content hash:
--   0. an analyst's pin (seed version_pins): their word over any evidence;
--   1. the later signing date printed at the end of the report (printed_date; undated last);
--   2. a 更正/修订 mark printed with the title (revision_mark): the content says it corrects another;
--   3. the later first-seen time (first_seen_at: the ingest that first met the content); files met in the same
--      ingest share it, and the one later in path order counts as seen later (a re-publication's file name
--      usually sorts after the original's: report_v2, report_更正, 2021-03-01_…).
-- So a folder ingested at once gives the same current versions whatever the workers or chunks; a version met by a
-- later ingest (a file added to the folder) wins over an earlier one when nothing printed decides.
-- version_note says which of these decided. When the versions' numbers differ, the check
-- structure.conflicting_versions says where, so the choice is never silent.

with reports as (

    select * from {{ ref('stg_reports') }}
    where status <> 'rejected'
      and agency is not null
      and year is not null

),

pins as (

    select report_id, note from {{ ref('version_pins') }}

),

ranked as (

    select
        reports.report_id,
        reports.agency,
        reports.year,
        reports.printed_date,
        reports.revision_mark,
        reports.first_seen_at,
        reports.source_path,
        pins.note as pin_note,
        count(*) over (partition by reports.agency, reports.year) as n_versions,
        row_number() over (
            partition by reports.agency, reports.year
            order by
                pins.report_id is not null desc,
                reports.printed_date desc nulls last,
                reports.revision_mark is not null desc,
                reports.first_seen_at desc nulls last,
                reports.source_path desc
        ) as version_rank
    from reports
    left join pins on pins.report_id = reports.report_id

),

with_next as (

    select
        ranked.*,
        first_value(report_id) over by_rank as current_report_id,
        lead(pin_note) over by_rank as next_pin_note,
        lead(report_id) over by_rank as next_report_id,
        lead(printed_date) over by_rank as next_printed_date,
        lead(revision_mark) over by_rank as next_revision_mark,
        lead(first_seen_at) over by_rank as next_first_seen_at,
        lead(source_path) over by_rank as next_source_path
    from ranked
    window by_rank as (partition by agency, year order by version_rank)

),

-- Why each version stands above the next one down.
reasons as (

    select
        with_next.*,
        case
            when pin_note is not null and next_pin_note is null
                then 'pinned by an analyst (version_pins: ' || coalesce(nullif(pin_note, ''), 'no note') || ')'
            when printed_date is not null and (next_printed_date is null or printed_date > next_printed_date)
                then 'the later signing date printed (' || cast(printed_date as varchar) || ' vs '
                    || coalesce(cast(next_printed_date as varchar), 'none printed') || ')'
            when revision_mark is not null and next_revision_mark is null
                then 'it is printed as a correction (' || revision_mark || ')'
            -- Not the times themselves (dim_report.first_seen_at has them): the note says which rule decided,
            -- and is the same in any warehouse made from the same files the same way.
            when first_seen_at > next_first_seen_at or (first_seen_at is not null and next_first_seen_at is null)
                then 'first seen later, by a later ingest'
            else 'first seen in the same ingest, later in path order (' || source_path || ' after '
                || next_source_path || ')'
        end as over_next
    from with_next

)

select
    reasons.report_id,
    reasons.agency,
    reasons.year,
    reasons.n_versions,
    reasons.version_rank,
    reasons.version_rank = 1 as is_current,
    case
        when reasons.n_versions = 1 then 'only report for this agency and year'
        when reasons.version_rank = 1 then 'current of ' || cast(reasons.n_versions as varchar)
            || ' versions (by an analyst''s pin, then the later signing date, a 更正/修订 mark, the later first-seen '
            || 'time); over ' || reasons.next_report_id || ': ' || reasons.over_next
        when reasons.version_rank = 2 then 'superseded by ' || reasons.current_report_id || ': ' || above.over_next
        else 'superseded by ' || reasons.current_report_id || '; below ' || above.report_id || ': ' || above.over_next
    end as version_note
from reasons
left join reasons as above
    on above.agency = reasons.agency
    and above.year = reasons.year
    and above.version_rank = reasons.version_rank - 1
