"""Word input: DOCX files written with python-docx from real reports read back cell for cell;
legacy and hostile files rejected with a specific reason, in bounded time and memory.

The DOCX files are built here (tests/docx_files.py) from the real HTML reports 009 (2021
template) and 001 (2019 template), merged exactly as those reports merge their cells, and from
the five seed reports' values put into those real tables.
"""
from __future__ import annotations

import io
import random
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import duckdb
import pytest

from loaders.assembly.report import parse_source
from loaders.containers.word import MAX_ENTRIES, docx_document, minimal_docx
from loaders.text.writer import write
from tests.support.docx_files import WORD_TYPES, bomb_docx, compound_file, html_to_docx, real_tables, seed_to_docx
from tests.support.samples import (
    RAW,
    SEEDS,
    T3_COLS,
    T3_ROWS_2019,
    T3_ROWS_2021,
    T4_COLS,
    cells_of,
    expected_cells,
    table,
)
from tests.support.samples import printed as as_printed
from xxgk.ingest import ingest

REAL = Path(__file__).parent / "fixtures" / "real"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"


# --- real reports rebuilt as Word documents ------------------------------------------------------------
# Every cell of tables 3 and 4 as the reports print them ('_' a blank cell), read by hand from the
# HTML files: what most table-3 rows print, then the rows that print something else.
REAL_REPORTS = {
    "009.html": dict(
        agency="沭阳县发展和改革局", year=2023, template="2021", rows=T3_ROWS_2021,
        t3={**{row: "0 _ _ _ _ _ 0" for row in T3_ROWS_2021},
            "new_received": "26 _ _ _ _ _ 26", "granted": "26 _ _ _ _ _ 26", "total_processed": "26 _ _ _ _ _ 26"},
        t4="0 0 0 1 1  0 0 0 0 0  0 0 0 0 0",
    ),
    "001.html": dict(
        agency="上海市人民政府办公厅", year=2019, template="2019", rows=T3_ROWS_2019,
        t3={**{row: "_ _ _ _ _ _ _" for row in T3_ROWS_2019},
            "new_received": "821 35 _ _ 2 1 859",
            "carried_over": "18 _ _ _ _ _ 18",
            "granted": "258 12 _ _ 1 1 _",  # the 总计 column is blank from （一） to （六）
            "partially_granted": "3 _ _ _ _ _ _",
            "denied_state_secret": "14 _ _ _ _ _ _",
            "denied_internal_affairs": "5 _ _ _ _ _ _",
            "denied_process_info": "3 1 _ _ _ _ _",
            "denied_inquiry_matter": "10 2 _ _ _ _ _",
            "unable_not_held": "252 12 _ _ 1 _ _",
            "unable_needs_creation": "44 3 _ _ _ _ _",
            "unable_unclear": "25 _ _ _ _ _ _",
            "rejected_petition": "148 1 _ _ _ _ _",
            "rejected_duplicate": "5 4 _ _ _ _ _",
            "total_processed": "767 35 _ _ 2 1 805",
            "carried_forward": "72 _ _ _ _ _ 72"},
        t4="5 _ _ 2 7  8 _ _ 1 9  _ _ _ _ _",
    ),
}


@pytest.fixture(scope="module", params=sorted(REAL_REPORTS))
def real_docx(request):
    name = request.param
    markup = (REAL / name).read_text("utf-8")
    return name, parse_source(html_to_docx(markup)), parse_source(markup.encode("utf-8"))


def test_real_report_metadata(real_docx):
    name, got, _ = real_docx
    want = REAL_REPORTS[name]
    assert (got.status, got.error, got.source_format) == ("loaded", None, "docx")
    assert (got.agency, got.year, got.template) == (want["agency"], want["year"], want["template"])


def test_real_report_every_table_3_and_4_cell(real_docx):
    name, got, _ = real_docx
    want = REAL_REPORTS[name]
    assert cells_of(got, "t3") == table(want["t3"], want["rows"], T3_COLS)
    t4 = table({"x": want["t4"]}, ["x"], [str(i) for i in range(15)])
    assert cells_of(got, "t4") == dict(zip(T4_COLS, t4.values()))


def test_real_report_reads_as_its_html_does(real_docx):
    """The same report as Word and as Word-pasted HTML: the same cells of tables 2, 3 and 4."""
    _, got, html = real_docx
    assert [c[:7] for c in got.cells] == [c[:7] for c in html.cells]
    assert {(f.metric, f.value) for f in got.facts} == {(f.metric, f.value) for f in html.facts}


# Table 3's header as each report prints it: 009 breaks 商业 企业 and 科研 机构 with a space.
HEADER_OF_TABLE_3 = {
    name: ("\t（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\n\t申请人情况\n\n"
           f"\t自然人\n\t法人或其他组织\n\t总计\n\n\t{business}\n\t{research}\n\t社会公益组织\n\t法律服务机构\n"
           "\t其他\n\n")
    for name, business, research in (("009.html", "商业 企业", "科研 机构"), ("001.html", "商业企业", "科研机构"))}


def test_merged_cells_read_as_the_html_reads_them(real_docx):
    """申请人情况 spans table 3's header rows, 法人或其他组织 five columns, 三、本年度办理结果 the result
    rows: each is printed once, where its merge starts."""
    name, got, _ = real_docx
    text = got.normalised_text
    table3 = text[text.index("\t（本列数据的勾稽关系"): text.index("四、结转下年度继续办理")]
    assert table3.startswith(HEADER_OF_TABLE_3[name])
    assert table3.count("三、本年度办理结果") == table3.count("（三）不予公开") == 1
    assert "\t三、本年度办理结果\n\t（一）予以公开\n" in table3


def test_provenance_points_at_the_printed_cell(real_docx):
    _, got, _ = real_docx
    lines = got.normalised_text.split("\n")
    for c in got.cells:
        assert got.normalised_text[c.char_offset: c.char_offset + len(c.raw_text)] == c.raw_text
        assert lines[c.line_no - 1].strip().startswith(c.raw_text)


# --- the seed reports' values in real Word tables -------------------------------------------------------
@pytest.fixture(scope="module")
def layouts():
    """Tables 2, 3 and 4 of a real report of each template, on their grids with their merges."""
    return {"2021": real_tables((REAL / "009.html").read_text("utf-8")),
            "2019": real_tables((REAL / "001.html").read_text("utf-8"))}


def printed(col: str, value: float) -> str:
    """A table-2 value as a report prints it; an amount with its unit, which the 2019 header lacks.

    >>> printed("procurement_amount", 37_551_661.7), printed("change", -18.0)
    ('37551661.7元', '-18')
    """
    text = str(int(value)) if value == int(value) else repr(value)
    return text + "元" if col == "procurement_amount" else text


def seed_values(seed: dict) -> dict[str, list[str]]:
    """The seed's values in the reading order of the real tables' value cells."""
    rows = T3_ROWS_2021 if seed["template"] == "2021" else T3_ROWS_2019
    blank = str.maketrans({"_": ""})
    return {"t3": [t.translate(blank) for row in rows for t in seed["t3"].get(row, "0 0 0 0 0 0 0").split()],
            "t4": [t.translate(blank) for t in seed["t4"].split()],
            "t2": [printed(col, value) for (_, col), value in seed["t2"].items()]}


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_in_word_every_cell(name, layouts):
    seed = SEEDS[name]
    data = seed_to_docx((RAW / name).read_text("utf-8"), layouts[seed["template"]], seed_values(seed))
    got = parse_source(data)
    assert (got.status, got.error) == ("loaded", None)
    assert (got.agency, got.year, got.template, got.script) == (
        seed["agency"], seed["year"], seed["template"], seed["script"])
    assert {(c.table_id, c.row_key, c.col_key): as_printed(c) for c in got.cells} == expected_cells(seed)


# --- what the reader does with Word's markup -----------------------------------------------------------
def cell(text: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def para(*runs: str) -> str:
    return "<w:p>" + "".join(f"<w:r><w:t xml:space='preserve'>{r}</w:t></w:r>" for r in runs) + "</w:p>"


MC = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
WPS = 'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
BOX = "<w:txbxContent>" + para("附件：", "公开目录") + "</w:txbxContent>"


@pytest.mark.parametrize("body, text", [
    pytest.param(para("嘉兴港区20", "20年度政府信息公开工作", "年度报告"),
                 "嘉兴港区2020年度政府信息公开工作年度报告\n", id="runs concatenated"),
    pytest.param("<w:p><w:r><w:t>一、总体情况</w:t><w:tab/><w:t>1</w:t></w:r></w:p>",
                 "一、总体情况 1\n", id="a tab in prose is a space, not a cell"),
    pytest.param("<w:p><w:r><w:t>嘉兴港区2020年度政府信息公开工作</w:t><w:br/><w:t>年度报告</w:t></w:r></w:p>",
                 "嘉兴港区2020年度政府信息公开工作\n年度报告\n", id="a line break in prose ends the line"),
    pytest.param("<w:p/><w:p><w:r><w:t> </w:t></w:r></w:p>" + para("一、总体情况"),
                 "一、总体情况\n", id="empty paragraphs dropped"),
    pytest.param("<w:tbl><w:tr>" + cell("申请人情况", '<w:vMerge w:val="restart"/>')
                 + cell("法人或其他组织", '<w:gridSpan w:val="2"/>') + "</w:tr><w:tr>" + cell("", "<w:vMerge/>")
                 + cell("商业企业") + cell("科研机构") + "</w:tr></w:tbl>",
                 "\t申请人情况\n\t法人或其他组织\n\n\t商业企业\n\t科研机构\n",
                 id="gridSpan one cell, vMerge continuation left out"),
    pytest.param("<w:tbl><w:tr>" + cell("规章", '<w:hMerge w:val="restart"/>') + cell("", '<w:hMerge/>')
                 + cell("0") + "</w:tr></w:tbl>", "\t规章\n\t0\n", id="legacy hMerge"),
    pytest.param("<w:tbl><w:tr><w:tc>" + para("3") + para("5") + "</w:tc><w:tc>"
                 + "<w:p><w:r><w:t>商业</w:t><w:br/><w:t>企业</w:t></w:r></w:p></w:tc></w:tr></w:tbl>",
                 "\t3 5\n\t商业 企业\n", id="paragraphs in a cell joined by a space: 3 5 is not 35"),
    pytest.param("<w:p><w:r><w:t>办结</w:t></w:r><w:del><w:r><w:delText>12</w:delText></w:r></w:del>"
                 "<w:ins><w:r><w:t>13</w:t></w:r></w:ins><w:moveFrom><w:r><w:t>9</w:t></w:r></w:moveFrom>"
                 "<w:r><w:t>件</w:t></w:r></w:p>", "办结13件\n", id="tracked changes as Word shows them"),
    pytest.param("<w:tbl><w:tr>" + cell("规章") + cell("1") + "</w:tr><w:tr><w:trPr><w:del/></w:trPr>" + cell("规章")
                 + cell("2") + "</w:tr></w:tbl>", "\t规章\n\t1\n", id="a deleted row"),
    pytest.param("<w:p><w:r><w:t>收到</w:t></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t>99</w:t></w:r>"
                 "<w:r><w:rPr><w:vanish w:val='0'/></w:rPr><w:t>25</w:t></w:r></w:p>", "收到25\n", id="hidden text"),
    pytest.param("<w:p><w:r><w:t>第</w:t></w:r><w:r><w:fldChar w:fldCharType='begin'/></w:r><w:r><w:instrText>"
                 " PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType='separate'/></w:r><w:r><w:t>3</w:t></w:r>"
                 "<w:r><w:fldChar w:fldCharType='end'/></w:r><w:r><w:t>页</w:t></w:r></w:p>",
                 "第3页\n", id="a field's result, not its code"),
    pytest.param(f"<w:p><w:r><w:t>正文</w:t></w:r><w:r><mc:AlternateContent {MC}><mc:Choice Requires='wps'>"
                 f"<w:drawing><wps:txbx {WPS}>{BOX}</wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict>"
                 f"{BOX}</w:pict></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t>完</w:t></w:r></w:p>",
                 "正文完\n附件：公开目录\n", id="a text box once, after its paragraph"),
    pytest.param("<w:tbl><w:tr><w:tc>" + para("二、主动公开政府信息情况") + "<w:tbl><w:tr>" + cell("规章") + cell("0")
                 + "</w:tr></w:tbl></w:tc></w:tr></w:tbl>" + para("三、收到和处理政府信息公开申请情况"),
                 "二、主动公开政府信息情况\n\n\t规章\n\t0\n\n三、收到和处理政府信息公开申请情况\n",
                 id="a layout table: its cells blocks, the inner table a table"),
    pytest.param("<w:sdt><w:sdtContent>" + para("标题") + "<w:tbl><w:sdt><w:sdtContent><w:tr>" + cell("0")
                 + "</w:tr></w:sdtContent></w:sdt></w:tbl></w:sdtContent></w:sdt>",
                 "标题\n\n\t0\n", id="content controls looked through"),
])
def test_word_markup_to_the_tab_dialect(body, text):
    assert docx_text(minimal_docx(body)) == (text, [])


def test_strict_open_xml_reads_as_transitional():
    body = para("嘉兴港区") + "<w:tbl><w:tr>" + cell("规章") + cell("0") + "</w:tr></w:tbl>"
    assert docx_text(minimal_docx(body, W_STRICT)) == docx_text(minimal_docx(body)) == (
        "嘉兴港区\n\n\t规章\n\t0\n", [])


def test_content_not_read_makes_the_report_partial():
    body = para("表格见附件") + "<w:p><w:r><w:object/></w:r></w:p><w:altChunk/>"
    assert docx_text(minimal_docx(body))[1] == [
        "docx: 1 embedded object(s) (e.g. an Excel table pasted as an object) not read",
        "docx: 1 imported chunk(s) (altChunk: HTML or RTF kept in another part) not read"]


# --- legacy and hostile files ------------------------------------------------------------------------------
def zip_of(parts: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def office_zip(content_type: str) -> bytes:
    """An Office Open XML package whose main part has ``content_type``."""
    return zip_of({"[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                   f'content-types"><Override PartName="/main.xml" ContentType="{content_type}"/></Types>',
                   "main.xml": "<x/>"})


def damaged(data: bytes) -> bytes:
    """``data`` with 64 bytes inside word/document.xml's compressed stream overwritten."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml")
    at = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.compress_size // 2
    return data[:at] + bytes(64) + data[at + 64:]


def dense_docx(tags: int) -> bytes:
    """A document part of ``tags`` XML tags in a few bytes each, that compresses as text does."""
    words = random.Random(0).randbytes(tags).hex()
    return minimal_docx("".join(f"<w:t>{words[k: k + 4]}</w:t>" for k in range(0, 2 * tags, 4)))


SAVE_AS = "save the report as .docx or PDF (File ▸ Save As in Word, WPS or LibreOffice) and ingest that"
GOOD = minimal_docx(para("规章"))
OOXML = "application/vnd.openxmlformats-officedocument"

# (file name, the file's bytes, the reason it is rejected for); names lie, as they do in the wild.
HOSTILE = [
    ("bomb.docx", lambda: bomb_docx(1 << 30),
     "to 1,073,741,824 bytes, over the 16,777,216-byte limit for one report: not read (a ZIP bomb, or not one report)"),
    ("bomb-declaring-1000-bytes.docx", lambda: bomb_docx(1 << 30, declared=1000),
     "corrupt DOCX: word/document.xml cannot be decompressed (Bad CRC-32 for file 'word/document.xml'); "
     "download or export the document again"),
    ("bomb-under-the-size-limit.docx", lambda: bomb_docx(8 << 20), " bytes), as only a ZIP bomb does: not read"),
    ("dense-xml.docx", lambda: dense_docx(1_100_000),
     "word/document.xml holds over 1,000,000 XML tags (a report has under 100,000): not read"),
    ("10001-entries.docx", lambda: zip_of({f"{k}.xml": "" for k in range(MAX_ENTRIES + 1)}),
     "a ZIP archive of 10,001 entries (a Word document has at most a few hundred): not read"),
    ("truncated.docx", lambda: GOOD[: len(GOOD) // 2],
     "corrupt ZIP container (File is not a zip file): the file is damaged or truncated; "
     "download or export the document again"),
    ("damaged.docx", lambda: damaged(GOOD), "corrupt DOCX: word/document.xml cannot be decompressed ("),
    ("not-xml.docx", lambda: minimal_docx("<w:p><w:r>"), "corrupt DOCX: word/document.xml is not well-formed XML ("),
    ("workbook-named.docx", lambda: office_zip(f"{OOXML}.spreadsheetml.sheet.main+xml"),
     f"an Excel workbook (.xlsx), not a Word document: {SAVE_AS}"),
    ("slides-named.docx", lambda: office_zip(f"{OOXML}.presentationml.presentation.main+xml"),
     f"a PowerPoint presentation (.pptx), not a Word document: {SAVE_AS}"),
    ("opendocument-named.docx",
     lambda: zip_of({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"}),
     f"an OpenDocument text (.odt), not a Word document: {SAVE_AS}"),
    ("ofd-named.docx", lambda: zip_of({"OFD.xml": "<ofd:OFD/>", "Doc_0/Document.xml": "<x/>"}),
     "an OFD document (China's fixed-layout format), not a Word document: export it to PDF and ingest that"),
    ("archive-named.docx", lambda: zip_of({"附件1.pdf": b"%PDF-1.4", "说明.txt": "年度报告"}),
     "a ZIP archive of 2 file(s) (附件1.pdf, 说明.txt), not a Word document: unpack it and ingest the files inside"),
    ("works.wps", lambda: compound_file({"CONTENTS": b"CHNKWKS", "SPELLING": b""}),
     "an OLE2 compound file (an Office 97–2003, WPS or Works binary document), which is not read: convert it to "
     ".docx or PDF first (e.g. `libreoffice --headless --convert-to docx FILE`, or Save As .docx in WPS/Word)"),
    ("password-protected.docx", lambda: compound_file({"EncryptionInfo": b"\x04\x00", "EncryptedPackage": b""}),
     "a password-protected Office document (an encrypted .docx), which is not read: open it, remove the password, "
     "save it as .docx and ingest that"),
    ("workbook-named.doc", lambda: compound_file({"Workbook": b"\x09\x08"}),
     "an Excel 97–2003 workbook (.xls), not a report document: save the report as .docx or PDF"),
]


@pytest.mark.parametrize("name, make, reason", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_legacy_and_hostile_files_are_rejected_quickly_with_what_they_are(name, make, reason):
    """Each in under two seconds, with a reason that says what the file is and what to do."""
    data = make()
    started = time.perf_counter()
    got = parse_source(data)
    assert time.perf_counter() - started < 2
    assert got.status == "rejected" and reason in got.error, got.error
    assert (got.cells, got.facts) == ([], [])


def with_document_xml(xml: str) -> bytes:
    return zip_of({"[Content_Types].xml": WORD_TYPES, "word/document.xml": xml})


def test_xml_entities_are_neither_expanded_nor_fetched():
    laughs = "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    bomb = with_document_xml(f'<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">{laughs}]>'
                             f'<w:document xmlns:w="{W}"><w:body>{para("&j;")}</w:body></w:document>')
    got = parse_source(bomb)
    assert got.status == "rejected" and "Maximum entity amplification factor exceeded" in got.error
    outside = with_document_xml('<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
                                f'<w:document xmlns:w="{W}"><w:body>{para("&x;")}</w:body></w:document>')
    assert docx_text(outside) == ("\n", [])


BOMB_PROBE = """
import resource, sys, time
from loaders.assembly.report import parse_source
data = open(sys.argv[1], "rb").read()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
got = parse_source(data)
print(got.status, time.perf_counter() - started, base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def docx_text(data: bytes) -> tuple[str, list[str]]:
    """A DOCX's text as the writer makes it, and what could not be read of it."""
    document = docx_document(data)
    return write(document).text, document.problems


@pytest.mark.parametrize("declared", [None, 1000], ids=["honest", "declaring 1,000 bytes"])
def test_a_gigabyte_zip_bomb_costs_milliseconds_and_no_memory(declared, tmp_path):
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(bomb_docx(1 << 30, declared))
    done = subprocess.run([sys.executable, "-c", BOMB_PROBE, str(bomb)], capture_output=True, text=True, check=True)
    status, seconds, base_kib, peak_kib = done.stdout.split()
    assert status == "rejected" and float(seconds) < 1
    assert int(peak_kib) - int(base_kib) < 20 * 1024  # the 1 MB file read and a few buffers, never the gigabyte
    print(f"1 GiB zip bomb ({declared=}): {float(seconds) * 1000:.0f} ms, peak RSS {int(peak_kib) / 1024:.0f} MiB "
          f"(+{(int(peak_kib) - int(base_kib)) / 1024:.1f} MiB over the process before parsing)")


def test_a_batch_with_bad_word_files_ingests_the_good_report(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    files = {"report.docx": html_to_docx((REAL / "009.html").read_text("utf-8")),
             **{name: make() for name, make, _ in HOSTILE}}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    summary = ingest([folder], tmp_path / "w.duckdb", progress=False)
    assert dict(summary.counts) == {"loaded": 1, "rejected": len(HOSTILE)}
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        rows = {Path(p).name: (status, error, bytes(raw)) for p, status, error, raw in con.execute(
            "select r.source_path, r.status, r.error, s.raw_bytes from raw.reports r "
            "join raw.report_sources s using (report_id)").fetchall()}
        (cells,) = con.execute("select count(*) from raw.report_cells join raw.reports using (report_id) "
                               "where agency = '沭阳县发展和改革局' and year = 2023").fetchone()
    assert rows["report.docx"][:2] == ("loaded", None) and cells == 200
    for name, _, reason in HOSTILE:
        status, error, raw = rows[name]
        assert status == "rejected" and reason in error and raw == files[name]
