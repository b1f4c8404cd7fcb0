-- identity.no_consistent_reading: see chk_identity_no_consistent_reading.yml.
with conflicts as (

    select * from {{ ref('stg_reading_conflicts') }}
    where {{ in_check_scope() }}

)

select
    report_id,
    table_id,
    row_key,
    col_key,
    cast(null as double) as expected,
    cast(null as double) as actual,
    cast(null as double) as delta,
    identities || ' cannot all hold however the glued digits 「' || raw_text || '」 are read: ' || message as message,
    char_offset
from conflicts
