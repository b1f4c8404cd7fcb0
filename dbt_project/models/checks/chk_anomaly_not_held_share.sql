-- anomaly.not_held_share: see _checks.yml.
{{ config(materialized='table') }}
-- Peers are compared over the whole warehouse: rebuilt whole on every check run.

with agency_years as (

    select * from {{ ref('fct_agency_year') }}

),

shares as (

    select
        agency_years.report_id,
        agency_years.agency,
        agency_years.year,
        agencies.level,
        agency_years.total_processed,
        applications.applications / agency_years.total_processed as share
    from agency_years
    inner join {{ ref('dim_agency') }} as agencies on agencies.agency = agency_years.agency
    inner join {{ ref('fct_applications') }} as applications
        on applications.report_id = agency_years.report_id
        and applications.outcome = 'unable_not_held'
        and applications.applicant_type = 'total'
    where agency_years.total_processed >= 20 and applications.applications is not null

),

peers as (

    select level, year, median(share) as med, count(*) as n_peers
    from shares
    group by level, year

),

spread as (

    select shares.level, shares.year, median(abs(shares.share - peers.med)) as mad
    from shares
    inner join peers on peers.level = shares.level and peers.year = shares.year
    group by shares.level, shares.year

)

{% set message -%}
    '本机关不掌握 is ' || cast(cast(round(100 * shares.share) as integer) as varchar)
        || '% of processed applications; peers (' || shares.level || ', ' || cast(shares.year as varchar)
        || ') median ' || cast(cast(round(100 * peers.med) as integer) as varchar) || '%'
{%- endset %}
select
    {{ finding(message, table_id="'t3'", row_key="'unable_not_held'", col_key="'total'", expected='peers.med',
               actual='shares.share', delta='shares.share - peers.med', report_id='shares.report_id') }}
from shares
inner join peers on peers.level = shares.level and peers.year = shares.year
inner join spread on spread.level = shares.level and spread.year = shares.year
where peers.n_peers >= 10 and abs(shares.share - peers.med) > greatest(4 * 1.4826 * spread.mad, 0.2)
