-- A report with an error must score below every report without one: one error costs more than all warnings and
-- info findings together can (reference.severities).
select
    severity,
    points
from {{ ref('severities') }}
where
    severity = 'error'
    and points <= (
        select sum(max_points) from {{ ref('severities') }}
        where severity <> 'error'
    )
