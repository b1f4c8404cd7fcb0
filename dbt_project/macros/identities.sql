{# The state of one term cell of an identity (int_identity_within_report): which cell, whether it is a
   blank the report printed, a cell the loader could not read (and why), and the identity that chose its
   value when it was cut from a glued run. #}
{% macro term_state() -%}
    cells.row_key || '/' || cells.col_key as cell,
        cells.value is null and not cells.is_unresolved and cells.value_kind in ('blank', 'dash') as is_blank,
        cells.value is null and (cells.is_unresolved or cells.value_kind not in ('blank', 'dash')) as is_unread,
        coalesce(cells.unresolved_reason, 'printed 「' || cells.raw_text || '」') as why_unread,
        cells.resolved_by
{%- endmacro %}
