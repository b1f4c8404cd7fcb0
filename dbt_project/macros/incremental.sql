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

{# The rows of a per-report relation (cells, facts) for the reports this run reads: all of them on a
   full build, those ingested since the last build otherwise; each row carries its report's
   ingested_at, which the incremental model keeps. #}
{% macro rows_of_reports_since_last_build(relation, where=none) -%}
    select rows_.*, reports_.ingested_at
    from {{ relation }} as rows_
    inner join (
        select report_id, ingested_at from {{ ref('stg_reports') }}
        {{ ingested_since_last_build() }}
    ) as reports_
        on rows_.report_id = reports_.report_id
    {% if where %}where {{ where }}{% endif %}
{%- endmacro %}
