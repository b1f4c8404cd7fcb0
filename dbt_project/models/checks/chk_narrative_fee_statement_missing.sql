-- narrative.fee_statement_missing: see _checks.yml.
with reports as (

    select report_id from {{ ref('dim_report') }}
    where {{ in_check_scope() }} and status <> 'rejected' and template = '2021'

),

fee_notices as (

    select cells.report_id, cells.value, cells.char_offset
    from {{ ref('stg_report_cells') }} as cells
    inner join reports on cells.report_id = reports.report_id
    where cells.table_id = 't3' and cells.row_key = 'other_overdue_fee' and cells.col_key = 'total'
        and not cells.is_unresolved and cells.value > 0

),

narrative as (

    select
        report_id,
        bool_or(section_key = 's6') as has_six,
        -- 六 speaking of fees, or 信息处理费 anywhere (一 may also list 行政事业性收费 among what it disclosed)
        bool_or(regexp_matches(body, '处理费')
            or (section_key = 's6' and regexp_matches(body, '收费|收取[^。；]{0,12}费|缴费|费用'))) as states_fees
    from {{ ref('stg_report_sections') }}
    where {{ in_check_scope() }} and section_key in ('s1', 's5', 's6')
    group by report_id

),

-- Only where 六 was read: a narrative not found says nothing of what the report says.
unstated as (

    select fee_notices.*
    from fee_notices
    inner join narrative on fee_notices.report_id = narrative.report_id
    where narrative.has_six and not narrative.states_fees

)

{% call check_rows('unstated', 'true', table_id="'t3'", row_key="'other_overdue_fee'", col_key="'total'",
                   actual='value', char_offset='char_offset') %}
    'table 3 counts ' || {{ num('value') }} || ' application(s) closed for fees not paid after a fee '
        || 'notice (逾期未按收费通知要求缴纳费用), but the narrative (一, 五, 六) says nothing of the 信息处理费 charged '
        || '(国办函〔2020〕109号)'
{% endcall %}
