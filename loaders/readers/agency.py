"""Which agency a printed name stands for: one canonical agency for every way its reports print its name.

A report prints its agency's name as its author writes it: 杭州市余杭区人民政府办公室 one year, 余杭区政府办公室
the next, 餘杭區人民政府辦公室 in traditional script. Each printed name gets a canonical key:

1. NFKC, without white space or invisible characters; simplified script; brackets of every kind and width as
   ``(``/``)``, list separators as 、, dashes as ``-``;
2. equivalent forms written as one (人民政府 → 政府, 管委会 → 管理委员会): the seed ``agency_name_forms.csv``;
3. an analyst's word: the seed ``agency_aliases.csv`` (printed name → canonical agency, with a note), for what
   no rule can know (an OCR misreading, a short form, a renamed office);
4. a name without its province or city (余杭区政府办公室) is the agency that prints it with them
   (杭州市余杭区政府办公室) when exactly one agency in the warehouse does.

The seeds are dbt's (``reference.agency_aliases``, ``reference.agency_name_forms``, documented there); this module
reads the same files. ``resolve`` maps every printed name in a warehouse at once, since rule 4 depends on
which names the warehouse holds; xxgk writes its result to ``raw.agency_names``, which the staging models read.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

from ..text.normalise import to_simplified
from ..vocabulary import VOCABULARY
from .metadata import normalise_name

_BRACKETS = str.maketrans({"（": "(", "〔": "(", "［": "(", "[": "(", "【": "(", "）": ")", "〕": ")", "］": ")",
                           "]": ")", "】": ")", "，": "、", ",": "、", "－": "-", "—": "-", "–": "-", "‐": "-"})
# A province (or autonomous region) and a city (or prefecture) that may be printed before the rest of a name…
_PROVINCE = re.compile(r"[^省市区县]{2,7}(?:省|自治区)")
_CITY = re.compile(r"[^省市区县]{2,7}(?:市|自治州|地区|盟)")
# …whose rest starts with a place below them: a district, county, county-level city, town or street. A rest such
# as 政府办公室 names no place: every city has one.
_PLACE = re.compile(r"[^省市区县]{1,7}?(?:区|县|市|旗|镇|乡|街道)")


class Alias(NamedTuple):
    printed_name: str
    agency: str
    note: str


class Form(NamedTuple):
    form: str
    canonical_form: str
    note: str


@dataclass(frozen=True)
class Resolved:
    """How one printed name (``raw.reports.agency``) resolves: its canonical key, the canonical agency's name,
    which rule decided and, for an alias, the analyst's note."""

    printed_name: str
    agency_key: str
    agency: str
    resolved_by: str  # as printed | equivalent forms | alias | province or city prefix
    note: str | None


def _read(name: str) -> list[dict[str, str]]:
    with open(VOCABULARY / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def aliases() -> list[Alias]:
    """The analysts' aliases (``agency_aliases.csv``)."""
    return [Alias(r["printed_name"], r["agency"], r["note"]) for r in _read("agency_aliases")]


def forms() -> tuple[Form, ...]:
    """The equivalent forms (``agency_name_forms.csv``), longest first so that no shorter form cuts a longer one."""
    rows = [Form(r["form"], r["canonical_form"], r["note"]) for r in _read("agency_name_forms")]
    return tuple(sorted(rows, key=lambda f: -len(f.form)))


@lru_cache(maxsize=65536)
def agency_key(name: str, equivalent: tuple[Form, ...] = ()) -> str:
    """The canonical key of a printed name (rules 1 and 2).

    >>> f = (Form("人民政府", "政府", ""),)
    >>> agency_key("餘杭區人民政府辦公室（區外事辦）", f), agency_key(" 余杭区 政府办公室(区外事办)", f)
    ('余杭区政府办公室(区外事办)', '余杭区政府办公室(区外事办)')
    """
    key = to_simplified(normalise_name(name)).translate(_BRACKETS)
    for f in equivalent:
        key = key.replace(f.form, f.canonical_form)
    return key


def _parents(keys: set[str]) -> dict[str, set[str]]:
    """For each key that is another key without its province, its city or both, the keys that print them.

    >>> found = _parents({"浙江省杭州市余杭区政府", "杭州市余杭区政府", "余杭区政府", "杭州市政府", "政府"})
    >>> sorted((rest, sorted(keys)) for rest, keys in found.items())
    [('余杭区政府', ['杭州市余杭区政府', '浙江省杭州市余杭区政府']), ('杭州市余杭区政府', ['浙江省杭州市余杭区政府'])]
    """
    parents: dict[str, set[str]] = {}
    for key in keys:
        province = _PROVINCE.match(key)
        cuts = [province.end()] if province else []
        city = _CITY.match(key, cuts[0] if cuts else 0)
        if city:
            cuts.append(city.end())
        for cut in cuts:
            rest = key[cut:]
            if rest in keys and _PLACE.match(rest):
                parents.setdefault(rest, set()).add(key)
    return parents


def resolve(names: dict[str, int], alias_rows: Iterable[Alias] | None = None,
            form_rows: tuple[Form, ...] | None = None) -> list[Resolved]:
    """Every printed name of a warehouse (with its number of reports) → its canonical agency.

    The canonical agency's name is an alias's when one decided, else the longest name its reports print (then
    the first in code-point order): the fullest form, and one that a new year's report changes only by printing
    a longer one (not by outnumbering the others), since a changed name makes the next build start over.

    >>> names = {"杭州市余杭区人民政府办公室": 1, "余杭区政府办公室": 2, "余杭区人民政府办公室": 1, "沐阳县人民政府": 1}
    >>> for r in resolve(names, [Alias("沐阳县人民政府", "沭阳县人民政府", "OCR")], (Form("人民政府", "政府", ""),)):
    ...     print(r.printed_name, r.agency_key, r.agency, r.resolved_by)
    余杭区人民政府办公室 杭州市余杭区政府办公室 杭州市余杭区人民政府办公室 province or city prefix
    余杭区政府办公室 杭州市余杭区政府办公室 杭州市余杭区人民政府办公室 province or city prefix
    杭州市余杭区人民政府办公室 杭州市余杭区政府办公室 杭州市余杭区人民政府办公室 equivalent forms
    沐阳县人民政府 沭阳县政府 沭阳县人民政府 alias
    """
    equivalent = forms() if form_rows is None else form_rows
    by_alias = {agency_key(a.printed_name, equivalent): a for a in (aliases() if alias_rows is None else alias_rows)}
    first: dict[str, tuple[str, str, str | None]] = {}  # printed name → (key, resolved_by, note)
    for name in names:
        key = agency_key(name, equivalent)
        alias = by_alias.get(key)
        if alias is not None:
            first[name] = (agency_key(alias.agency, equivalent), "alias", alias.note or None)
        else:
            first[name] = (key, "as printed" if key == name else "equivalent forms", None)
    parents = _parents({k for k, _, _ in first.values()})

    @cache
    def final(key: str) -> str:
        above = {final(p) for p in parents.get(key, ())}
        return above.pop() if len(above) == 1 else key

    groups: dict[str, list[str]] = {}
    for name, (key, _, _) in first.items():
        groups.setdefault(final(key), []).append(name)
    display = {}
    for key, members in groups.items():
        aliased = sorted(a.agency for n in members if first[n][1] == "alias"
                         for a in [by_alias[agency_key(n, equivalent)]])
        display[key] = aliased[0] if aliased else min(members, key=lambda n: (-len(n), n))
    out = []
    for name in sorted(names):
        key, how, note = first[name]
        top = final(key)
        if top != key and how != "alias":
            how = "province or city prefix"
        out.append(Resolved(name, top, display[top], how, note))
    return out
