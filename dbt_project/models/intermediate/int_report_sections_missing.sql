-- The narrative sections (一, 五, 六) not found in a report, and whether the report lacks them or the reader
-- missed them. A section's content swallowed by the section found before it (its words, reference
-- report_section_titles.evidence, are there) means its heading was not read: an extraction finding. So does a
-- second section missing: the reader lost its way. Only a lone missing section whose words are nowhere before
-- the next heading is the agency's omission. For 一 the text before the first section found stands in for the
-- section before it, and a few words there (a title, a preface) are no overview.

with reports as (

    select report_id, status from {{ ref('stg_reports') }}
    where status <> 'rejected'

),

sections as (

    select sections.*, titles.sort_order
    from {{ ref('stg_report_sections') }} as sections
    inner join {{ ref('report_section_titles') }} as titles on sections.section_key = titles.section_key

),

n_missing as (

    select reports.report_id, 6 - count(sections.section_key) as n_missing
    from reports
    left join sections on reports.report_id = sections.report_id
    group by reports.report_id

),

missing as (

    select reports.report_id, titles.*
    from reports
    cross join {{ ref('report_section_titles') }} as titles
    where titles.is_narrative
        and not exists (
            select 1 from sections
            where sections.report_id = reports.report_id and sections.section_key = titles.section_key
        )

),

neighbours as (

    select
        missing.report_id,
        missing.section_key,
        arg_max(sections.body, sections.sort_order) filter (where sections.sort_order < missing.sort_order)
            as body_before,
        arg_min(sections.char_offset, sections.sort_order) filter (where sections.sort_order > missing.sort_order)
            as next_offset,
        max(sections.body_offset + length(sections.body)) filter (where sections.sort_order < missing.sort_order)
            as end_before,
        min(sections.char_offset) as first_offset
    from missing
    left join sections on missing.report_id = sections.report_id
    group by missing.report_id, missing.section_key

),

-- Only for a missing 一: the text before the first section found.
preambles as (

    select
        neighbours.report_id,
        substr(sources.normalised_text, 1, coalesce(neighbours.first_offset, 0)) as preamble
    from neighbours
    inner join {{ source('raw', 'report_sources') }} as sources on neighbours.report_id = sources.report_id
    where neighbours.section_key = 's1'

)

select
    missing.report_id,
    missing.section_key,
    missing.numeral as section,
    missing.title,
    n_missing.n_missing,
    coalesce(neighbours.body_before, preambles.preamble) as text_before,
    coalesce(neighbours.next_offset, neighbours.end_before, 0) as char_offset,
    case
        when n_missing.n_missing > 1 then 'sections ' || cast(n_missing.n_missing as varchar) || ' of 6 not found'
        when regexp_matches(coalesce(neighbours.body_before, preambles.preamble, ''), missing.evidence)
            then 'its words (' || missing.evidence || ') are in the section before it: its heading was not read'
        when missing.section_key = 's1'
            and length(regexp_replace(coalesce(preambles.preamble, ''), '[\s\p{P}]+', '', 'g')) >= 100
            then 'the text before 二 may be an overview without its heading'
    end as not_read_because
from missing
inner join n_missing on missing.report_id = n_missing.report_id
left join neighbours on missing.report_id = neighbours.report_id and missing.section_key = neighbours.section_key
left join preambles on missing.report_id = preambles.report_id and missing.section_key = 's1'
