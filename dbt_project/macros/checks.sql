{# Helpers of the check models (models/checks): which reports a check run evaluates, and how a finding
   prints a number. #}

{# The reports this check run evaluates (dq.check_scope): every report of each agency with a report
   ingested since the previous check run, so a new year's carry-over is checked against the year before. #}
{% macro in_check_scope(column='report_id') -%}
    {{ column }} in (select report_id from {{ ref('check_scope') }})
{%- endmacro %}

{# Pre-hook of every check model: the rows of the reports in scope go before the run adds what it finds
   for them now; the others stay. A check materialized as a table (peer comparisons over the whole
   warehouse) is rebuilt whole and skips this. #}
{% macro forget_findings_in_scope() -%}
    {%- if is_incremental() -%}
    delete from {{ this }} where {{ in_check_scope() }}
    {%- endif -%}
{%- endmacro %}

{# A number as a finding's message shows it: 107, 0.5, 126337813.74; 'blank' for NULL. #}
{% macro num(expression) -%}
    coalesce(rtrim(rtrim(printf('%.2f', {{ expression }}), '0'), '.'), 'blank')
{%- endmacro %}

{# Post-hook of every check model: its columns are the finding columns, described once on dq.findings;
   those descriptions become the check table's column comments too. #}
{% macro persist_finding_column_docs() -%}
    {%- if execute -%}
    {%- set findings = graph.nodes.values() | selectattr('name', 'equalto', 'findings') | first -%}
    {%- for column in adapter.get_columns_in_relation(this) if column.name in findings.columns %}
    comment on column {{ this }}.{{ adapter.quote(column.name) }} is '{{ findings.columns[column.name].description | replace("'", "''") }}';
    {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{# Post-hook of dq.findings: what this run evaluated and no longer finds goes (the reports in scope, the
   peer comparisons, checks that were removed), and so do the findings of reports no longer in the warehouse
   (`xxgk forget`); what it did not evaluate is no longer new. #}
{% macro forget_resolved_findings() -%}
    {%- if execute -%}
    {%- set warehouse_checks = [] -%}
    {%- set check_ids = [] -%}
    {%- for name in var('check_models') -%}
        {%- set meta = graph.nodes['model.' ~ project_name ~ '.' ~ name].config.meta -%}
        {%- do check_ids.append(meta.check_id) -%}
        {%- if meta.scope == 'warehouse' %}{% do warehouse_checks.append(meta.check_id) %}{% endif -%}
    {%- endfor -%}
    delete from {{ this }}
    where run_id <> '{{ invocation_id }}'
        and ({{ in_check_scope() }}
             or check_id in ('{{ warehouse_checks | join("', '") }}')
             or check_id not in ('{{ check_ids | join("', '") }}')
             or report_id not in (select report_id from {{ ref('dim_report') }}));
    update {{ this }} set is_new = false where run_id <> '{{ invocation_id }}' and is_new
    {%- endif -%}
{%- endmacro %}
