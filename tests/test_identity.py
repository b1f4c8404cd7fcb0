"""Who published a report: the whole name its title prints (or a clear 'not identified'), and one canonical agency
for every spelling, script and prefix its reports print — through the real parser, dbt and DuckDB."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import opencc
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from loaders.assembly.report import parse_report
from loaders.readers.agency import Alias, Form, agency_key, resolve
from loaders.readers.metadata import normalise_name
from loaders.text.normalise import to_simplified
from tests.support.samples import RAW, SEEDS
from tests.support.warehouses import BUILT, q, table_rows, xxgk

SEED = {name[:3]: (RAW / name).read_text("utf-8") for name in SEEDS}
BODY = "\n一、总体情况\n{year}年，本机关认真贯彻落实《条例》。\n"
LONG = ("杭州市余杭区人民政府办公室（杭州市余杭区人民政府外事办公室、杭州市余杭区人民政府港澳事务办公室）")  # 48 characters


@pytest.mark.parametrize("title, agency, printed, year", [
    # Spaces, 、, hyphens and brackets of both widths are inside names: the whole printed name is the agency.
    ("杭州钱塘新区 管理委员会2020年度政府信息公开工作年度报告", "杭州钱塘新区管理委员会", "杭州钱塘新区 管理委员会", 2020),
    ("嘉兴港区 管理委员会2020年度政府信息公开工作年度报告", "嘉兴港区管理委员会", "嘉兴港区 管理委员会", 2020),
    ("余杭区人民政府办公室、余杭区外事办2019年度政府信息公开工作年度报告", "余杭区人民政府办公室、余杭区外事办",
     "余杭区人民政府办公室、余杭区外事办", 2019),
    (LONG + "2019年度政府信息公开工作年度报告",
     "杭州市余杭区人民政府办公室(杭州市余杭区人民政府外事办公室、杭州市余杭区人民政府港澳事务办公室)", LONG, 2019),
    ("余杭区人民政府办公室(区外事办)2019年度政府信息公开工作年度报告", "余杭区人民政府办公室(区外事办)",
     "余杭区人民政府办公室(区外事办)", 2019),
    ("中共余杭区委-余杭区人民政府办公室2019年度政府信息公开工作年度报告", "中共余杭区委-余杭区人民政府办公室",
     "中共余杭区委-余杭区人民政府办公室", 2019),
    ("第一人民医院2019年度政府信息公开工作年度报告", "第一人民医院", "第一人民医院", 2019),
    # Chinese-numeral years, agency first or year first
    ("余杭区人民政府办公室二〇一九年度政府信息公开工作年度报告", "余杭区人民政府办公室", "余杭区人民政府办公室", 2019),
    ("二零二零年度余杭区人民政府办公室政府信息公开工作年度报告", "余杭区人民政府办公室", "余杭区人民政府办公室", 2020),
    ("2019年度余杭区人民政府信息公开工作年度报告", "余杭区人民政府", "余杭区人民政府", 2019),
    # What the title prints around the name is not the name
    ("特编制杭州钱江经济开发区2022年度政府信息公开工作年度报告", "杭州钱江经济开发区", "杭州钱江经济开发区", 2022),
    ("关于余杭区人民政府办公室2019年度政府信息公开工作年度报告", "余杭区人民政府办公室", "余杭区人民政府办公室", 2019),
    ("杭州市余杭区人民政府办公室关于公布2019年度政府信息公开工作年度报告的通知", "杭州市余杭区人民政府办公室",
     "杭州市余杭区人民政府办公室", 2019),
    ("当前位置：首页 > 政务公开 > 年报 > 余杭区人民政府办公室2019年度政府信息公开工作年度报告", "余杭区人民政府办公室",
     "余杭区人民政府办公室", 2019),
    ("余杭区人民政府办公室2019年度政府信息公开工作年度报告_杭州市余杭区人民政府", "余杭区人民政府办公室",
     "余杭区人民政府办公室", 2019),
    # The site's name above the title is not the start of the agency's
    ("杭州市人民政府门户网站\n余杭区人民政府办公室2019年度政府信息公开工作年度报告", "余杭区人民政府办公室",
     "余杭区人民政府办公室", 2019),
    ("余杭区\u200b人民政府\u202e办公室2019年度政府信息公开工作年度报告", "余杭区人民政府办公室", "余杭区人民政府办公室",
     2019),  # invisible characters print nothing
    ("余杭区⼈民政府办公室2019年度政府信息公开工作年度报告", "余杭区人民政府办公室", "余杭区⼈民政府办公室", 2019),  # a Kangxi radical
    ("标题: 平潭综合实验区2019年度政府信息公开工作年度报告", "平潭综合实验区", "平潭综合实验区", 2019),
    ("本地目录: zwgk/zfxxgknb/202001/80576_平潭综合实验区2019年度政府信息公开工作年度报告", "平潭综合实验区",
     "平潭综合实验区", 2019),
    ("# 沐阳县人民政府 2025 年 政府信息公开工作年度报告", "沐阳县人民政府", "沐阳县人民政府", 2025),
    # Traditional script: the agency in simplified, the printed name as printed
    ("餘杭區人民政府辦公室2019年度政府信息公開工作年度報告", "余杭区人民政府办公室", "餘杭區人民政府辦公室", 2019),
    # A name wrapped over two lines, cut inside its brackets
    ("杭州市余杭区人民政府办公室（杭州市余杭区人民政府外事办公室、\n杭州市余杭区人民政府港澳事务办公室）"
     "2019年度政府信息公开工作年度报告",
     "杭州市余杭区人民政府办公室(杭州市余杭区人民政府外事办公室、杭州市余杭区人民政府港澳事务办公室)", LONG, 2019),
])
def test_the_title_gives_the_whole_printed_name(title, agency, printed, year):
    r = parse_report(title + BODY.format(year=year))
    assert (r.agency, r.printed_agency, r.year) == (agency, printed, year)
    assert r.title.endswith("报告") or r.title.endswith("報告")
    # The title as printed: spaces, brackets and script kept (invisible characters too, which print nothing).
    assert printed in "".join(ch for ch in r.title if unicodedata.category(ch) not in ("Cc", "Cf"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["杭州市", "余杭区", "人民政府", "办公室", "管理委员会", " ", "\u3000", "、", "-", "·",
                                 "（外事办）", "(港澳办)", "（区委（办））", "第一", "12", "餘杭區"]), min_size=1, max_size=8))
def test_any_whole_name_is_read_whole(pieces):
    """Names made of what names hold: the agency is always the whole of it, or nothing — never a part."""
    name = "".join(pieces).strip()
    assume(name and name[0] not in "、-·" and name[-1] not in "、-·" and not name[0].isdigit()
           and not name[-1].isdigit() and sum("\u4e00" <= ch <= "\u9fff" for ch in name) >= 2)
    r = parse_report(name + "2019年度政府信息公开工作年度报告" + BODY.format(year=2019))
    # (A traditional name in a simplified report stays as printed: the script is the report's, the key folds it.)
    assert (to_simplified(r.agency or ""), r.year) == (to_simplified(normalise_name(name)), 2019)


@pytest.mark.parametrize("title, why", [
    ("杭州市余杭区人民政府港澳事务办公室）2019年度政府信息公开工作年度报告",
     "agency not identified: the agency's name in the title cannot be told whole: '杭州市余杭区人民政府港澳事务办公室）' "
     "(its brackets do not match)"),
    ("、余杭区外事办2019年度政府信息公开工作年度报告",
     "agency not identified: the agency's name in the title cannot be told whole: '、余杭区外事办' (it starts or "
     "ends with a separator)"),
    ("（区外事办2019年度政府信息公开工作年度报告",
     "agency not identified: the agency's name in the title cannot be told whole: '（区外事办' (its brackets do not "
     "match)"),
])
def test_a_name_that_cannot_be_told_whole_is_not_identified_never_a_fragment(title, why):
    r = parse_report(title + BODY.format(year=2019))
    assert (r.agency, r.year, r.status) == (None, 2019, "partial")
    assert r.error.startswith(why)


@pytest.mark.parametrize("text, mark", [
    ("余杭区人民政府办公室2019年度政府信息公开工作年度报告（更正）" + BODY.format(year=2019), "（更正）"),
    ("余杭区人民政府办公室2019年度政府信息公开工作年度报告\n（修订版）" + BODY.format(year=2019), "（修订版）"),
    ("余杭区人民政府办公室2019年度政府信息公开工作年度报告\n根据新修订的《中华人民共和国政府信息公开条例》，编制本报告。"
     + BODY.format(year=2019), None),  # the regulations were revised, not the report
    ("余杭区人民政府办公室2019年度政府信息公开工作年度报告" + BODY.format(year=2019) + "规章修订3件。\n", None),
])
def test_a_correction_mark_is_read_from_the_title_only(text, mark):
    assert parse_report(text).revision_mark == mark


FORMS = (Form("人民政府", "政府", ""), Form("管委会", "管理委员会", ""))


@pytest.mark.parametrize("names, expected", [
    # Script, widths, spaces and equivalent forms do not make two agencies
    ({"杭州市余杭区人民政府办公室": 1, "杭州市余杭区政府办公室": 1, "杭州市餘杭區人民政府辦公室": 1},
     {"杭州市余杭区政府办公室"}),
    ({"余杭区人民政府办公室(区外事办)": 1, "余杭区 人民政府办公室（区外事办）": 1}, {"余杭区政府办公室(区外事办)"}),
    ({"杭州钱塘新区管委会": 1, "杭州钱塘新区管理委员会": 2}, {"杭州钱塘新区管理委员会"}),
    # Without its city, the one agency of the warehouse that prints it with one; with its province too
    ({"杭州市余杭区人民政府办公室": 1, "余杭区政府办公室": 1, "浙江省杭州市余杭区人民政府办公室": 1},
     {"浙江省杭州市余杭区政府办公室"}),
    # Two cities print it: ambiguous, nothing merged
    ({"杭州市西湖区市场监督管理局": 1, "苏州市西湖区市场监督管理局": 1, "西湖区市场监督管理局": 1},
     {"杭州市西湖区市场监督管理局", "苏州市西湖区市场监督管理局", "西湖区市场监督管理局"}),
    # A rest that names no place below the city is not an agency of its own: 政府办公室 stays apart
    ({"杭州市政府办公室": 1, "政府办公室": 1}, {"杭州市政府办公室", "政府办公室"}),
    # Different agencies stay different
    ({"杭州钱塘新区管理委员会": 1, "嘉兴港区管理委员会": 1}, {"杭州钱塘新区管理委员会", "嘉兴港区管理委员会"}),
])
def test_canonical_keys(names, expected):
    assert {r.agency_key for r in resolve(names, [], FORMS)} == expected


def test_an_alias_is_matched_by_its_key_and_names_the_agency():
    resolved = resolve({"沐阳县人民政府": 2, "沭阳县政府": 1}, [Alias("沐陽縣 人民政府", "沭阳县人民政府", "OCR")], FORMS)
    assert {(r.printed_name, r.agency, r.resolved_by, r.note) for r in resolved} == {
        ("沐阳县人民政府", "沭阳县人民政府", "alias", "OCR"), ("沭阳县政府", "沭阳县人民政府", "as printed", None)}
    assert agency_key("沐陽縣 人民政府", FORMS) == "沐阳县政府"


# --- through the warehouse ----------------------------------------------------------------------------------------
def _retitled(seed: str, old: str, new: str) -> str:
    assert old in SEED[seed]
    return SEED[seed].replace(old, new, 1)


YUHANG = "余杭区人民政府办公室2019年度政府信息公开工作年度报告"


@pytest.fixture(scope="module")
def agencies(tmp_path_factory) -> Path:
    """Two agencies whose names end alike, one agency printed three ways across three years, and the real
    OCR-read 沐阳县 report beside a 沭阳县 one: ingested, built and checked."""
    d = tmp_path_factory.mktemp("agencies")
    raw = d / "raw"
    raw.mkdir()
    files = {
        "qiantang.txt": _retitled("000", "杭州钱塘新区管理委员会2020", "杭州钱塘新区 管理委员会2020"),
        "jiaxing.txt": _retitled("004", "嘉兴港区2020", "嘉兴港区 管理委员会2020"),
        "yuhang_2019.txt": _retitled("003", YUHANG, "杭州市" + YUHANG),
        "yuhang_2020.txt": _retitled("003", YUHANG, "余杭区政府办公室2020年度政府信息公开工作年度报告")
        .replace("2019年", "2020年"),
        "yuhang_2021.txt": opencc.OpenCC("s2t").convert(_retitled("003", YUHANG, YUHANG.replace("2019", "2021"))
                                                        .replace("2019年", "2021年")),
        "shuyang_2024.txt": _retitled("003", YUHANG, "沭阳县人民政府2024年度政府信息公开工作年度报告")
        .replace("2019年", "2024年"),
    }
    for name, text in files.items():
        (raw / name).write_text(text, encoding="utf-8")
    shutil.copy(Path(__file__).parent / "fixtures" / "real" / "011.txt", raw / "shuyang_2025.txt")
    db = d / "warehouse.duckdb"
    done = xxgk("run", str(raw), "--db", str(db), "--out", str(d / "site"), "--quiet", "--no-docs")
    assert done.returncode in (0, 1), done.stderr
    return db


@pytest.mark.e2e
def test_two_agencies_whose_names_end_alike_stay_two(agencies):
    rows = q(agencies, "select agency, year, new_received from marts.fct_agency_year where year = 2020 "
                       "and agency like '%管理委员会' order by agency")
    assert rows == [("嘉兴港区管理委员会", 2020, 62.0), ("杭州钱塘新区管理委员会", 2020, 38.0)]
    assert q(agencies, "select count(*) from marts.dim_report where agency like '%管理委员会' and not is_current") == [(0,)]


@pytest.mark.e2e
def test_one_agency_printed_three_ways_is_one_agency(agencies):
    (agency, key, printed, n), = q(agencies, "select agency, agency_key, printed_names, n_printed_names "
                                             "from marts.dim_agency where agency_key like '%余杭区%'")
    assert key == "杭州市余杭区政府办公室"
    assert printed.split(" | ") == sorted(["杭州市余杭区人民政府办公室", "余杭区政府办公室", "餘杭區人民政府辦公室"])
    assert n == 3
    assert q(agencies, "select year from marts.fct_agency_year where agency = ? order by year", agency) == [
        (2019,), (2020,), (2021,)]


@pytest.mark.e2e
def test_the_cross_year_checks_run_across_the_spellings(agencies):
    # 2019 carries 7 applications forward (自然人 7); the 2020 copy says it carried 0 over: I5 fails, which it
    # can only find when the two years are one agency.
    assert q(agencies, "select year, col_key, lhs, rhs from intermediate.int_identity_across_years "
                       "where identity_id = 'I5' and col_key = 'total' and agency like '%余杭区%' order by year") == [(2020, "total", 7.0, 0.0),
                                                                                           (2021, "total", 7.0, 0.0)]
    assert q(agencies, "select count(distinct year) from dq.findings where check_id = 'cross_year.I5' "
                       "and agency like '%余杭区%'") == [(2,)]


@pytest.mark.e2e
def test_an_alias_in_the_seed_joins_an_ocr_misreading_to_its_agency(agencies):
    assert q(agencies, "select agency, printed_names, resolved_by from marts.dim_agency where agency like '%阳县%'") == [
        ("沭阳县人民政府", "沐阳县人民政府 | 沭阳县人民政府", "alias, equivalent forms")]
    assert q(agencies, "select printed_name, agency, resolved_by, note from raw.agency_names "
                       "where printed_name = '沐阳县人民政府'") == [
        ("沐阳县人民政府", "沭阳县人民政府", "alias",
         "OCR reads 沭 as 沐 (tests/fixtures/real/011.txt, converted from a scan, prints 沐阳县 throughout)")]


@pytest.mark.e2e
def test_an_alias_an_analyst_adds_applies_at_the_next_build(agencies, tmp_path):
    """The seed is data the analysts edit: the next build reads it (a changed seed rebuilds everything)."""
    project = tmp_path / "dbt_project"
    shutil.copytree(Path(__file__).resolve().parents[1] / "dbt_project", project,
                    ignore=shutil.ignore_patterns("target", "logs"))
    with open(project / "seeds" / "agency_aliases.csv", "a", encoding="utf-8") as f:
        f.write("嘉兴港区管理委员会,嘉兴港区,the zone is its committee\n")
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(agencies, db)
    env = {**os.environ, "XXGK_DBT_PROJECT": str(project), "XXGK_VOCABULARY": str(project / "seeds")}
    done = subprocess.run([sys.executable, "-m", "xxgk.cli", "build", "--db", str(db), "--quiet", "--no-docs"],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "rebuilt in full" in done.stdout
    assert q(db, "select agency, printed_names from marts.dim_agency where agency like '嘉兴%'") == [
        ("嘉兴港区", "嘉兴港区 管理委员会")]


@pytest.mark.e2e
def test_a_name_that_changes_what_an_older_name_stands_for_rebuilds_what_was_built(tmp_path):
    """余杭区政府办公室 2020 is built alone; then 杭州市余杭区人民政府办公室 2019 arrives: the older name now stands for
    the agency with the city, so the next build starts over, and equals a build of both at once."""
    from xxgk.build import build
    from xxgk.ingest import ingest

    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    (first / "2020.txt").write_text(_retitled("003", YUHANG, "余杭区政府办公室2020年度政府信息公开工作年度报告"),
                                    encoding="utf-8")
    (second / "2019.txt").write_text(_retitled("003", YUHANG, "杭州市" + YUHANG), encoding="utf-8")
    later, once = tmp_path / "later" / "warehouse.duckdb", tmp_path / "once" / "warehouse.duckdb"
    ingest([first], later, progress=False)
    assert build(later, target_dir=tmp_path / "t1", docs=False, quiet=True).success
    ingest([second], later, progress=False)
    again = build(later, target_dir=tmp_path / "t2", docs=False, quiet=True)
    assert again.success and again.full_refresh
    ingest([first], once, progress=False)
    ingest([second], once, progress=False)
    assert build(once, target_dir=tmp_path / "t3", docs=False, quiet=True).success
    for table in BUILT:
        assert table_rows(later, table) == table_rows(once, table), table
    assert q(later, "select agency, n_printed_names from marts.dim_agency") == [("杭州市余杭区人民政府办公室", 2)]
