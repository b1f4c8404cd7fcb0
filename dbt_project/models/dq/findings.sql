-- Every check model's rows, as findings an analyst can trace: the check's id, kind, family and severity
-- (its yml meta), the report's agency and year, and the source text around the cell.
-- Incremental: the findings of the reports in this run's scope (and of the peer comparisons, which read
-- the whole warehouse) are replaced; the others stay as the run that last evaluated them left them.
-- Never rebuilt from scratch (full_refresh: false), so a finding keeps the run that first saw it.

{{ config(
    materialized='incremental',
    unique_key='finding_id',
    incremental_strategy='delete+insert',
    full_refresh=false,
    post_hook="{{ forget_resolved_findings() }}"
) }}

{%- set checks = [] -%}
{%- for name in var('check_models') -%}
    {%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ name) if execute else none -%}
    {%- do checks.append({'relation': ref(name), 'meta': node.config.meta if node else {}}) -%}
{%- endfor %}

with found as (

    {%- for check in checks %}
    select
        '{{ check.meta.check_id }}' as check_id,
        '{{ check.meta.kind }}' as kind,
        '{{ check.meta.family }}' as family,
        '{{ check.meta.severity }}' as severity,
        report_id, table_id, row_key, col_key, expected, actual, delta, message, char_offset
    from {{ check.relation }}
    {%- if check.meta.scope != 'warehouse' %}
    where {{ in_check_scope() }}
    {%- endif %}
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

identified as (

    select
        found.*,
        md5(concat_ws('|', check_id, report_id, table_id, row_key, col_key, cast(char_offset as varchar))) as finding_id
    from found

),

{% if is_incremental() %}
seen_before as (

    select finding_id, first_seen_run, first_seen_at from {{ this }}

),
{% endif %}

reports as (

    select report_id, agency, year from {{ ref('dim_report') }}

),

sources as (

    select report_id, normalised_text from {{ source('raw', 'report_sources') }}

)

select
    '{{ invocation_id }}' as run_id,
    identified.finding_id,
    identified.report_id,
    reports.agency,
    reports.year,
    identified.check_id,
    identified.kind,
    identified.family,
    identified.severity,
    identified.table_id,
    identified.row_key,
    identified.col_key,
    identified.expected,
    identified.actual,
    identified.delta,
    identified.message,
    identified.char_offset,
    case when identified.char_offset is not null then
        replace(substr(sources.normalised_text, greatest(identified.char_offset - 40, 0) + 1, 120), chr(9), ' ')
    end as snippet,
    {%- if is_incremental() %}
    coalesce(seen_before.first_seen_run, '{{ invocation_id }}') as first_seen_run,
    coalesce(seen_before.first_seen_at, cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)) as first_seen_at,
    seen_before.finding_id is null as is_new
    {%- else %}
    '{{ invocation_id }}' as first_seen_run,
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as first_seen_at,
    true as is_new
    {%- endif %}
from identified
left join reports on reports.report_id = identified.report_id
left join sources on sources.report_id = identified.report_id and identified.char_offset is not null
{%- if is_incremental() %}
left join seen_before on seen_before.finding_id = identified.finding_id
{%- endif %}
