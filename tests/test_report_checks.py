"""The report-level checks (sections, fees, publication date, years, copies) on hand-made mutations of real reports.

Each mutation puts one defect into a real report of tests/fixtures/real; the check for it must find it there, at
the text it traces to. The unmutated reports hold none of them (tests/test_real.py: only the hand-labelled findings
fire on the real corpus).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from loaders.assembly.report import parse_source
from tests.support.warehouses import q, xxgk

REAL = Path(__file__).resolve().parent / "fixtures" / "real"
FIVE, SIX = "五、存在的主要问题及改进情况", "六、其他需要报告的事项"


def _between(text: str, start: str, end: str) -> tuple[int, int]:
    """Where the text after heading ``start`` runs up to heading ``end``."""
    i = text.index(start) + len(start)
    return i, text.index(end, i)


def _replace_section(text: str, start: str, end: str, body: str) -> str:
    i, j = _between(text, start, end)
    return text[:i] + body + text[j:]


def mutations() -> dict[str, str]:
    """File name → mutated report text; each file one defect (noted in its name)."""
    read = {name: (REAL / name).read_text(encoding="utf-8") for name in ("004.txt", "005.txt", "006.txt",
                                                                         "009.html", "011.txt")}
    out = {"004.txt": read["004.txt"]}  # 平潭 2021 as printed: last year for the copied table
    # 平潭 2022 with 2021's tables 三 and 四 pasted in
    i, j = _between(read["005.txt"], "三、收到和处理政府信息公开申请情况", FIVE)
    k, m = _between(read["004.txt"], "三、收到和处理政府信息公开申请情况", FIVE)
    out["005_tables_of_2021.txt"] = read["005.txt"][:i] + read["004.txt"][k:m] + read["005.txt"][j:]
    # 平潭 2023 that opens its overview with 2022 and repeats 2022's 五
    six = read["006.txt"].replace("一、总体情况 2023年，", "一、总体情况 2022年，", 1)
    i, j = _between(read["005.txt"], FIVE, SIX)
    out["006_year_and_five_of_2022.txt"] = _replace_section(six, FIVE, SIX, read["005.txt"][i:j])
    # 沭阳县发展和改革局 2023 without its 五; and signed in April
    html = read["009.html"]
    five = html.rindex("<p", 0, html.index("五、存在的主要问题及"))
    out["009_without_five.html"] = html[:five] + html[html.rindex("<p", 0, html.index("六、其他需要报告的事项")):]
    out["009_signed_in_april.html"] = html.replace("2024年1月17日", "2024年4月17日")
    # 沭阳县 2025: 五 says only 无; 六 without its fee sentence while table 3 counts 7 fee notices
    md = read["011.txt"]
    out["011_five_is_none.txt"] = _replace_section(md, "五、政府信息公开工作存在的主要问题及改进情况", SIX, "\n\n无。\n\n")
    i, j = _between(md, SIX, "沐阳县人民政府")
    out["011_no_fee_sentence.txt"] = md[:i] + "\n\n我县认真做好政府信息公开各项工作。\n\n" + md[j:]
    return out


@pytest.fixture(scope="module")
def mutated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("mutated")
    for name, text in mutations().items():
        (folder / name).write_text(text, encoding="utf-8")
    db = tmp_path_factory.mktemp("mutated-warehouse") / "warehouse.duckdb"  # outside the folder it reads
    for command in (["ingest", str(folder), "--quiet", "--workers", "1"], ["build", "--no-docs", "--quiet"],
                    ["check", "--no-docs"]):
        assert xxgk(*command, "--db", str(db)).returncode in (0, 1)
    return db


@pytest.mark.e2e
@pytest.mark.parametrize("file, check_id, kind, row_key, says", [
    # tables 三 and 四 were pasted: one finding each
    ("005_tables_of_2021.txt", "cross_year.table_copied", "report", "t3 t4", "is last year's cell for cell"),
    ("006_year_and_five_of_2022.txt", "narrative.wrong_year", "report", "一", "speaks of 2022 as its own year"),
    ("006_year_and_five_of_2022.txt", "cross_year.text_reused", "report", "五", "section 五 (problems and fixes)"),
    ("009_without_five.html", "structure.section_missing", "report", "五", "section 五 (存在的主要问题及改进情况) is missing"),
    ("009_signed_in_april.html", "structure.published_late", "report", "-", "published 2024-04-17 (signing date)"),
    ("011_five_is_none.txt", "structure.section_empty", "report", "五", "section 五 says nothing"),
    ("011_no_fee_sentence.txt", "narrative.fee_statement_missing", "report", "other_overdue_fee", "counts 7"),
])
def test_each_mutation_is_found_where_it_was_made(mutated, file, check_id, kind, row_key, says):
    rows = q(mutated, "select f.kind, coalesce(f.row_key, f.table_id, '-'), f.message, f.char_offset, f.snippet "
                      "from dq.findings f join marts.dim_report r using (report_id) "
                      "where r.source_path like ? and f.check_id = ? order by 2", f"%{file}", check_id)
    assert [(k, r) for k, r, *_ in rows] == [(kind, key) for key in row_key.split()]
    for _, _, message, offset, snippet in rows:
        assert says in message
        assert offset is not None and snippet  # traced to the text, shown with it


@pytest.mark.e2e
def test_the_mutations_add_nothing_else_of_these_checks(mutated):
    """Each mutated report has the finding its mutation made and no other of the new checks: a table pasted in is
    no wrong year, a removed 五 no empty one."""
    new_checks = ("structure.section_missing", "structure.section_empty", "narrative.fee_statement_missing",
                  "structure.published_late", "structure.signed_before_year_end", "narrative.wrong_year",
                  "cross_year.table_copied", "cross_year.text_reused")
    found = q(mutated, "select regexp_extract(r.source_path, '[^/]+$'), f.check_id from dq.findings f "
                       "join marts.dim_report r using (report_id) where f.check_id in (select unnest(?))",
              list(new_checks))
    assert sorted(found) == sorted([
        ("005_tables_of_2021.txt", "cross_year.table_copied"),
        ("005_tables_of_2021.txt", "cross_year.table_copied"),
        ("006_year_and_five_of_2022.txt", "narrative.wrong_year"),
        ("006_year_and_five_of_2022.txt", "cross_year.text_reused"),
        ("009_without_five.html", "structure.section_missing"),
        ("009_signed_in_april.html", "structure.published_late"),
        ("011_five_is_none.txt", "structure.section_empty"),
        ("011_no_fee_sentence.txt", "narrative.fee_statement_missing"),
    ])


@pytest.mark.parametrize("name", ["001.html", "004.txt", "009.html", "011.txt", "012.pdf"])
def test_the_six_sections_of_real_reports(name):
    report = parse_source((REAL / name).read_bytes())
    assert [s.section for s in report.sections] == ["一", "二", "三", "四", "五", "六"]
    for s in report.sections:  # each heading and body is the text its offset points at
        assert report.normalised_text.startswith(s.body[:20], s.body_offset)
        assert s.heading is None or report.normalised_text.startswith(s.heading[:4], s.char_offset)
