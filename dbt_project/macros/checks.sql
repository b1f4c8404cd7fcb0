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

{# The finding columns every check model returns, in the order and types of their contract
   (models/checks/_checks.yml): a check names what it has, the rest is NULL.
   finding("'row ' || row_key || ' …'", table_id='table_id', row_key='row_key') #}
{% macro finding(message, table_id='null', row_key='null', col_key='null', expected='null', actual='null',
                 delta='null', char_offset='null', report_id='report_id') -%}
    {{ report_id }} as report_id,
    cast({{ table_id }} as varchar) as table_id,
    cast({{ row_key }} as varchar) as row_key,
    cast({{ col_key }} as varchar) as col_key,
    cast({{ expected }} as double) as expected,
    cast({{ actual }} as double) as actual,
    cast({{ delta }} as double) as delta,
    cast({{ message }} as varchar) as message,
    cast({{ char_offset }} as integer) as char_offset
{%- endmacro %}

{# A check over one relation: a finding per row of `relation` in this run's scope where `where` holds (per group,
   with `group_by`). The call block's body is the message; the other finding columns are named by keyword, as
   finding() takes them.
   {% call check_rows(ref('dim_report'), "status = 'rejected'") %} source_path || ': ' || error {% endcall %} #}
{% macro check_rows(relation, where, group_by=none) -%}
select
    {{ finding(caller() | trim, **kwargs) }}
from {{ relation }}
where {{ in_check_scope() }}
    and ({{ where }})
{%- if group_by %}
group by {{ group_by }}
{%- endif %}
{%- endmacro %}

{# An identity check (seeds/identities.csv): a finding per unit (column, row or block) where the identity's two
   sides differ over cells that all hold a number — read with certainty, within a report; across years, in
   both reports. The call block's body is the message, over the sides lhs and rhs.
   {% call identity_check('I1') %} 'I1 fails for column ' || col_key {% endcall %} #}
{% macro identity_check(identity_id, across_years=false) -%}
{%- set message = caller() | trim -%}
{%- set sides = ref('int_identity_across_years') if across_years else ref('int_identity_within_report') -%}
{%- set where = "identity_id = '" ~ identity_id ~ "' and is_complete" ~ ("" if across_years else " and is_read")
                ~ " and delta <> 0" -%}
{%- call check_rows(sides, where, table_id='table_id', row_key='row_key', col_key='col_key', expected='rhs',
                    actual='lhs', delta='delta', char_offset='anchor_offset') -%}
{{ message }}
{%- endcall -%}
{%- endmacro %}
