-- Exactly one current report for every agency and year that has any report.
select agency, year, count(case when is_current then 1 end) as n_current
from {{ ref('int_report_versions') }}
group by agency, year
having count(case when is_current then 1 end) <> 1
