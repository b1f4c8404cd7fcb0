-- narrative.wrong_year: see _checks.yml.
with reports as (

    select report_id, year from {{ ref('dim_report') }}
    where {{ in_check_scope() }} and status <> 'rejected' and year is not null

),

sections as (

    select report_id, section, section_key, body, body_offset from {{ ref('stg_report_sections') }}
    where {{ in_check_scope() }} and section_key in ('s1', 's5', 's6')

),

-- The statements of the narrative, each with the year it opens with: 「2022年，本单位…」, 「本单位2022年度…」.
clauses as (

    select
        report_id, section, section_key, body, body_offset,
        unnest(string_split_regex(body, '[。；;！!？?\n]')) as clause
    from sections

),

dated as (

    select
        clauses.*,
        reports.year,
        try_cast(nullif(
            regexp_extract(clause, '^\s*[^，,、\d《（(〔\[]{0,8}?((?:19|20)\d{2})\s*年(?:度)?(?:[^\d月]|$)', 1), ''
        ) as integer)
            as stated_year
    from clauses
    inner join reports on clauses.report_id = reports.report_id

),

-- A year that is neither the report's nor introduced as another's: the first of each section.
wrong as (

    select
        *,
        body_offset + strpos(body, clause) - 1 + strpos(clause, cast(stated_year as varchar)) - 1 as char_offset
    from dated
    where stated_year is not null
        and stated_year <> year
        -- the year after is the plans' (「2024年，我区将…」); the year before is what 五 reports fixed (2021 format)
        and stated_year <> year + 1
        and not (section_key = 's5' and stated_year = year - 1)
        -- a comparison, a period or a document introduces another year
        and not regexp_matches(clause, '较|比|同比|上年|去年|上一年|以来|相比|截至|截止|至今|期间|报告|条例|办法|规定|通知|意见|〔')
    qualify row_number() over (partition by report_id, section order by char_offset) = 1

)

{% call check_rows('wrong', 'true', row_key='section', expected='year', actual='stated_year',
                   delta='stated_year - year', char_offset='char_offset') %}
    'section ' || section || ' of the ' || cast(year as varchar) || ' report speaks of ' || cast(stated_year as varchar)
        || ' as its own year: 「' || left(trim(clause), 60) || '」'
{% endcall %}
