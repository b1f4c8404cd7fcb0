-- When each report was published, as near as its text tells: the web page's 发布时间 (page_date), else the
-- date it is signed with (printed_date); and the deadline for its agency's level (reference
-- publication_deadlines; 条例 第四十九条). Each date is traced to where the text prints it.

with reports as (

    select report_id, agency, year, page_date, printed_date from {{ ref('dim_report') }}
    where status <> 'rejected' and year is not null and coalesce(page_date, printed_date) is not null

),

dated as (

    select
        reports.*,
        coalesce(reports.page_date, reports.printed_date) as published_on,
        case when reports.page_date is not null then 'page 发布时间' else 'signing date' end as published_by,
        agencies.level,
        deadlines.month is not null as has_deadline,
        make_date(reports.year + 1, coalesce(deadlines.month, 3), coalesce(deadlines.day, 31)) as deadline,
        deadlines.basis
    from reports
    left join {{ ref('dim_agency') }} as agencies on reports.agency = agencies.agency
    left join {{ ref('publication_deadlines') }} as deadlines on agencies.level = deadlines.level

),

located as (

    select
        dated.*,
        -- the page's label near the top; the signing date's last printing (the signature ends the report)
        nullif(strpos(left(sources.normalised_text, 2000),
            case when strpos(left(sources.normalised_text, 2000), '发布时间') > 0 then '发布时间' else '发布日期' end), 0)
            - 1 as page_offset,
        nullif(strpos(reverse(sources.normalised_text), reverse(strftime(dated.printed_date, '%Y年%-m月%-d日'))), 0)
            as signed_from_end,
        length(sources.normalised_text) as text_length
    from dated
    inner join {{ source('raw', 'report_sources') }} as sources on dated.report_id = sources.report_id

)

select
    report_id,
    agency,
    year,
    level,
    published_on,
    published_by,
    has_deadline,
    deadline,
    basis,
    printed_date,
    case
        when published_by = 'page 发布时间' then page_offset
        else text_length - signed_from_end - length(strftime(printed_date, '%Y年%-m月%-d日')) + 1
    end as char_offset,
    text_length - signed_from_end - length(strftime(printed_date, '%Y年%-m月%-d日')) + 1 as signed_offset
from located
