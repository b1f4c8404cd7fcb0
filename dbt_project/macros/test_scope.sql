{# Data tests on an incremental build read only the reports ingested since the previous build's watermark
   (the run log, meta.runs); a full refresh tests every row. Relations without a report_id column
   (dim_agency, the seeds) and the checks' own small tables (checks.*, dq.*) are always tested whole.
   Overrides dbt's own macro, through which every generic test reads the model it tests.
   The new reports are read from raw.reports and meta.runs, which only xxgk writes: looking up a model here
   (stg_reports) raced with the dbt thread rebuilding it ("Table with name None does not exist"). #}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if execute and not where and not flags.FULL_REFRESH and relation.schema not in ('checks', 'dq') -%}
        {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
        {%- if 'report_id' in columns -%}
            {%- set reports = api.Relation.create(database=target.database, schema='raw', identifier='reports') -%}
            {%- set runs = api.Relation.create(database=target.database, schema='meta', identifier='runs') -%}
            {%- set where -%}
                report_id in (select report_id from {{ reports }}
                              where ingested_at >= (select coalesce(max(watermark), cast('1900-01-01' as timestamp))
                                                    from {{ runs }} where stage = 'build'))
            {%- endset -%}
        {%- endif -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
