-- Every check model's rows, as findings an analyst can trace: the check's id, family and severity (its meta in
-- models/checks/_checks.yml) and the kind its family has (seeds/check_families.csv), the report's agency and year,
-- and the source text around the cell.
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

{%- set found_rows -%}
    {%- for check in checks %}
    select
        '{{ check.meta.check_id }}' as check_id,
        '{{ check.meta.family }}' as family,
        '{{ check.meta.severity }}' as severity,
        report_id, table_id, row_key, col_key, expected, actual, delta, message, char_offset
    from {{ check.relation }}
    {%- if check.meta.scope != 'warehouse' %}
    where {{ in_check_scope() }}
    {%- endif %}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
{%- endset %}

with found as (

    {{ found_rows }}

),

-- A renamed check's findings keep the id its former name gave them: reviewers' decisions stay with them.
identified as (

    select
        found.*,
        families.kind,
        md5(concat_ws('|', coalesce(renames.former_check_id, found.check_id), found.report_id, found.table_id,
                      found.row_key, found.col_key, cast(found.char_offset as varchar))) as finding_id
    from found
    left join {{ ref('check_families') }} as families on families.family = found.family
    left join {{ ref('check_renames') }} as renames on renames.check_id = found.check_id

),

{% if is_incremental() %}
seen_before as (

    select finding_id, first_seen_run, first_seen_at from {{ this }}

),
{% endif %}

reports as (

    select report_id, agency, year from {{ ref('dim_report') }}

),

-- The snippet: the text around each finding's cell. A report's text is joined to one row holding all its
-- findings' offsets, read again from the check models, so that no hash table holds the texts: a million of
-- them are gigabytes, and a full re-check of a national warehouse ran out of memory joining them to 4 M findings.
finding_offsets as (

    select report_id, array_agg(distinct char_offset) as char_offsets
    from (

        {{ found_rows }}

    ) as found_again
    where char_offset is not null
    group by report_id

),

snippets as (

    select
        finding_offsets.report_id,
        offsets.char_offset,
        replace(substr(sources.normalised_text, greatest(offsets.char_offset - 40, 0) + 1, 120), chr(9), ' ') as snippet
    from {{ source('raw', 'report_sources') }} as sources
    inner join finding_offsets on sources.report_id = finding_offsets.report_id
    cross join unnest(finding_offsets.char_offsets) as offsets (char_offset)

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
    snippets.snippet,
    {%- if is_incremental() %}
    coalesce(seen_before.first_seen_run, '{{ invocation_id }}') as first_seen_run,
    coalesce(
        seen_before.first_seen_at, cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)
    ) as first_seen_at,
    seen_before.finding_id is null as is_new
    {%- else %}
    '{{ invocation_id }}' as first_seen_run,
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as first_seen_at,
    true as is_new
    {%- endif %}
from identified
left join reports on reports.report_id = identified.report_id
left join snippets
    on identified.report_id = snippets.report_id
    and identified.char_offset = snippets.char_offset
{%- if is_incremental() %}
-- Both branches of is_incremental() are linted apart: the join and the columns it gives come together.
left join seen_before on seen_before.finding_id = identified.finding_id  -- noqa: ST11
{%- endif %}
