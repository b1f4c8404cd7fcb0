"""The seeds are consistent with each other: every key one seed names is defined by the seed that owns it."""
from __future__ import annotations

import csv

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
