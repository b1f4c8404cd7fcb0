"""Canonical keys (canonical-keys.md) and the label fragments that identify them.

The vocabulary lives in one place, the dbt seeds (``dbt_project/seeds/t{2,3,4}_{rows,columns}.csv``),
which dbt loads into ``reference.*`` for the marts, the checks and the dashboard: row and column
labels, the fragments that identify them in print, template membership, money columns and display
order. This module reads the same files.

Labels are matched after ``norm_label``: NFKC, simplified script, no whitespace or punctuation. The
longest fragment found in a label names its key; a label with no fragment (a typo such as
其他法律行政止公开) is matched to the closest canonical label only when no other label comes close.
"""
from __future__ import annotations

import csv
import os
import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from .patterns import LABEL_NUMBERING

VOCABULARY = Path(os.environ.get("XXGK_VOCABULARY", Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"))

_STRIP = re.compile(r"[\s\u3000\xa0:：、.．·,，。;；\"“”'‘’]+")


@lru_cache(maxsize=8192)  # the same labels recur in every report
def norm_label(text: str) -> str:
    """Fold a label for matching.

    >>> norm_label("（三）\\n不予公开 ")
    '(三)不予公开'
    """
    return _STRIP.sub("", unicodedata.normalize("NFKC", text))


def seed_rows(name: str) -> list[dict[str, str]]:
    """The rows of the seed ``name``, in its sort_order (the synthetic corpus prints from them too)."""
    with open(VOCABULARY / f"{name}.csv", encoding="utf-8", newline="") as f:
        return sorted(csv.DictReader(f), key=lambda r: int(r["sort_order"]))


def _fragments(rows: list[dict[str, str]], key: str) -> list[tuple[str, tuple[str, ...]]]:
    """(key, its fragments normalised) for the rows that have fragments, one entry per key."""
    out: dict[str, tuple[str, ...]] = {}
    for r in rows:
        frags = tuple(norm_label(f) for f in r["fragments"].split("|") if f)
        if frags:
            out[r[key]] = tuple(dict.fromkeys(out.get(r[key], ()) + frags))
    return list(out.items())


# --- sections ------------------------------------------------------------------------------
def _section_words(kind: str) -> dict[str, tuple[str, ...]]:
    """section → its words of one kind (heading, anchor, table_word), in sort order, sections in order of first word.

    >>> _section_words("anchor")["t2"]
    ('第二十条第',)
    """
    words: dict[str, tuple[str, ...]] = {}
    for r in seed_rows("section_words"):
        if r["kind"] == kind:
            words[r["section"]] = words.get(r["section"], ()) + (r["word"],)
    return words


# The sections in the order a report prints them after its overview (s1).
SECTION_ORDER = ("t2", "t3", "t4", "s5", "s6")
HEADING_KEYS = _section_words("heading")
# A table can also be found by its own first cells when its heading is missing.
TABLE_ANCHORS = _section_words("anchor")
# Words a table's own cells hold, near its top: what tells a table's heading from a mention of it.
TABLE_WORDS = _section_words("table_word")
# Words a table's header prints over its columns, naming none (申请人情况).
HEADER_WORDS = _section_words("header")
# Table words that, on a very long line, show a flattened page.
FLAT_PAGE_WORDS = tuple(r["word"] for r in seed_rows("section_words") if r["marks_flat_page"] == "true")

# --- table 3 -------------------------------------------------------------------------------
_T3_ROW_DEFS = seed_rows("t3_rows")
_T3_COLUMN_DEFS = seed_rows("t3_columns")
T3_ROW_ORDER = [r["row_key"] for r in _T3_ROW_DEFS]
T3_ROWS = _fragments(_T3_ROW_DEFS, "row_key")
T3_ONLY_2021 = tuple(r["row_key"] for r in _T3_ROW_DEFS if r["templates"] == "2021")
T3_COLUMN_ORDER = [c["col_key"] for c in _T3_COLUMN_DEFS]
# The words of table 3's header: a label made of one of them names a column, not a row.
T3_HEADER_WORDS = frozenset(norm_label(w) for c in _T3_COLUMN_DEFS
                            for w in (c["label"], c["group_label"], *c["fragments"].split("|")) if w) | frozenset(
    norm_label(w) for w in HEADER_WORDS["t3"])
# The headings of table 3's groups, numbering aside (本年度办理结果, 不予公开): they carry no values of their own,
# but for one that is also a row's label (（六）其他处理, a row of the 2019 template).
T3_GROUPS = tuple(dict.fromkeys(LABEL_NUMBERING.sub("", norm_label(r["group_label"])) for r in _T3_ROW_DEFS
                                if r["group_label"] and r["group_label"] not in {d["label"] for d in _T3_ROW_DEFS}))

# --- table 4 -------------------------------------------------------------------------------
_T4_ROW_DEFS = seed_rows("t4_rows")
_T4_COLUMN_DEFS = seed_rows("t4_columns")
T4_ROWS = [r["row_key"] for r in _T4_ROW_DEFS]
# Table 4 prints its blocks' names only in its header: "行政诉讼·复议后起诉".
T4_ROW_LABELS = {r["row_key"]: "·".join(filter(None, (r["group_label"], r["label"]))) for r in _T4_ROW_DEFS}
T4_COLUMNS = [c["col_key"] for c in _T4_COLUMN_DEFS]
# The words of table 4's results (维持, 纠正…): rows led by them show the table turned, its results as rows.
T4_RESULT_WORDS = tuple(word for _, words in _fragments(_T4_COLUMN_DEFS, "col_key") for word in words)
# Each block's words, the last block first: a later block's words hold an earlier one's (复议后 holds 复议).
_T4_BLOCK_WORDS = _fragments(_T4_ROW_DEFS, "row_key")[::-1]


def t4_block(label: str) -> str | None:
    """The block a table-4 row label names, if one.

    >>> t4_block("行政诉讼(复议后起诉)"), t4_block("未经复议直接起诉"), t4_block("行政复议"), t4_block("件数")
    ('litigation_after_review', 'litigation_direct', 'review', None)
    """
    return next((key for key, words in _T4_BLOCK_WORDS if any(word in label for word in words)), None)

# --- table 2 -------------------------------------------------------------------------------
_T2_COLUMN_DEFS = seed_rows("t2_columns")
T2_COLUMNS = _fragments(_T2_COLUMN_DEFS, "col_key")
T2_ROWS = _fragments(seed_rows("t2_rows"), "row_key")
# Money columns and the unit their header states when it states none (2021: 万元; 2019: nothing).
T2_MONEY_COLUMNS = {c["col_key"]: c["stated_unit"] for c in _T2_COLUMN_DEFS if c["is_money"] == "true"}
# Columns only one template has; they decide the template from table 2.
T2_TEMPLATE_COLUMNS = {c["col_key"]: c["template"] for c in _T2_COLUMN_DEFS
                       if sum(d["col_key"] == c["col_key"] for d in _T2_COLUMN_DEFS) == 1}


# --- identities ----------------------------------------------------------------------------
class Identity(NamedTuple):
    identity_id: str
    table_id: str
    axis: str  # col (sums rows down each column: its terms are row keys) | row (sums columns: column keys)
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]


def _identities() -> tuple[Identity, ...]:
    """The accounting identities of the seed identity_terms.csv, in the order of their first term.

    >>> [(i.identity_id, i.axis, i.lhs) for i in _identities() if i.table_id == "t4"]
    [('I4', 'row', ('total',))]
    """
    terms: dict[str, dict] = {}
    with open(VOCABULARY / "identity_terms.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            one = terms.setdefault(r["identity_id"], {"table_id": r["table_id"], "axis": r["axis"], "lhs": [], "rhs": []})
            one[r["side"]].append(r["term_key"])
    return tuple(Identity(i, t["table_id"], t["axis"], tuple(t["lhs"]), tuple(t["rhs"])) for i, t in terms.items())


# What the loader and the synthetic corpus test a table's cells against, as the checks in dbt do.
IDENTITIES = _identities()


def occurrences(label: str, table: list[tuple[str, tuple[str, ...]]]) -> list[tuple[int, int, str]]:
    """Every occurrence of every key's fragments in the (normalised) label: (start, -length, key),
    in order of position, longest first.

    >>> occurrences("(六)其他处理1申请人无正当理由逾期不补正", T3_ROWS)
    [(3, -4, 'other_handling'), (16, -5, 'other_overdue_correction')]
    """
    found = []
    for key, fragments in table:
        for fragment in fragments:
            at = label.find(fragment)
            while at >= 0:
                found.append((at, -len(fragment), key))
                at = label.find(fragment, at + 1)
    return sorted(found)


def match(label: str, table: list[tuple[str, tuple[str, ...]]]) -> str | None:
    """The key whose fragment found in the label is the longest (the most specific).

    >>> match("(四)无法提供1本机关不掌握相关政府信息", T3_ROWS)
    'unable_not_held'
    >>> match("规范性文件", T2_ROWS), match("行政规范性文件", T2_ROWS), match("四结转下年度继续办理", T3_ROWS)
    ('normative_documents', 'normative_documents', 'carried_forward')
    """
    found = occurrences(label, table)
    return min(found, key=lambda m: (m[1], m[0]))[2] if found else None


# A typo'd label is taken for the closest canonical one only when it is this close, and clearly
# closer than to any other.
FUZZY_MIN, FUZZY_MARGIN = 0.75, 0.15


@lru_cache(maxsize=4096)
def closest_t3_row(label: str) -> str | None:
    """The table-3 row a garbled label means, when exactly one canonical label is close to it.

    >>> closest_t3_row("2其他法律行政止公开"), closest_t3_row("申请")
    ('denied_prohibited_by_law', None)
    """
    core = LABEL_NUMBERING.sub("", label)
    # Only a numbered row label ("2.其他法律…") is worth comparing: headers and notes are not rows.
    if core == label or not 4 <= len(core) <= 40:
        return None
    scores = sorted(((SequenceMatcher(None, core, _T3_CORES[key]).ratio(), key) for key in _T3_CORES), reverse=True)
    (best, key), (second, _) = scores[0], scores[1]
    return key if best >= FUZZY_MIN and best - second >= FUZZY_MARGIN else None


_T3_CORES = {r["row_key"]: LABEL_NUMBERING.sub("", norm_label(r["label"])) for r in _T3_ROW_DEFS}


# The template numbers the rows of groups （三）–（六）: (group, item number) → row ("三", "2") → 禁止公开.
_NUMBERED = re.compile(r"^[（(]([三四五六])[）)]\s*(\d)\.")
T3_NUMBERED = {m.groups(): r["row_key"] for r in _T3_ROW_DEFS if (m := _NUMBERED.match(r["label"]))}
# The words of each numbered row after its number ("属于国家秘密"): a label cut short must begin alike.
_NUMBERED_WORDS = {r["row_key"]: norm_label(r["label"][m.end():]) for r in _T3_ROW_DEFS
                   if (m := _NUMBERED.match(r["label"]))}
# Each row of a group, and the one row （六） is in the 2019 layout.
T3_GROUP_OF = {row: group for (group, _), row in T3_NUMBERED.items()} | {"other_handling": "六"}
# A label's own group and item: "(六)其他处理1申请人…" is （六）'s item 1; "2其他法律…" an item of the
# group the rows above opened.
_ITEM = re.compile(r"^(?:\(([三四五六])\)\D{0,8}?)?(\d)(?!\d)")
_GROUP = re.compile(r"^\(([三四五六])\)")


@lru_cache(maxsize=8192)
def t3_row_key(label: str, group: str | None) -> str | None:
    """Table 3 row key for a normalised label, within the group （三）–（六） the rows above opened.

    The words of the label decide; its number within the group decides where the words name no row
    or only the group's own name (a label cut short: "(六)其他处理1申请人"), so a label printed with
    a typo or cut by a line break still finds its row.

    >>> t3_row_key("3其他", "六"), t3_row_key("(六)其他处理", None), t3_row_key("(六)其他处理1申请人", None)
    ('other_misc', 'other_handling', 'other_overdue_correction')
    >>> t3_row_key("2申请人逾期未按收费通", "六"), t3_row_key("2其他法律行政止公开", "三")
    ('other_overdue_fee', 'denied_prohibited_by_law')
    """
    item = _ITEM.match(label)
    numbered = T3_NUMBERED.get((item.group(1) or group, item.group(2))) if item else None
    if numbered and label[item.end(): item.end() + 2] != _NUMBERED_WORDS[numbered][:2]:
        numbered = None  # its words are another row's: the group open is not the label's (a stale group)
    key = match(label, T3_ROWS)
    if key is None and re.fullmatch(r"(\(七\))?(总计|合计)", label):
        return "total_processed"
    if numbered and (key is None or key == "other_handling"):
        return numbered
    return key or closest_t3_row(label)


def t3_group(label: str, key: str | None, group: str | None) -> str | None:
    """The group （三）–（六） open after a label: its own "(三)…", its row's, or none after a row of no group.

    >>> t3_group("(四)无法提供", None, "三"), t3_group("1本机关不掌握相关政府信息", "unable_not_held", "四")
    ('四', '四')
    >>> t3_group("(七)总计", "total_processed", "六")
    """
    if own := _GROUP.match(label):
        return own.group(1)
    if key is None:
        return group
    return T3_GROUP_OF.get(key)


@lru_cache(maxsize=8192)
def t2_columns(label: str) -> list[str]:
    """Table 2 column keys named in a normalised header label, in print order (a flattened page
    prints a whole header row as one label).

    >>> t2_columns("本年收费金额(单位万元)"), t2_columns("信息内容"), t2_columns("信息内容本年制发件数本年废止件数现行有效件数规章")
    (['fee_amount'], [], ['issued', 'repealed', 'in_force'])
    """
    out, end = [], 0
    for at, neg, key in occurrences(label, T2_COLUMNS):
        if at >= end:
            out.append(key)
            end = at - neg
    return out


@lru_cache(maxsize=8192)
def t2_row(label: str) -> str | None:
    """Table 2 row key of a normalised row label.

    >>> t2_row("行政规范性文件")
    'normative_documents'
    """
    return match(label, T2_ROWS)
