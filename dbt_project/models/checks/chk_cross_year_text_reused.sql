-- cross_year.text_reused: see _checks.yml.
with pairs as (

    select * from {{ ref('int_report_pairs') }}
    where {{ in_check_scope() }}

),

current_reports as (

    select report_id, agency from {{ ref('int_current_reports') }}

),

-- The sentences of 一 and 五, long enough to be written rather than a phrase.
sentences as (

    select report_id, section, body, body_offset, trim(sentence) as sentence
    from (
        select report_id, section, body, body_offset, unnest(string_split_regex(body, '[。！!？?；;\n]')) as sentence
        from {{ ref('stg_report_sections') }}
        where section_key in ('s1', 's5')
    ) as split
    where length(trim(sentence)) >= 20

),

-- The template's and the regulation's own sentences, which every report may print: those printed by
-- the reports of three agencies or more.
boilerplate as (

    select sentences.sentence
    from sentences
    inner join current_reports on sentences.report_id = current_reports.report_id
    group by sentences.sentence
    having count(distinct current_reports.agency) >= 3

),

last_year as (

    select pairs.report_id, sentences.section, sentences.sentence
    from pairs
    inner join sentences on pairs.prev_report_id = sentences.report_id
    where sentences.sentence not in (select sentence from boilerplate)

),

this_year as (

    select sentences.* from sentences
    where sentences.report_id in (select report_id from pairs)

),

matched as (

    select
        last_year.report_id,
        last_year.section,
        last_year.sentence,
        this_year.body_offset + strpos(this_year.body, this_year.sentence) - 1 as found_at
    from last_year
    left join this_year
        on last_year.report_id = this_year.report_id and last_year.sentence = this_year.sentence

),

-- Containment of last year's text in this year's: over 一 and 五 together ('narrative'), and 五 alone.
scopes as (

    select report_id, 'narrative' as scope, sentence, found_at from matched
    union all
    select report_id, '五' as scope, sentence, found_at from matched
    where section = '五'

),

contained as (

    select
        scopes.report_id,
        scopes.scope,
        sum(length(sentence)) as last_year_chars,
        sum(length(sentence)) filter (where found_at is not null) as reused_chars,
        min(found_at) as char_offset,
        any_value(pairs.prev_report_id) as prev_report_id
    from scopes
    inner join pairs on scopes.report_id = pairs.report_id
    group by scopes.report_id, scopes.scope

)

-- Enough of last year's own text to judge (a few sentences), and most of it printed again.
{% call check_rows('contained', 'last_year_chars >= 100 and reused_chars >= 0.8 * last_year_chars',
                   table_id="'narrative'", row_key='scope', actual='round(reused_chars / last_year_chars, 3)',
                   char_offset='char_offset') %}
    case when scope = '五' then 'section 五 (problems and fixes)' else 'the narrative (一 and 五)' end
        || ' repeats last year''s: ' || cast(round(100 * reused_chars / last_year_chars) as varchar)
        || '% of its sentences (' || cast(reused_chars as varchar) || ' of ' || cast(last_year_chars as varchar)
        || ' characters, template sentences left out) are printed again (previous report ' || prev_report_id || ')'
{% endcall %}
