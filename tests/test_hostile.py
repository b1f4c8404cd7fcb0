"""What a hostile tester broke: inputs shaped like real reports that once gave a wrong number, agency or
year. Each must now read right, or leave the cells unresolved: a wrong number is worse than a missing one.

The PDF-to-text files in tests/fixtures/hostile/ are real reports of tests/fixtures/real/ run through
common converters (pdfplumber, pdfminer.six); their truth is tests/fixtures/real/truth/.
"""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from loaders.assembly.report import parse_report, parse_source
from loaders.containers.html import html_document
from loaders.text.writer import write

FIXTURES = Path(__file__).parent / "fixtures"
TITLE = "某某区人民政府2023年度政府信息公开工作年度报告\n"
T3_HEAD = "三、收到和处理政府信息公开申请情况\n\t申请人情况\n\n" \
          "\t自然人\n\t法人或其他组织\n\t总计\n\n\t商业企业\n\t科研机构\n\t社会公益组织\n\t法律服务机构\n\t其他\n\n"
LINE_HEAD = "三、收到和处理政府信息公开申请情况\n自然人 法人或其他组织 总计\n商业企业 科研机构 社会公益组织 法律服务机构 其他\n"
T4_HEAD = "四、政府信息公开行政复议、行政诉讼情况\n"
ZEROS = "0 0 0 0 0 0 0"


def tab_row(labels: list[str], values: str) -> str:
    """A table row in the tab dialect; values as '5 0 _ 3' ('_' a blank cell)."""
    return "".join(f"\t{x}\n" for x in labels) + "".join(f"\t{'' if v == '_' else v}\n" for v in values.split()) + "\n"


def cells(text: str | bytes, table: str = "t3") -> dict[str, list]:
    report = parse_source(text) if isinstance(text, bytes) else parse_report(text)
    out: dict[str, list] = {}
    for c in report.cells:
        if c.table_id == table:
            out.setdefault(c.row_key, []).append(c.value)
    return out


def truth(name: str, table: str = "t3") -> dict[str, list]:
    out: dict[str, list] = {}
    for row in csv.DictReader(open(FIXTURES / "real" / "truth" / f"{name}.csv", encoding="utf-8")):
        if row["table_id"] == table:
            out.setdefault(row["row_key"], []).append(float(row["value"]) if row["status"] == "number" else None)
    return out


def test_a_header_printed_again_inside_table_3_names_no_row():
    text = (TITLE + T3_HEAD + tab_row(["一、本年新收政府信息公开申请数量"], "30 0 0 0 0 0 30")
            + tab_row(["（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"], ZEROS)
            + T3_HEAD.split("\n", 3)[3]  # the header again (a page break), then the rest
            + tab_row(["3.其他"], "5 0 0 0 0 0 5") + tab_row(["（七）总计"], "30 0 0 0 0 0 30") + T4_HEAD)
    got = cells(text)
    assert (got["other_misc"], got["total_processed"]) == ([5, 0, 0, 0, 0, 0, 5], [30, 0, 0, 0, 0, 0, 30])


def test_pdf_text_whose_labels_wrap_around_their_numbers_reads_every_row():
    """Real 012.pdf as pdfplumber prints it: labels above, beside and below their numbers."""
    got = cells((FIXTURES / "hostile" / "012-pdfplumber.txt").read_bytes())
    assert got == truth("012")


def test_pdf_text_written_column_by_column_is_not_read():
    """Real 001 (Chromium print) as pdfminer prints it: label blocks, then number blocks."""
    got = cells((FIXTURES / "hostile" / "001-pdfminer.txt").read_bytes())
    want = truth("001")
    assert [(k, v, want.get(k)) for k, vs in got.items() for v in vs if v is not None] == []


@pytest.mark.parametrize("text, row, values", [
    # A label cut by a line break, its numbers beside its first line; the next row's label cut short.
    (LINE_HEAD + "（六）其他处理1.申请人 40 1 0 0 2 0 43\n无正当理由逾期不补正、行\n政机关不再处理其政府信息\n公开申请\n"
     "2.申请人逾期未按收费通 0 0 0 0 0 0 0\n知要求缴纳费用、行政机关\n3.其他 264 12 0 0 0 0 276\n",
     "other_overdue_correction", [40, 1, 0, 0, 2, 0, 43]),
    # The last line of a wrapped label is one character.
    (LINE_HEAD + "4.无正当理由大量反复申\n请 1 0 0 0 0 0 1\n5.要求行政机关确认或重新出具已获取信息 0 0 0 0 0 0 0\n",
     "rejected_excessive", [1, 0, 0, 0, 0, 0, 1]),
    # Blank cells print nothing in PDF text: two numbers for seven columns are not cut into seven.
    (LINE_HEAD + "一、本年新收政府信息公开申请数量 1822 1822\n", "new_received", [None] * 7),
    # A label with a typo, placed by its number in its group.
    (LINE_HEAD + "（三）不予公开\n1.属于国家秘密 0 0 0 0 0 0 0\n2.其他法律行政止公开 3 0 0 0 0 0 3\n",
     "denied_prohibited_by_law", [3, 0, 0, 0, 0, 0, 3]),
])
def test_pdf_text_rows(text, row, values):
    assert cells(TITLE + text + T4_HEAD)[row] == values


@pytest.mark.parametrize("cell, value", [("26①", 26), ("26¹", 26), ("26※", 26), ("２６", 26)])
def test_a_footnote_mark_is_not_a_digit(cell, value):
    got = cells(TITLE + T3_HEAD + tab_row(["一、本年新收政府信息公开申请数量"], f"{cell} 0 0 0 0 0 {cell}") + T4_HEAD)
    assert got["new_received"] == [value, 0, 0, 0, 0, 0, value]


def html_t3(first_cell: str) -> bytes:
    cols = "".join(f"<td>{c}</td>" for c in ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"])
    return (f"<html><body><h1>{TITLE}</h1><p>三、收到和处理政府信息公开申请情况</p><table><tr><td></td>{cols}</tr>"
            f"<tr><td>一、本年新收政府信息公开申请数量</td><td>{first_cell}</td>" + "<td>0</td>" * 5
            + "<td>26</td></tr></table><p>四、政府信息公开行政复议、行政诉讼情况</p></body></html>").encode()


@pytest.mark.parametrize("first_cell, value", [
    ("2<span style='display:none'>0</span>6", 26),  # Word's hidden text
    ("2<del>0</del>6", 26),  # a tracked deletion
    ("<p>2</p><p>6</p>", None),  # two paragraphs in a cell are two numbers, not 26
    ("2<br>6", None),
    ("2<span>6</span>", 26),  # a number split across runs is one
    ("26<sup>1</sup>", 26),  # a footnote mark
])
def test_html_cells_read_as_a_browser_shows_them(first_cell, value):
    assert cells(html_t3(first_cell))["new_received"][0] == value


@pytest.mark.parametrize("noncharacter", ["\ufdd0", "\ufdd3", "&#xFDD3;", "&#64977;"])
def test_a_page_holding_the_flattenings_markers_is_laid_out_as_any_other(noncharacter):
    # html_document marks line breaks, text ends and cells with these noncharacters: one in the page is read as
    # U+FFFD, never as a marker that would end a cell early or break a line.
    page = f"<p>共{noncharacter}3件</p><table><tr><td>2{noncharacter}6</td><td>7</td></tr></table>"
    assert write(html_document(page)).text == "共\ufffd3件\n\n\t2\ufffd6\n\t7\n"


def test_an_empty_column_after_the_total_does_not_shift_a_row_that_starts_blank():
    text = (TITLE + T3_HEAD + tab_row(["一、本年新收政府信息公开申请数量"], "3 2 _ _ _ _ 5 _")
            + tab_row(["6.属于四类过程性信息"], "_ 2 _ _ _ _ 2 _") + T4_HEAD)
    # The 2s stay in 商业企业 and 总计; the blanks beside them are 0 by the row's own sum (derived).
    assert cells(text)["denied_process_info"] == [0, 2, 0, 0, 0, 0, 2]


def test_a_total_column_printed_first_is_read_as_the_total():
    header = "\t总计\n\t自然人\n\t法人或其他组织\n\n\t商业企业\n\t科研机构\n\t社会公益组织\n\t法律服务机构\n\t其他\n\n"
    text = (TITLE + "三、收到和处理政府信息公开申请情况\n\t申请人情况\n\n" + header
            + tab_row(["一、本年新收政府信息公开申请数量"], "12 10 2 0 0 0 0") + T4_HEAD)
    report = parse_report(text)
    got = {c.col_key: c.value for c in report.cells if c.row_key == "new_received"}
    assert (got["total"], got["natural_person"], got["commercial_enterprise"]) == (12, 10, 2)


T4_LINE_HEAD = (T4_HEAD + "行政复议 行政诉讼\n结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉\n"
                "结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计\n")


@pytest.mark.parametrize("text, review", [
    # One blank cell prints nothing, and a page number stands under the table: not 15 numbers.
    (T4_LINE_HEAD + "2 1 0 0 3 1 0 0 0 1 0 0 0 0\n6\n", [None] * 5),
    # Table 4 as three labelled rows of five.
    (T4_HEAD + "\t\n\t结果维持\n\t结果纠正\n\t其他结果\n\t尚未审结\n\t总计\n\n" + tab_row(["行政诉讼（复议后起诉）"], "0 0 0 0 0")
     + tab_row(["行政复议"], "2 1 0 0 3") + tab_row(["行政诉讼（未经复议直接起诉）"], "1 0 0 0 1"), [2, 1, 0, 0, 3]),
    # A data row led by 件数.
    (T4_HEAD + tab_row(["件数"], "2 1 0 0 3 1 0 0 0 1 0 0 0 0 0"), [2, 1, 0, 0, 3]),
])
def test_table_4_rows(text, review):
    assert cells(TITLE + text + "五、存在的主要问题及改进情况\n无。\n", "t4")["review"] == review


def test_a_table_of_contents_does_not_take_the_tables():
    report = (FIXTURES / "real" / "009.html").read_bytes().decode("utf-8")
    toc = ("<p>目录</p><p>一、总体情况</p><p>二、主动公开政府信息情况</p><p>三、收到和处理政府信息公开申请情况</p>"
           "<p>四、政府信息公开行政复议、行政诉讼情况</p><p>五、存在的主要问题及改进情况</p>")
    at = report.index("一、")
    with_toc = parse_source((report[:at] + toc + report[at:]).encode())
    assert cells(with_toc.normalised_text) == cells((FIXTURES / "real" / "009.html").read_bytes())


@pytest.mark.parametrize("head, agency, year", [
    # Crawler page metadata above the body.
    ("标题: 平潭综合实验区2022年度政府信息公开工作年度报告\n本地目录: zwgk/zfxxgknb/202302/80629_平潭综合实验区2022年度政府信息公开工作年度报告\n"
     "==================== 正文 ====================\n平潭综合实验区2022年政府信息公开工作年度报告\n", "平潭综合实验区", 2022),
    # The agency on its own line above the title.
    ("- 1 -\n洪泽区人民政府\n2023 年政府信息公开工作年度报告\n本报告由淮安市洪泽区人民政府办公室根据要求编制。\n", "洪泽区人民政府", 2023),
    # A notice publishing the report.
    ("淮安市洪泽区人民政府办公室关于印发淮安市洪泽区人民政府2023年度政府信息公开工作年度报告的通知\n", "淮安市洪泽区人民政府", 2023),
    # Links to other years' reports under the title.
    ("甲县人民政府2023年度政府信息公开工作年度报告\n您可能还关注：\n甲县人民政府2022年度政府信息公开工作年度报告\n", "甲县人民政府", 2023),
    # A radical PDF text layers print for 民.
    ("上海市人\u2ea0政府办公厅2023年度政府信息公开工作年度报告\n", "上海市人民政府办公厅", 2023),
])
def test_agency_and_year_from_the_title(head, agency, year):
    report = parse_report(head + "一、总体情况\n2023年，本机关认真贯彻落实《条例》，全年主动公开政府信息1200条。\n"
                          + T3_HEAD + tab_row(["一、本年新收政府信息公开申请数量"], "1 0 0 0 0 0 1") + T4_HEAD)
    assert (report.agency, report.year) == (agency, year)


def test_a_table_cut_at_the_page_edge_is_not_read():
    """Real 001.html printed by Chromium with thin borders: the 总计 column is cut by the page's edge,
    so its text layer holds "8" for 859. The rows then do not add up: not read."""
    got = cells((FIXTURES / "hostile" / "001-cut-at-page-edge.pdf").read_bytes())
    assert all(v is None for vs in got.values() for v in vs)


# --- round 2 ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("head, agency", [
    ("某某区司法局\n2023年度政府信息公开工作年度报告\n", "某某区司法局"),  # the agency on the line above
    ("某某区（县）司法局2023年度政府信息公开工作年度报告\n", "某某区(县)司法局"),  # a name with a part in brackets
    ("现将本局2023年度政府信息公开工作年度报告公布如下。\n", None),  # a sentence, not a title: no agency
])
def test_agency_of_titles_as_agencies_print_them(head, agency):
    report = parse_report(head + "一、总体情况\n2023年，本机关认真贯彻落实《条例》。\n" + T3_HEAD
                          + tab_row(["一、本年新收政府信息公开申请数量"], "1 0 0 0 0 0 1") + T4_HEAD)
    assert (report.agency, report.year) == (agency, 2023)


def test_pdf_text_a_merged_column_printed_before_the_labels():
    """三、本年度办理结果 one character a line, in front of wrapped labels: each row keeps its numbers."""
    text = (TITLE + LINE_HEAD + "一、本年新收政府信息公开 20 0 0 0 0 0 20\n申请数量\n度 （三） 1.属于国家秘密 4 0 0 0 0 0 4\n"
            "办 不予公 2.其他法律行政 0 0 0 0 0 0 0\n理 开 法规禁止公开\n结 3.危及“三安全 1 0 0 0 0 0 1\n果 一稳定”\n" + T4_HEAD)
    got = cells(text)
    assert (got["denied_prohibited_by_law"], got["denied_security_stability"]) == ([0] * 7, [1, 0, 0, 0, 0, 0, 1])


def test_table_4_printed_transposed_is_not_read():
    text = (TITLE + T4_HEAD + "行政复议 未经复议直接起诉 复议后起诉\n结果维持 5 3 1\n结果纠正 1 0 0\n其他结果 0 1 0\n"
            "尚未审结 2 0 0\n总计 8 4 1\n五、存在的主要问题及改进情况\n无。\n")
    assert all(v is None for vs in cells(text, "t4").values() for v in vs)


def test_a_flattened_page_whose_blanks_print_nothing_cuts_no_run():
    """"18221822" is 1822 … 1822 with five blanks, or 1,8,2,2,1,8,22: a page whose blanks vanish cuts nothing."""
    body = ("一、本年新收政府信息公开申请数量18221822二、上年结转政府信息公开申请数量55三、本年度办理结果（一）予以公开1822"
            "1822（七）总计18221822")
    got = cells(TITLE + "一、总体情况" + "。" * 300 + "三、收到和处理政府信息公开申请情况自然人总计" + body
                + "四、政府信息公开行政复议、行政诉讼情况")
    assert all(v is None for vs in got.values() for v in vs)


def test_a_report_whose_totals_are_wrong_keeps_its_numbers_where_columns_are_certain():
    """An HTML table is a grid: rows that do not add up are the report's errors, not a misread."""
    rows = "".join(f"<tr><td>{label}</td><td>5</td>" + "<td>0</td>" * 5 + "<td>6</td></tr>"
                   for label in ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "（一）予以公开"])
    html = (f"<html><body><p>{TITLE}</p><p>三、收到和处理政府信息公开申请情况</p><table><tr><td></td>"
            + "".join(f"<td>{c}</td>" for c in ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"])
            + f"</tr>{rows}</table><p>四、政府信息公开行政复议、行政诉讼情况</p></body></html>")
    assert cells(html.encode())["new_received"] == [5, 0, 0, 0, 0, 0, 6]
