"""What the tests share: the sample reports, a warehouse built from files, and a query on one."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from xxgk.build import build
from xxgk.ingest import ingest

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


def q(db: Path, sql: str, *params) -> list[tuple]:
    """Rows of ``sql`` on ``db``, opened read-only and briefly, as analysts do."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def xxgk(*args, **kw) -> subprocess.CompletedProcess:
    """The command line, as a scheduler runs it."""
    return subprocess.run([sys.executable, "-m", "xxgk.cli", *args], capture_output=True, text=True, **kw)


def warehouse_from(tmp: Path, files: dict[str, str]) -> Path:
    """A warehouse ingested and built from report texts by file name."""
    raw = tmp / "raw"
    raw.mkdir()
    for name, text in files.items():
        (raw / name).write_text(text, encoding="utf-8")
    db = tmp / "warehouse.duckdb"
    ingest([raw], db, progress=False)
    assert build(db, target_dir=tmp / "target", docs=False, quiet=True).success
    return db


def findings(db: Path, where: str = "true") -> set[tuple]:
    """dq.findings as (agency, check, severity, table, row, column, expected, actual)."""
    return set(q(db, f"select agency, check_id, severity, table_id, row_key, col_key, expected, actual "
                     f"from dq.findings where {where}"))


# Table 3 as a PDF's text or a crawler's dump prints it: a row's label, then its numbers on the same line.
T3_LABELS_2021 = {
    "new_received": "一、本年新收政府信息公开申请数量", "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "（一）予以公开", "partially_granted": "（二）部分公开",
    "denied_state_secret": "（三）不予公开 1.属于国家秘密", "denied_prohibited_by_law": "2.其他法律行政法规禁止公开",
    "denied_security_stability": "3.危及“三安全一稳定”", "denied_third_party_rights": "4.保护第三方合法权益",
    "denied_internal_affairs": "5.属于三类内部事务信息", "denied_process_info": "6.属于四类过程性信息",
    "denied_enforcement_file": "7.属于行政执法案卷", "denied_inquiry_matter": "8.属于行政查询事项",
    "unable_not_held": "（四）无法提供 1.本机关不掌握相关政府信息", "unable_needs_creation": "2.没有现成信息需要另行制作",
    "unable_unclear": "3.补正后申请内容仍不明确", "rejected_petition": "（五）不予处理 1.信访举报投诉类申请",
    "rejected_duplicate": "2.重复申请", "rejected_publication": "3.要求提供公开出版物",
    "rejected_excessive": "4.无正当理由大量反复申请", "rejected_confirmation": "5.要求行政机关确认或重新出具已获取信息",
    "other_overdue_correction": "（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other_overdue_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other_misc": "3.其他", "total_processed": "（七）总计", "carried_forward": "四、结转下年度继续办理",
}


def text_report(t3: dict[str, str], t4: str = "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0", drop: tuple[str, ...] = ()) -> str:
    """A 2021 report as text with no table rows (a PDF's text, a crawler's dump): each table-3 row its label and
    then its numbers as given (spaced, or glued: "270020130"); rows not given are seven zeros, rows in ``drop``
    are left out."""
    rows = "\n".join(f"{label} {t3.get(key, '0 0 0 0 0 0 0')}" for key, label in T3_LABELS_2021.items()
                     if key not in drop)
    return ("某区人民政府2023年度政府信息公开工作年度报告\n一、总体情况\n2023年，本机关依法办理政府信息公开申请。\n"
            "三、收到和处理政府信息公开申请情况\n申请人情况\n自然人 法人或其他组织 总计\n"
            f"商业企业 科研机构 社会公益组织 法律服务机构 其他\n{rows}\n"
            "四、政府信息公开行政复议、行政诉讼情况\n行政复议 行政诉讼\n"
            "结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉\n"
            f"{t4}\n五、存在的主要问题及改进情况\n无。\n")


def printed(cell) -> tuple[str, float | None]:
    """(value_kind, value) of a cell as the report prints it: a blank or dash the loader derived a value for
    (from the printed cells, value_kind derived) is the blank or dash it is."""
    if cell.value_kind == "derived":
        return ("dash", None) if cell.raw_text else ("blank", None)
    return cell.value_kind, cell.value

_ARTEFACTS: list[Path] = []


@pytest.fixture(scope="session")
def artefacts(tmp_path_factory) -> Path:
    """Where the screenshots of the browser tests go, named in the run's summary: $XXGK_TEST_ARTEFACTS, else a folder
    of pytest's (it keeps its last three runs')."""
    folder = Path(os.environ["XXGK_TEST_ARTEFACTS"]) if os.environ.get("XXGK_TEST_ARTEFACTS") else \
        tmp_path_factory.mktemp("artefacts")
    folder.mkdir(parents=True, exist_ok=True)
    _ARTEFACTS.append(folder)
    return folder


def pytest_terminal_summary(terminalreporter):
    for folder in _ARTEFACTS:
        if shots := sorted(folder.glob("*.png")):
            terminalreporter.write_line(f"screenshots of the browser tests: {len(shots)} in {folder}")
