-- structure.section_empty: see _checks.yml.
with reports as (

    select report_id, template, printed_agency from {{ ref('dim_report') }}
    where {{ in_check_scope() }} and status <> 'rejected'

),

sections as (

    select * from {{ ref('stg_report_sections') }}
    where {{ in_check_scope() }} and section_key in ('s5', 's6')

),

-- What the section says, without the signature that follows the last one (the agency's name, the date).
said as (

    select
        sections.report_id,
        sections.section,
        sections.char_offset,
        sections.body,
        regexp_replace(
            replace(
                sections.body_words,
                coalesce(regexp_replace(reports.printed_agency, '[\s\p{P}]+', '', 'g'), ''),
                ''
            ),
            '(\d{4}|[〇○零一二三四五六七八九]{4})年[\d一二三四五六七八九十]{1,2}月[\d一二三四五六七八九十]{1,3}日$', ''
        ) as words
    from sections
    inner join reports on sections.report_id = reports.report_id
    -- 六 must state the 信息处理费 from the 2021 format on; before it, 「无」 was a full answer.
    where sections.section_key = 's5' or reports.template = '2021'

)

{% set says_nothing -%}
    regexp_full_match(words, '(本机关|本单位|本部门|我局|我委|我办|我区|我县|我市|本年度|今年|全年)*(暂|均)?(无|没有)'
        || '(其他)?(需要|需)?(报告|说明)?(的)?(事项|情况|问题)?') or words = ''
{%- endset %}
{% call check_rows('said', says_nothing, row_key='section', char_offset='char_offset') %}
    'section ' || section || ' says nothing: 「' || coalesce(nullif(left(body, 60), ''), '(empty)') || '」'
{% endcall %}
