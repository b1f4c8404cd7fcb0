"""The sample reports (data/raw) and every cell of their tables 2, 3 and 4, written by hand from the source files;
helpers that write a table as a report prints it.

A row is written as the report prints it: numbers, '_' for a blank cell. Rows not listed for
table 3 are all zeros.
"""
from __future__ import annotations

import re
from pathlib import Path

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REAL = FIXTURES / "real"
# Seed 003 (余杭区人民政府办公室, 2019) and the same report retitled for 2020: the agency's next year.
SEED_003 = (RAW / "003_287cca442e0f5e9d.txt").read_text("utf-8")
SEED_003_NEXT_YEAR = SEED_003.replace("余杭区人民政府办公室2019年度", "余杭区人民政府办公室2020年度", 1)
# The total of 四、结转下年度继续办理 in a sample report's text: tests change it to make a version that disagrees.
CARRIED_FORWARD_TOTAL = re.compile(r"(\t四、结转下年度继续办理\n(?:\t\d*\n){6}\t)(\d+)")

T3_ROWS_2019 = [
    "new_received", "carried_over", "granted", "partially_granted",
    "denied_state_secret", "denied_prohibited_by_law", "denied_security_stability", "denied_third_party_rights",
    "denied_internal_affairs", "denied_process_info", "denied_enforcement_file", "denied_inquiry_matter",
    "unable_not_held", "unable_needs_creation", "unable_unclear",
    "rejected_petition", "rejected_duplicate", "rejected_publication", "rejected_excessive", "rejected_confirmation",
    "other_handling", "total_processed", "carried_forward",
]
T3_ROWS_2021 = [r for r in T3_ROWS_2019 if r != "other_handling"]
T3_ROWS_2021[T3_ROWS_2021.index("total_processed"):T3_ROWS_2021.index("total_processed")] = [
    "other_overdue_correction", "other_overdue_fee", "other_misc"]
T3_COLS = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
           "legal_service_org", "other_org", "total"]
T4_COLS = [(r, c) for r in ("review", "litigation_direct", "litigation_after_review")
           for c in ("upheld", "corrected", "other_result", "pending", "total")]

SEEDS = {
    "000_a53dafdc1942ec52.txt": dict(
        agency="杭州钱塘新区管理委员会", year=2020, template="2019", script="simplified",
        t3={
            "new_received": "35 3 0 0 0 0 38",
            "granted": "18 3 0 0 0 0 21",
            "partially_granted": "9 0 0 0 0 0 9",
            "denied_process_info": "1 0 0 0 0 0 1",
            "unable_not_held": "1 0 0 0 0 0 1",
            "rejected_duplicate": "1 0 0 0 0 0 1",
            "other_handling": "5 0 0 0 0 0 5",
            "total_processed": "35 3 0 0 0 0 38",
        },
        t4="0 0 0 0 0  0 0 0 1 1  0 0 0 0 0",
        t2={
            ("regulations", "made"): 0, ("regulations", "published"): 0, ("regulations", "total_published"): 0,
            ("normative_documents", "made"): 26, ("normative_documents", "published"): 26,
            ("normative_documents", "total_published"): 32,
            **{(r, c): 0 for r in ("licensing", "other_services", "penalty", "coercion")
               for c in ("prior_year_items", "change", "decisions")},
            ("fees", "prior_year_items"): 0, ("fees", "change"): 0,
            ("procurement", "procurement_items"): 43, ("procurement", "procurement_amount"): 182_000_000,
        },
    ),
    "001_09edeb7c8eff9db0.txt": dict(
        agency="东新街道", year=2020, template="2019", script="simplified",
        t3={
            "new_received": "2 0 0 0 0 0 2",
            "unable_not_held": "2 0 0 0 0 0 2",
            "total_processed": "2 0 0 0 0 0 2",
        },
        t4="0 0 0 0 0  0 0 0 0 0  0 0 0 0 0",
        t2={
            **{(r, c): 0 for r in ("regulations", "normative_documents")
               for c in ("made", "published", "total_published")},
            **{(r, c): 0 for r in ("licensing", "other_services", "penalty", "coercion")
               for c in ("prior_year_items", "change", "decisions")},
            ("fees", "prior_year_items"): 0, ("fees", "change"): 0,
            ("procurement", "procurement_items"): 29, ("procurement", "procurement_amount"): 37_551_661.7,
        },
    ),
    "002_49a35c6be02d9886.txt": dict(
        agency="杭州钱江经济开发区", year=2022, template="2021", script="traditional",
        t3={
            "new_received": "2 0 0 0 0 0 2",
            "granted": "1 0 0 0 0 0 1",
            "denied_security_stability": "1 0 0 0 0 0 1",
            "total_processed": "2 0 0 0 0 0 2",
        },
        t4="0 0 0 0 0  0 0 0 0 0  0 0 0 0 0",
        t2={
            **{(r, c): 0 for r in ("regulations", "normative_documents") for c in ("issued", "repealed", "in_force")},
            ("licensing", "decisions"): 0, ("penalty", "decisions"): 0, ("coercion", "decisions"): 0,
            ("fees", "fee_amount"): 0,
        },
    ),
    "003_287cca442e0f5e9d.txt": dict(
        agency="余杭区人民政府办公室", year=2019, template="2019", script="simplified",
        t3={
            "new_received": "107 15 0 0 0 0 122",
            "granted": "20 4 0 0 0 0 24",
            "denied_third_party_rights": "1 0 0 0 0 0 1",
            "denied_internal_affairs": "0 1 0 0 0 0 1",
            "denied_process_info": "1 0 0 0 0 0 1",
            "unable_not_held": "73 10 0 0 0 0 83",
            "rejected_petition": "2 0 0 0 0 0 2",
            "other_handling": "3 0 0 0 0 0 3",
            "total_processed": "100 15 0 0 0 0 115",
            "carried_forward": "6 1 0 0 0 0 7",
        },
        t4="8 1 0 2 11  9 0 0 1 10  1 0 0 0 1",
        t2={
            ("regulations", "made"): 0, ("regulations", "published"): 0, ("regulations", "total_published"): 0,
            ("normative_documents", "made"): 10, ("normative_documents", "published"): 10,
            ("normative_documents", "total_published"): 94,
            **{(r, c): 0 for r in ("licensing", "other_services", "penalty", "coercion")
               for c in ("prior_year_items", "change", "decisions")},
            ("fees", "prior_year_items"): 0, ("fees", "change"): 0,
            ("procurement", "procurement_items"): 0, ("procurement", "procurement_amount"): 0,
        },
    ),
    "004_a92a32fafe21a486.txt": dict(
        agency="嘉兴港区", year=2020, template="2019", script="simplified",
        t3={
            "new_received": "62 _ _ _ _ _ 62",
            "carried_over": "7 _ _ _ _ _ 7",
            "granted": "59 _ _ _ _ _ 59",
            "partially_granted": "10 _ _ _ _ _ 10",
            **{r: "_ _ _ _ _ _ _" for r in T3_ROWS_2019[4:21]},
            "total_processed": "69 _ _ _ _ _ 69",
            "carried_forward": "0 _ _ _ _ _ 0",
        },
        t4="0 0 0 0 0  0 0 0 0 0  0 0 0 0 0",
        t2={
            **{(r, c): 0 for r in ("regulations", "normative_documents")
               for c in ("made", "published", "total_published")},
            ("licensing", "prior_year_items"): 335, ("licensing", "change"): -18, ("licensing", "decisions"): 1484,
            ("other_services", "prior_year_items"): 684, ("other_services", "change"): 107,
            ("other_services", "decisions"): 637,
            ("penalty", "prior_year_items"): 1279, ("penalty", "change"): 913, ("penalty", "decisions"): 13647,
            ("coercion", "prior_year_items"): 18, ("coercion", "change"): 55, ("coercion", "decisions"): 661,
            ("fees", "prior_year_items"): 15, ("fees", "change"): 0,
            ("procurement", "procurement_items"): 126, ("procurement", "procurement_amount"): 126_337_813.74,
        },
    ),
}


def _cell(token: str):
    return ("blank", None) if token == "_" else ("number", float(token))


def expected_cells(seed: dict) -> dict[tuple[str, str, str], tuple[str, float | None]]:
    rows = T3_ROWS_2021 if seed["template"] == "2021" else T3_ROWS_2019
    out = {}
    for row in rows:
        tokens = seed["t3"].get(row, "0 0 0 0 0 0 0").split()
        for col, token in zip(T3_COLS, tokens, strict=True):
            out[("t3", row, col)] = _cell(token)
    for (row, col), token in zip(T4_COLS, seed["t4"].split(), strict=True):
        out[("t4", row, col)] = _cell(token)
    for (row, col), value in seed["t2"].items():
        out[("t2", row, col)] = ("number", float(value))
    return out


def table(rows: dict[str, str], row_keys: list[str], cols: list[str]) -> dict:
    """{(row, col): (kind, value)} from rows written as '1 0 _ /' (default: all zeros)."""
    kinds = {"_": ("blank", None), "/": ("dash", None), "?": ("text", None)}
    out = {}
    for row in row_keys:
        tokens = rows.get(row, " ".join(["0"] * len(cols))).split()
        for col, tok in zip(cols, tokens, strict=True):
            out[(row, col)] = kinds.get(tok) or ("number", float(tok))
    return out


def cells_of(report, table_id: str) -> dict:
    """A table's cells as printed (a blank the loader derived a value for is the blank it is)."""
    return {(c.row_key, c.col_key): printed(c) for c in report.cells if c.table_id == table_id}


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
