"""Canonical keys (see canonical-keys.md) and the label fragments that identify them.

Labels are matched after ``norm_label``: simplified script, no whitespace, ASCII brackets and
digits. Each table is a list of (key, fragments); the first entry whose fragment occurs wins, so
more specific fragments come first.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_STRIP = re.compile(r"[\s\u3000\xa0:：、.．·,，。;；\"“”'‘’]+")


@lru_cache(maxsize=8192)  # the same labels recur in every report
def norm_label(text: str) -> str:
    """Fold a label for matching.

    >>> norm_label("（三）\\n不予公开 ")
    '(三)不予公开'
    """
    return _STRIP.sub("", unicodedata.normalize("NFKC", text))


# --- table 3 -------------------------------------------------------------------------------
T3_COLUMNS = [
    ("natural_person", ("自然人",)),
    ("commercial_enterprise", ("商业企业",)),
    ("research_institution", ("科研机构",)),
    ("social_welfare_org", ("社会公益组织", "公益组织")),
    ("legal_service_org", ("法律服务机构",)),
    ("legal_person_subtotal", ("小计",)),
    ("total", ("总计", "合计")),
    ("other_org", ("其他",)),
]
T3_COLUMN_ORDER = [
    "natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
    "legal_service_org", "other_org", "legal_person_subtotal", "total",
]

T3_ROWS = [
    ("new_received", ("本年新收",)),
    ("carried_over", ("上年结转",)),
    ("carried_forward", ("结转下年度", "继续办理")),
    ("partially_granted", ("部分公开",)),
    ("granted", ("予以公开",)),
    ("denied_state_secret", ("国家秘密",)),
    ("denied_prohibited_by_law", ("禁止公开",)),
    ("denied_security_stability", ("三安全一稳定",)),
    ("denied_third_party_rights", ("第三方合法权益",)),
    ("denied_internal_affairs", ("内部事务",)),
    ("denied_process_info", ("过程性信息",)),
    ("denied_enforcement_file", ("执法案卷",)),
    ("denied_inquiry_matter", ("查询事项",)),
    ("unable_not_held", ("不掌握",)),
    ("unable_needs_creation", ("另行制作",)),
    ("unable_unclear", ("仍不明确",)),
    ("rejected_petition", ("信访举报投诉", "信访")),
    ("rejected_duplicate", ("重复申请",)),
    ("rejected_publication", ("公开出版物",)),
    ("rejected_excessive", ("大量反复",)),
    ("rejected_confirmation", ("确认或重新出具", "重新出具")),
    ("other_overdue_correction", ("逾期不补正",)),
    ("other_overdue_fee", ("缴纳费用", "收费通知")),
    ("other_handling", ("其他处理",)),
    ("total_processed", ("(七)总计", "(七)合计")),
]
# Template order of table 3 rows (T3_ROWS is in matching order, most specific first).
T3_ROW_ORDER = [
    "new_received", "carried_over", "granted", "partially_granted",
    "denied_state_secret", "denied_prohibited_by_law", "denied_security_stability", "denied_third_party_rights",
    "denied_internal_affairs", "denied_process_info", "denied_enforcement_file", "denied_inquiry_matter",
    "unable_not_held", "unable_needs_creation", "unable_unclear",
    "rejected_petition", "rejected_duplicate", "rejected_publication", "rejected_excessive", "rejected_confirmation",
    "other_handling", "other_overdue_correction", "other_overdue_fee", "other_misc",
    "total_processed", "carried_forward",
]
# Group labels that carry no values of their own.
T3_GROUPS = ("本年度办理结果", "(三)不予公开", "(四)无法提供", "(五)不予处理", "不予公开", "无法提供", "不予处理")

# --- table 4 -------------------------------------------------------------------------------
T4_ROWS = ["review", "litigation_direct", "litigation_after_review"]
T4_COLUMNS = ["upheld", "corrected", "other_result", "pending", "total"]

# --- table 2 -------------------------------------------------------------------------------
T2_COLUMNS = [
    ("made", ("本年新制作数量", "新制作")),
    ("published", ("本年新公开数量", "新公开")),
    ("total_published", ("对外公开总数量", "公开总数")),
    ("prior_year_items", ("上一年项目数量", "上年项目数量")),
    ("change", ("本年增/减", "本年增减", "增/减", "增减")),
    ("decisions", ("处理决定数量",)),
    ("procurement_items", ("采购项目数量",)),
    ("procurement_amount", ("采购总金额",)),
    ("issued", ("本年制发件数", "制发件数")),
    ("repealed", ("本年废止件数", "废止件数")),
    ("in_force", ("现行有效件数", "有效件数")),
    ("fee_amount", ("本年收费金额", "收费金额")),
]
T2_ROWS = [
    ("regulations", ("规章",)),
    ("normative_documents", ("规范性文件",)),
    ("other_services", ("其他对外管理服务事项", "对外管理服务事项")),
    ("licensing", ("行政许可",)),
    ("penalty", ("行政处罚",)),
    ("coercion", ("行政强制",)),
    ("fees", ("行政事业性收费",)),
    ("procurement", ("政府集中采购", "集中采购")),
]
T2_MONEY_COLUMNS = {"procurement_amount", "fee_amount"}
# Columns only one template has; they decide the template from table 2.
T2_TEMPLATE_COLUMNS = {
    "made": "2019", "published": "2019", "total_published": "2019", "prior_year_items": "2019",
    "change": "2019", "procurement_items": "2019", "procurement_amount": "2019",
    "issued": "2021", "repealed": "2021", "in_force": "2021", "fee_amount": "2021",
}


def match(label: str, table: list[tuple[str, tuple[str, ...]]]) -> str | None:
    """First key whose fragment occurs in the (normalised) label.

    >>> match("(四)无法提供1本机关不掌握相关政府信息", T3_ROWS)
    'unable_not_held'
    >>> match("规范性文件", T2_ROWS), match("行政规范性文件", T2_ROWS)
    ('normative_documents', 'normative_documents')
    """
    for key, fragments in table:
        for fragment in fragments:
            if fragment in label:
                return key
    return None


@lru_cache(maxsize=8192)
def t3_row_key(label: str, in_other_group: bool) -> str | None:
    """Table 3 row key for a normalised label; ``3其他`` only means other_misc under （六）.

    >>> t3_row_key("3其他", in_other_group=True), t3_row_key("(六)其他处理", in_other_group=False)
    ('other_misc', 'other_handling')
    """
    if in_other_group and re.fullmatch(r"(\(六\)其他处理)?3?其他", label):
        return "other_misc"
    key = match(label, T3_ROWS)
    if key is None and re.fullmatch(r"(\(七\))?(总计|合计)", label):
        return "total_processed"
    return key


@lru_cache(maxsize=8192)
def t2_column(label: str) -> str | None:
    """Table 2 column key of a normalised header label.

    >>> t2_column("本年收费金额(单位万元)"), t2_column("信息内容")
    ('fee_amount', None)
    """
    return match(label, T2_COLUMNS)


@lru_cache(maxsize=8192)
def t2_row(label: str) -> str | None:
    """Table 2 row key of a normalised row label.

    >>> t2_row("行政规范性文件")
    'normative_documents'
    """
    return match(label, T2_ROWS)
