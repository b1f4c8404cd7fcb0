-- One row per canonical agency (raw.agency_names: one agency whatever spelling, script or prefix its reports
-- print), with every name its reports print. Level and parent region are read from the name; where the name does
-- not say, level is 'unknown'.

with agencies as (

    select
        agency,
        count(*) as n_reports,
        min(year) as first_year,
        max(year) as last_year
    from {{ ref('int_report_versions') }}
    where is_current
    group by agency

),

printed as (

    select
        agency,
        min(agency_key) as agency_key,
        {{ sorted_text_agg('printed_agency', ' | ', 'true', distinct=true) }} as printed_names,
        count(distinct printed_agency) as n_printed_names,
        {{ sorted_text_agg('agency_resolved_by', ', ', 'true', distinct=true) }} as resolved_by
    from {{ ref('stg_reports') }}
    where status <> 'rejected' and agency is not null and year is not null
    group by agency

),

regions as (

    select
        agencies.*,
        {{ regexp_extract('agency', '^([^省市区县]{2,7}(省|自治区))') }} as province,
        {{ regexp_extract('agency', '^(?:[^省]{2,7}(?:省|自治区))?([^省市区县]{2,6}市)') }} as city,
        {{ regexp_extract('agency', '^(?:[^省]{2,7}(?:省|自治区))?(?:[^省市区县]{2,6}市)?([^省市区县]{1,6}(?:区|县|旗))') }}
            as county_candidate
    from agencies

),

classified as (

    select
        regions.*,
        case
            when agency like '%开发区%' or agency like '%高新区%' or agency like '%新区%' or agency like '%港区%'
                or agency like '%园区%' or agency like '%管委会%' or agency like '%管理委员会%'
                then 'development_zone'
            when agency like '%街道%' or agency like '%镇人民政府' or agency like '%乡人民政府'
                or agency like '%镇' or agency like '%乡'
                then 'township_street'
            when agency like '%省人民政府' or agency like '%自治区人民政府' then 'province'
            when agency like '%市人民政府' then 'city'
            when agency like '%区人民政府' or agency like '%县人民政府' or agency like '%旗人民政府'
                then 'county_district'
            when agency like '%局' or agency like '%委员会' or agency like '%委' or agency like '%办公室'
                or agency like '%厅' or agency like '%中心' or agency like '%办' or agency like '%院'
                or agency like '%署' or agency like '%所'
                then 'department'
            else 'unknown'
        end as level
    from regions

),

counties as (

    select
        classified.*,
        -- A name like 钱塘新区 or 嘉兴港区 is the zone itself, not the county it sits in.
        case
            when county_candidate like '%新区' or county_candidate like '%港区' or county_candidate like '%园区'
                or county_candidate like '%开发区' then null
            else county_candidate
        end as county
    from classified

)

select
    {{ dbt.hash('counties.agency') }} as agency_id,
    counties.agency,
    printed.agency_key,
    printed.printed_names,
    printed.n_printed_names,
    printed.resolved_by,
    level,
    province,
    city,
    county,
    coalesce(county, city, province) as parent_region,
    n_reports,
    first_year,
    last_year
from counties
left join printed on printed.agency = counties.agency
