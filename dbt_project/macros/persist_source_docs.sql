{# dbt's persist_docs covers models and seeds, not sources: this on-run-end hook writes the descriptions of
   _sources.yml as table and column comments, so `select comment from duckdb_columns()` documents raw.* and
   meta.runs too. Only tables that exist are commented (a build before the first check has no dq.*). #}
{% macro persist_source_docs() %}
    {%- if execute -%}
    {%- for source in graph.sources.values() -%}
        {%- set relation = adapter.get_relation(database=target.database, schema=source.schema,
                                                 identifier=source.identifier) -%}
        {%- if relation is not none -%}
            {%- set existing = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
            {%- call statement('comment_' ~ source.unique_id) -%}
                comment on table {{ relation }} is '{{ source.description | replace("'", "''") }}';
                {%- for column in source.columns.values() if column.name in existing %}
                comment on column {{ relation }}.{{ adapter.quote(column.name) }} is '{{ column.description | replace("'", "''") }}';
                {%- endfor %}
            {%- endcall -%}
        {%- endif -%}
    {%- endfor -%}
    {#- a run-end hook runs in dbt's transaction, which nothing after it commits -#}
    {%- do adapter.commit() -%}
    {%- endif -%}
{% endmacro %}
