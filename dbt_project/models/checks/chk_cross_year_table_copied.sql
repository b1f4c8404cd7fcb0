-- cross_year.table_copied: see _checks.yml.
with pairs as (

    select * from {{ ref('int_report_pairs') }}
    where {{ in_check_scope() }}

),

cells as (

    select report_id, table_id, row_key, col_key, value, char_offset
    from {{ ref('stg_report_cells') }}
    where table_id in ('t3', 't4') and not is_unresolved and value is not null

),

compared as (

    select
        pairs.report_id,
        pairs.prev_report_id,
        this_year.table_id,
        count(*) as n_cells,
        count(*) filter (where this_year.value = last_year.value) as n_equal,
        count(*) filter (where this_year.value <> 0) as n_nonzero,
        count(distinct this_year.value) as n_values,
        min(this_year.char_offset) as char_offset
    from pairs
    inner join cells as this_year on pairs.report_id = this_year.report_id
    inner join cells as last_year
        on pairs.prev_report_id = last_year.report_id
        and this_year.table_id = last_year.table_id
        and this_year.row_key = last_year.row_key
        and this_year.col_key = last_year.col_key
    group by pairs.report_id, pairs.prev_report_id, this_year.table_id

)

-- Non-trivial: many cells, several of them non-zero and of several values (two tables of zeros are no copy).
{% call check_rows('compared', 'n_equal = n_cells and n_cells >= 15 and n_nonzero >= 5 and n_values >= 3',
                   table_id='table_id', actual='n_equal', char_offset='char_offset') %}
    'table ' || substr(table_id, 2) || ' is last year''s cell for cell: all ' || cast(n_cells as varchar)
        || ' cells read in both equal, ' || cast(n_nonzero as varchar) || ' of them not 0 (previous report '
        || prev_report_id || ')'
{% endcall %}
