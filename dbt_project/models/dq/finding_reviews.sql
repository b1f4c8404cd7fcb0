-- Every decision reviewers made about a finding, from `xxgk review` (meta.reviews) and from the repository's
-- reference.reviewed_findings; the latest one on a finding is its state (is_current). A view: a decision counts
-- as soon as it is recorded, without a check run.

{{ config(materialized='view') }}

with decisions as (

    select finding_id, decision, note, reviewer, reviewed_at, 'repository' as recorded_in
    from {{ ref('reviewed_findings') }}

    union all

    select finding_id, decision, note, reviewer, reviewed_at, 'xxgk review' as recorded_in
    from {{ source('triage', 'reviews') }}

)

select
    decisions.*,
    row_number() over (partition by finding_id order by reviewed_at desc, recorded_in desc) = 1 as is_current
from decisions
