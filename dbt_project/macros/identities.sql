{# Whether `identity` is one of the identities that chose or derived a cell's value (resolved_by lists them,
   comma-separated: I3, I2,I3): the identity cannot be verified on that cell. #}
{% macro chose(resolved_by, identity) -%}
    ({{ dbt.concat(["','", resolved_by, "','"]) }} like {{ dbt.concat(["'%,'", identity, "',%'"]) }})
{%- endmacro %}

{# A cell the loader could not read: unresolved, or text where a number belongs (not a blank or a dash). #}
{% macro is_unread(alias) -%}
    {{ alias }}.value is null and ({{ alias }}.is_unresolved or {{ alias }}.value_kind not in ('blank', 'dash'))
{%- endmacro %}

{# The state of one term cell of an identity (int_identity_within_report): which cell, whether it is a
   blank the report printed, a cell the loader could not read (and why), and the identity that chose its
   value when it was cut from a glued run. #}
{% macro term_state() -%}
    cells.row_key || '/' || cells.col_key as cell,
        cells.value is null and not cells.is_unresolved and cells.value_kind in ('blank', 'dash') as is_blank,
        {{ is_unread('cells') }} as is_unread,
        coalesce(cells.unresolved_reason, 'printed 「' || cells.raw_text || '」') as why_unread,
        cells.resolved_by
{%- endmacro %}

{# Each cell of `relation` as a term of the identities it belongs to: once as a term of the column identities
   (I1, I2 sum rows down a column: found by its row) and once as a term of the row identities (I3, I4 sum
   columns along a row: found by its column); unit_key is the column or row the identity runs along. #}
{% macro identity_term_rows(relation) -%}
    select
        cells.report_id,
        cells.ingested_at,
        terms.identity_id,
        terms.table_id,
        terms.axis,
        cells.unit_key,
        terms.side,
        cells.value,
        cells.char_offset,
        {{ term_state() }}
    from (
        -- the keys computed before the join, so that it is one hash join on equal columns
        select
            rows_.*,
            axes.axis,
            case when axes.axis = 'col' then rows_.row_key else rows_.col_key end as term_key,
            case when axes.axis = 'col' then rows_.col_key else rows_.row_key end as unit_key
        from {{ relation }} as rows_
        cross join (select 'col' as axis union all select 'row' as axis) as axes
    ) as cells
    inner join {{ ref('identity_terms') }} as terms
        on cells.table_id = terms.table_id
        and cells.axis = terms.axis
        and cells.term_key = terms.term_key
{%- endmacro %}
