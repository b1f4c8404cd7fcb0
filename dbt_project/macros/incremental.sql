{# The run log (meta.runs, written by xxgk) holds each stage's watermark: when the newest report in the
   warehouse was ingested as the stage started. An incremental model reads the reports ingested from the
   previous build's watermark on — that newest report included, so equal timestamps are never skipped;
   rebuilding its rows is harmless because these models replace rows by key (delete+insert). #}
{% macro last_watermark(stage) -%}
    (select coalesce(max(watermark), cast('1900-01-01' as timestamp)) from {{ source('meta', 'runs') }}
     where stage = '{{ stage }}')
{%- endmacro %}

{% macro ingested_since_last_build(column='ingested_at') -%}
    {%- if is_incremental() -%}
    where {{ column }} >= {{ last_watermark('build') }}
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
   ingested_at. #}
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
