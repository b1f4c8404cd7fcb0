-- Every finding ever seen, with the first and the last check run that found it: a finding that is gone
-- from dq.findings (corrected, or a report superseded) stays here.

{{ config(materialized='incremental', unique_key='finding_id', incremental_strategy='delete+insert',
          full_refresh=false) }}

with this_run as (

    select finding_id, check_id, kind, severity, report_id, run_id, first_seen_run, first_seen_at
    from {{ ref('findings') }}
    where run_id = '{{ invocation_id }}'

)

select
    finding_id,
    check_id,
    kind,
    severity,
    report_id,
    first_seen_run,
    first_seen_at,
    run_id as last_seen_run,
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as last_seen_at
from this_run
