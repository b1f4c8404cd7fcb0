{# Incremental models hold rows per report and remember, through their ingested_at column, the newest
   report they have read. On an incremental run they read the reports ingested since then — that
   newest one included, so equal timestamps are never skipped; rebuilding its rows is harmless
   because these models replace rows by key (delete+insert). #}
{% macro ingested_since_last_build(column='ingested_at') -%}
    {%- if is_incremental() -%}
    where {{ column }} >= (
        select coalesce(max(ingested_at), cast('1900-01-01' as timestamp)) from {{ this }}
    )
    {%- endif -%}
{%- endmacro %}

{# Post-hook of the models that hold only current reports: when a corrected re-publication becomes
   current, the rows of the version it supersedes go. #}
{% macro delete_superseded_reports(columns=['report_id']) -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where {% for column in columns %}{{ column }} in (
        select report_id from {{ ref('int_report_versions') }} where not is_current
    ){{ ' or ' if not loop.last }}{% endfor %}
    {%- endif -%}
{%- endmacro %}
