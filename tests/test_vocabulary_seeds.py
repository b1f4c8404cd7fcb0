"""The seeds are consistent with each other: every key one seed names is defined by the seed that owns it."""
from __future__ import annotations

import csv
import re

import pytest

from loaders import vocabulary as V
from loaders.vocabulary import VOCABULARY


def rows(name: str) -> list[dict[str, str]]:
    with open(VOCABULARY / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def keys(name: str, column: str) -> set[str]:
    return {r[column] for r in rows(name)}


@pytest.mark.parametrize("term", rows("identity_terms"), ids=lambda t: f"{t['identity_id']}:{t['term_key']}")
def test_an_identity_term_is_a_key_of_its_table(term):
    """An identity per column adds rows, one per row adds columns: each term is a key of that table."""
    assert term["identity_id"] in keys("identities", "identity_id")
    owner, column = ("rows", "row_key") if term["axis"] == "col" else ("columns", "col_key")
    assert term["term_key"] in keys(f"{term['table_id']}_{owner}", column)
    assert term["side"] in ("lhs", "rhs")


def test_every_identity_has_terms_on_both_sides():
    sides = {(t["identity_id"], t["side"]) for t in rows("identity_terms")}
    assert {i for i, _ in sides} == {i for i, _ in sides if (i, "lhs") in sides and (i, "rhs") in sides}


@pytest.mark.parametrize("section", ["s1", *V.SECTION_ORDER])
def test_every_section_has_heading_words_and_every_table_its_own_words(section):
    assert V.HEADING_KEYS[section]
    if section.startswith("t"):
        assert V.TABLE_WORDS[section]
        assert sum(w in V.FLAT_PAGE_WORDS for w in V.TABLE_WORDS[section]) == 1  # one word marks a flat page


def test_section_words_name_known_sections_and_no_word_twice_for_one_use():
    words = rows("section_words")
    assert {w["section"] for w in words} == {"s1", *V.SECTION_ORDER}
    assert len({(w["kind"], w["word"]) for w in words}) == len(words)
    assert sorted(int(w["sort_order"]) for w in words) == list(range(1, len(words) + 1))


def test_severities_rank_error_first_and_an_error_outweighs_all_else():
    by = {r["severity"]: r for r in rows("severities")}
    assert [s for s, _ in sorted(by.items(), key=lambda kv: int(kv[1]["sort_order"]))] == ["error", "warning", "info"]
    assert int(by["error"]["points"]) > sum(int(by[s]["max_points"]) for s in ("warning", "info"))


def test_the_loader_reads_the_identities_of_the_seeds_whole():
    """vocabulary.IDENTITIES, which the loader's arithmetic and the synthetic corpus test cells against, holds every
    identity of identity_terms.csv with its terms on their sides: the ones the dbt checks verify."""
    terms = rows("identity_terms")
    assert {i.identity_id for i in V.IDENTITIES} == {t["identity_id"] for t in terms} <= keys("identities", "identity_id")
    for i in V.IDENTITIES:
        mine = [t for t in terms if t["identity_id"] == i.identity_id]
        assert {(t["table_id"], t["axis"]) for t in mine} == {(i.table_id, i.axis)}
        assert i.lhs == tuple(t["term_key"] for t in mine if t["side"] == "lhs")
        assert i.rhs == tuple(t["term_key"] for t in mine if t["side"] == "rhs")
    assert V.IDENTITIES[0] == ("I1", "t3", "col", ("new_received", "carried_over"), ("total_processed", "carried_forward"))


@pytest.mark.parametrize("row", rows("t3_rows"), ids=lambda r: r["row_key"])
def test_a_table_3_label_as_the_template_prints_it_names_its_row(row):
    assert V.t3_row_key(V.norm_label(row["label"]), None) == row["row_key"]


def test_table_3_groups_are_printed_once_around_rows_that_share_their_number():
    """A group's rows follow each other (its heading is printed once, beside the first), and a numbered row
    ((三)1.属于国家秘密) carries its group's number."""
    t3 = V.seed_rows("t3_rows")
    runs = [g for k, g in enumerate(r["group_label"] for r in t3) if k == 0 or g != t3[k - 1]["group_label"]]
    groups = [g for g in runs if g]
    assert groups == ["三、本年度办理结果", "（三）不予公开", "（四）无法提供", "（五）不予处理", "三、本年度办理结果",
                      "（六）其他处理", "三、本年度办理结果"]  # （三）…（六） nest inside 三、, around （六）其他处理 of 2019
    for r in t3:
        if r["label"][:3] in {g[:3] for g in groups} and r["label"][3:4].isdigit():
            assert r["group_label"][:3] == r["label"][:3], r["row_key"]
    # A group heading carries no values, but （六）其他处理, which the 2019 template prints as a row.
    assert V.T3_GROUPS == ("本年度办理结果", "不予公开", "无法提供", "不予处理")


def test_table_3_header_words_name_no_row():
    row_fragments = {f for _, fragments in V.T3_ROWS for f in fragments}
    assert not V.T3_HEADER_WORDS & row_fragments
    assert {"申请人情况", "自然人", "法人或其他组织", "合计"} <= V.T3_HEADER_WORDS
    assert all(V.t3_row_key(V.norm_label(w), None) is None for w in V.HEADER_WORDS["t3"])


@pytest.mark.parametrize("block", rows("t4_rows"), ids=lambda r: r["row_key"])
def test_a_table_4_block_is_named_by_its_own_label_alone(block):
    """Blocks are tried from the last, whose words hold an earlier one's: each label still names its own block."""
    assert V.t4_block(block["label"]) == block["row_key"]
    assert V.t4_block(f"{block['group_label']}（{block['label']}）") == block["row_key"]


def test_a_table_4_result_label_holds_its_word_and_no_block_word():
    for c in rows("t4_columns"):
        assert all(w in c["label"] for w in c["fragments"].split("|")), c["col_key"]
        assert V.t4_block(c["label"]) is None, c["col_key"]
    assert V.T4_RESULT_WORDS == ("维持", "纠正", "其他结果", "尚未审结", "总计")


@pytest.mark.parametrize("title", rows("report_section_titles"), ids=lambda r: r["section_key"])
def test_a_sections_printed_title_holds_one_of_its_heading_words(title):
    """The synthetic corpus prints the titles (一、总体情况 …): the loader must find them by the section's words."""
    assert title["section_key"] in {"s1", *V.SECTION_ORDER}
    assert any(w in title["title"] for w in V.HEADING_KEYS[title["section_key"]])


def test_every_severity_a_check_declares_has_its_points_gx_word_and_colours():
    import yaml

    declared = {m["config"]["meta"]["severity"]
                for path in (VOCABULARY.parent / "models" / "checks").glob("*.yml")
                for m in (yaml.safe_load(path.read_text("utf-8")) or {}).get("models", [])
                if "severity" in m.get("config", {}).get("meta", {})}
    severities = {r["severity"]: r for r in rows("severities")}
    assert declared == set(severities) == {"error", "warning", "info"}
    assert {s: r["gx_severity"] for s, r in severities.items()} == {"error": "critical", "warning": "warning",
                                                                    "info": "info"}
    colours = [r[c] for r in severities.values() for c in ("colour", "tint")]
    assert len(set(colours)) == 6 and all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colours)


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_every_table_2_column_is_printed_by_a_sub_table_of_its_template(template):
    """A column's items of article 20 are those its template's rows are printed under, and each sub-table has columns."""
    items = {r["article_item"] for r in rows("t2_rows") if r["templates"] in ("both", template)}
    columns = [c for c in rows("t2_columns") if c["template"] == template]
    printed = {item for c in columns for item in c["article_items"].split("|")}
    assert printed == items
    assert len(items) == {"2019": 5, "2021": 4}[template]
