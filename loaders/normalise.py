"""Raw bytes → one normalised text, whatever the source format.

Every format is brought to the *tab dialect* of the text dumps: a table cell is a line that
starts with a tab, a blank line ends a table row, other lines are prose. Offsets and line numbers
of cells (provenance) refer to this normalised text, which the warehouse stores beside the raw bytes.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from functools import lru_cache
from itertools import islice
from dataclasses import dataclass

from lxml import etree, html as lxml_html

# Real reports are well under 5 MB even as Word HTML; beyond this a file is not one report.
MAX_REPORT_BYTES = 20 * 1024 * 1024
MAX_TEXT_CHARS = 2_000_000


class RejectedInput(ValueError):
    """The input is not a report we can read; the message says why and what to do."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


def decode_bytes(data: bytes) -> Decoded:
    """Detect the encoding from the bytes themselves (BOM, strict decoding), never assume it.

    >>> decode_bytes("年度报告".encode("gb18030")).encoding
    'gb18030'
    >>> decode_bytes(codecs.BOM_UTF16_LE + "年度".encode("utf-16-le")).text
    '年度'
    """
    if not data.strip():
        raise RejectedInput("empty file: no text to parse")
    if len(data) > MAX_REPORT_BYTES:
        raise RejectedInput(f"file of {len(data)} bytes exceeds the {MAX_REPORT_BYTES}-byte limit for one report "
                            "(is it several reports, or not a report?)")
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
                      (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return Decoded(_decode(data, name), name)
    if b"\x00" in data[:4096]:  # UTF-8 and GB18030 text has no NUL bytes; UTF-16 usually does
        guess = _utf16_without_bom(data)
        if guess:
            return guess
    for name in ("utf-8", "gb18030"):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        return Decoded(_check_text(text), name)
    guess = _utf16_without_bom(data)  # pure-CJK UTF-16 need not contain a single NUL
    if guess:
        return guess
    raise RejectedInput("cannot decode: not UTF-8, UTF-16 or GB18030 text (binary file?)")


def _plausible_share(text: str) -> float:
    """Share of characters a Chinese report is made of; low for text decoded with the wrong byte order."""
    sample = text[:4000]
    ok = sum(1 for ch in sample if ch in "\t\n\r" or " " <= ch <= "~" or "\u4e00" <= ch <= "\u9fff"
             or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" or "\u2000" <= ch <= "\u206f")
    return ok / max(1, len(sample))


def _utf16_without_bom(data: bytes) -> Decoded | None:
    best = None
    for name in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        share = _plausible_share(text)
        if share > 0.9 and (best is None or share > best[0]):
            best = (share, name, text)
    return Decoded(_check_text(best[2]), best[1]) if best else None


def _decode(data: bytes, name: str) -> str:
    try:
        return _check_text(data.decode(name))
    except UnicodeDecodeError as exc:
        raise RejectedInput(f"invalid {name} text at byte {exc.start}") from None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _check_text(text: str) -> str:
    controls = len(_CONTROL.findall(text, 0, 20000))
    if controls > max(8, len(text[:20000]) // 100):
        raise RejectedInput(f"binary content: {controls} control characters in the first 20000; not a text or HTML report")
    if len(text) > MAX_TEXT_CHARS:
        raise RejectedInput(f"text of {len(text)} characters exceeds the {MAX_TEXT_CHARS} limit for one report")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")


# --- containers --------------------------------------------------------------------------
# Binary formats told by their first bytes. Those we cannot read are rejected with what to do.
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")  # a file entry, or the end record of an empty ZIP
_CONVERT = ("convert it to .docx or PDF first (e.g. `libreoffice --headless --convert-to docx FILE`, "
            "or Save As .docx in WPS/Word)")
# What an OLE2 compound file holds, told by the name of a stream in its directory (names are
# stored in UTF-16LE). WPS 文字 writes .wps in Word's binary format, with the same WordDocument
# stream; Microsoft Works' .wps has none and falls to the last message.
_OLE_STREAMS = (
    ("EncryptedPackage", "a password-protected Office document (an encrypted .docx), which is not read: open it, "
                         "remove the password, save it as .docx and ingest that"),
    ("WordDocument", f"a Word 97–2003 (.doc) or WPS (.wps) binary document, which is not read: {_CONVERT}"),
    ("Workbook", "an Excel 97–2003 workbook (.xls), not a report document: save the report as .docx or PDF"),
    ("PowerPoint Document", "a PowerPoint 97–2003 presentation (.ppt), not a report document: "
                            "save the report as .docx or PDF"),
)
_UNREADABLE = {
    b"\x89PNG": "an image (PNG), not a text report: OCR it first",
    b"\xff\xd8\xff": "an image (JPEG), not a text report: OCR it first",
    b"Rar!": "a RAR archive: unpack it and ingest the files inside",
    b"\x1f\x8b": "a gzip archive: unpack it and ingest the files inside",
}


def ole_kind(data: bytes) -> str:
    """What an OLE2 compound file is, and what to do with it, from the names of its streams.

    >>> ole_kind(_OLE + "WordDocument".encode("utf-16-le")).split(",")[0]
    'a Word 97–2003 (.doc) or WPS (.wps) binary document'
    """
    for stream, why in _OLE_STREAMS:
        if stream.encode("utf-16-le") in data:
            return why
    return f"an OLE2 compound file (an Office 97–2003, WPS or Works binary document), which is not read: {_CONVERT}"


def sniff_container(data: bytes) -> str:
    """'pdf', 'docx' (any ZIP: the DOCX reader says if it is not a Word document) or 'text'.

    Raises RejectedInput for binary formats that are recognised but not read.

    >>> sniff_container(b"%PDF-1.7\\n"), sniff_container(b"PK\\x03\\x04..."), sniff_container("年报".encode())
    ('pdf', 'docx', 'text')
    """
    if data[:1024].lstrip()[:5] == b"%PDF-" or b"%PDF-" in data[:1024]:
        return "pdf"
    if data[:4] in _ZIP:
        return "docx"
    if data.startswith(_OLE):
        raise RejectedInput(ole_kind(data))
    for magic, why in _UNREADABLE.items():
        if data.startswith(magic):
            raise RejectedInput(why)
    return "text"


# --- format sniffing -----------------------------------------------------------------------
_HTML_HINT = re.compile(r"<\s*(html|body|table|div|p|td|tr|span|meta|head)\b", re.I)
_MD_ROW = re.compile(r"^\s*\|.*\|\s*$", re.M)
_MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$", re.M)


def sniff_format(text: str) -> str:
    """'html', 'markdown' or 'text', from the content (file names lie).

    >>> sniff_format("<p>x</p><table><tr><td>1</td></tr></table>"), sniff_format("| a | b |\\n|---|---|")
    ('html', 'markdown')
    """
    # The cheap substring tests first: most reports are plain text dumps.
    if "<" in text and len(list(islice(_HTML_HINT.finditer(text, 0, 200000), 2))) == 2:
        return "html"
    if "---" in text and "|" in text and _MD_SEPARATOR.search(text):
        return "markdown"
    return "text"


# --- HTML → tab dialect ----------------------------------------------------------------------
_BLOCK = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article",
          "header", "footer", "ul", "ol", "tbody", "thead", "table", "title", "center", "blockquote", "pre", "hr"}
_SKIP = {"script", "style", "noscript", "template", "svg", "head", "iframe", "object", "button", "select", "option"}
_SPACE = re.compile(r"[ \t\r\n\f\v\xa0\u3000]+")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>")


def html_to_text(markup: str) -> str:
    """Flatten HTML: prose becomes lines, each innermost table cell a tab-led line.

    Tables that contain tables are layout (site chrome), so their cells are treated as blocks.
    Inline runs are concatenated, so "20</span><span>23" reads 2023.

    >>> html_to_text("<p>一、总体情况</p><table><tr><td>规章</td><td>1<span>0</span></td></tr></table>")
    '一、总体情况\\n\\n\\t规章\\n\\t10\\n'
    >>> html_to_text("<table><tr><td><p>3</p><p>5</p></td><td>26<sup>1</sup></td><td>4<br>0</td></tr></table>")
    '\\t3 5\\n\\t26\\n\\t4 0\\n'
    """
    if any(m in markup for m in _MARKERS) or "&#" in markup:
        markup = _MARKER_CHARACTER.sub("\ufffd", markup)
    try:
        root = lxml_html.document_fromstring(_XML_DECL.sub("", markup, count=1), parser=_HTML_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise RejectedInput(f"unreadable HTML: {exc}") from None
    _drop_hidden(root)
    # The page's <title> first: some crawled pages print the report's title nowhere else.
    title = _SPACE.sub(" ", root.findtext(".//title") or "").strip()
    marked = str(_FLATTEN(root))
    # Each text node is folded on its own (a run of spaces split by a tag stays two), a cell's text as a
    # whole, then trimmed; the markers stop a run of spaces at a node's end and keep the tabs and line
    # breaks the stylesheet wrote out of the folding.
    text = _CELL.sub(_cell_line, _SPACE.sub(" ", marked)).replace(_NODE_END, "").replace(_BREAK, "\n")
    return re.sub(r"\n{3,}", "\n\n", (f"{title}\n" if title else "") + text).strip("\n") + "\n"


# Plain lxml elements: lxml.html's element classes cost a Python lookup for every element walked.
_HTML_PARSER = etree.HTMLParser(recover=True, huge_tree=False, remove_comments=True)
# Markers the stylesheet writes around what it lays out: noncharacters, which no text should hold; a page
# that does hold one (as a character or a reference) has it read as U+FFFD, so every marker is the stylesheet's.
_BREAK, _NODE_END, _CELL_START, _CELL_END = "\ufdd0", "\ufdd1", "\ufdd2", "\ufdd3"
_MARKERS = "".join((_BREAK, _NODE_END, _CELL_START, _CELL_END))
_MARKER_CHARACTER = re.compile(f"[{_MARKERS}]|&#(?:[xX]0*[fF][dD][dD][0-3](?![0-9a-fA-F])|0*6497[6-9](?![0-9]));?")
_CELL = re.compile(f"{_CELL_START}([^{_CELL_END}]*){_CELL_END}")


def _cell_line(cell: re.Match) -> str:
    return "\t" + cell[1].strip()


def _stylesheet() -> etree.XSLT:
    """The page laid out in one pass in C (libxslt): a block is its text between line breaks; a table row
    that holds no table is its cells, one a line; skipped elements give nothing.

    Inside a cell, what a browser shows on one line: the text of its paragraphs and lines kept apart by
    a space ("3<br>5" is two numbers, not 35: Word splits numbers across inline runs, never across
    lines), superscripts (footnote marks) left out, "26<sup>1</sup>" is 26.
    """
    blocks = "|".join(sorted(_BLOCK | {"td", "th", "tr"}))
    skipped = "|".join(sorted(_SKIP))
    br, end, cell, cell_end = (f"&#x{ord(c):X};" for c in _MARKERS)
    return etree.XSLT(etree.XML(f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text" encoding="UTF-8"/>
<xsl:template match="/"><xsl:apply-templates select="*"/></xsl:template>
<xsl:template match="{skipped}"/>
<xsl:template match="{blocks}">{br}<xsl:apply-templates/>{br}</xsl:template>
<xsl:template match="tr[not(.//table)]"><xsl:if test="td|th">{br}<xsl:for-each select="td|th"><xsl:if
  test="position() &gt; 1">{br}</xsl:if>{cell}<xsl:apply-templates mode="cell"/>{cell_end}</xsl:for-each
  >{br}{br}</xsl:if></xsl:template>
<xsl:template match="text()"><xsl:value-of select="."/>{end}</xsl:template>
<xsl:template match="sup" mode="cell"/>
<xsl:template match="p|div|li" mode="cell"><xsl:text> </xsl:text><xsl:apply-templates mode="cell"/></xsl:template>
<xsl:template match="br" mode="cell"><xsl:text> </xsl:text></xsl:template>
</xsl:stylesheet>"""))


_FLATTEN = _stylesheet()


# Text a browser does not show: Word's hidden runs and tracked deletions. Read, "26" with a deleted "0"
# would be 260.
_HIDDEN = re.compile(r"display\s*:\s*none|mso-hide\s*:\s*all|visibility\s*:\s*hidden", re.I)
_STYLES = etree.XPath("//@style")  # a third of the time of "//*[@style]"


def _drop_hidden(root) -> None:
    """Remove what is not shown (``<del>``, hidden styles), keeping the text that follows it."""
    hidden = [el for el in root.iter("del", "DEL") if el.getparent() is not None]
    hidden += [style.getparent() for style in _STYLES(root) if _HIDDEN.search(style)]
    for el in hidden:
        parent = el.getparent()
        if parent is None:
            continue
        if el.tail:
            previous = el.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + el.tail
            else:
                parent.text = (parent.text or "") + el.tail
        parent.remove(el)


# --- markdown → tab dialect --------------------------------------------------------------------
def markdown_to_text(text: str) -> str:
    """Markdown pipe tables become tab-led cells; other lines stay as they are.

    >>> markdown_to_text("| 规章 | 0 |\\n|---|---|\\n| 规范性文件 | 3 |")
    '\\t规章\\n\\t0\\n\\n\\t规范性文件\\n\\t3\\n'
    """
    out: list[str] = []
    for line in text.split("\n"):
        if "|" not in line:  # neither a row nor a separator
            out.append(line)
        elif _MD_SEPARATOR.fullmatch(line):
            continue
        elif _MD_ROW.fullmatch(line):
            if out and out[-1]:  # a table row starts a row of its own, apart from text above it
                out.append("")
            out.extend(_md_cells(line))
            out.append("")
        else:
            out.append(line)
    return "\n".join(out).rstrip("\n") + "\n"


_MD_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_MD_EMPHASIS = re.compile(r"\*\*|__")
_MD_BREAK = re.compile(r"<br\s*/?>", re.I)


@lru_cache(maxsize=4096)  # table rows repeat across reports
def _md_cells(row: str) -> tuple[str, ...]:
    """A pipe-table row's cells as tab-led lines, emphasis dropped, a line break a space ("3<br>5" is two
    numbers)."""
    return tuple("\t" + _MD_BREAK.sub(" ", _MD_EMPHASIS.sub("", c)).strip()
                 for c in _MD_CELL_SPLIT.split(row.strip())[1:-1])


# --- compatibility characters ----------------------------------------------------------------
# PDF text layers print Kangxi radicals for look-alike ideographs (⾏ U+2F8F for 行) and reports type
# full-width digits; NFKC folds both to the characters the vocabulary is written in. Only the
# characters that fold to exactly one character are folded, so every offset stays where it was.
_COMPAT_RANGES = ((0x2E80, 0x2EF3), (0x2F00, 0x2FD5), (0xF900, 0xFAFF), (0xFF10, 0xFF19))
_COMPAT = {cp: folded for lo, hi in _COMPAT_RANGES for cp in range(lo, hi + 1)
           if len(folded := unicodedata.normalize("NFKC", chr(cp))) == 1 and folded != chr(cp)}
# Radicals of the CJK Radicals Supplement that PDF text layers print for whole characters, which NFKC
# leaves as they are (⺠ U+2EA0 for 民): their equivalent ideographs (Unicode's EquivalentUnifiedIdeograph).
_COMPAT |= {ord(radical): ideograph for radical, ideograph in zip(
    "⺟⺠⺩⺼⻄⻅⻆⻉⻊⻋⻓⻔⻗⻚⻛⻜⻝⻢⻣⻤⻥⻦⻨⻩⻬⻮⻰⻳", "母民王月西见角贝足车长门雨页风飞食马骨鬼鱼鸟麦黄齐齿龙龟")}
_COMPAT_CLASS = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _COMPAT_RANGES)
_HAS_COMPAT = re.compile(f"[{_COMPAT_CLASS}]")


def fold_compat(text: str) -> str:
    """Kangxi radicals and full-width digits as the characters they stand for, same length.

    >>> text = "行政复议"
    >>> fold_compat("⾏政复议 ２０２３"), fold_compat(text) is text
    ('行政复议 2023', True)
    """
    return text.translate(_COMPAT) if _HAS_COMPAT.search(text) else text


# --- script ------------------------------------------------------------------------------------
# Common characters that exist only in traditional script; a handful decide the script.
_TRADITIONAL_CHARS = "開報與為會關這個們來時說對發學經過動後當長還現從產種進實頭體應點處數業議訴訟復請區機華條門網資務據總結計審維糾審辦處認規範實聯營廢現"
_TRADITIONAL = re.compile(f"[{_TRADITIONAL_CHARS}]")


_SCRIPT_SAMPLE = 50000  # characters read to tell the script


def detect_script(text: str) -> str:
    """'traditional' when traditional-only characters are common, else 'simplified'.

    >>> detect_script("政府信息公開工作年度報告，總體情況"), detect_script("政府信息公开工作年度报告")
    ('traditional', 'simplified')
    """
    return _script(len(_TRADITIONAL.findall(text, 0, _SCRIPT_SAMPLE)))


def _script(traditional_hits: int) -> str:
    return "traditional" if traditional_hits >= 3 else "simplified"


# A compatibility form or a traditional-only character: both found in one scan.
_COMPAT_OR_TRADITIONAL = re.compile(f"[{_COMPAT_CLASS}{_TRADITIONAL_CHARS}]")


def fold_and_detect(text: str) -> tuple[str, str]:
    """``fold_compat(text)`` and its script, in one scan of the text where it holds no compatibility
    form (most text: folding can make a traditional-only character, ⾨ → 門, so such text is folded first).

    >>> fold_and_detect("政府信息公開工作年度報告，總體情況"), fold_and_detect("⾏政复议 ２０２３")
    (('政府信息公開工作年度報告，總體情況', 'traditional'), ('行政复议 2023', 'simplified'))
    """
    hits = _COMPAT_OR_TRADITIONAL.findall(text, 0, _SCRIPT_SAMPLE)
    if _HAS_COMPAT.search("".join(hits)) or _HAS_COMPAT.search(text, _SCRIPT_SAMPLE):
        folded = fold_compat(text)
        return folded, detect_script(folded)
    return text, _script(len(hits))


_converter = None


def to_simplified(text: str) -> str:
    """Traditional → simplified with OpenCC, keeping every character at its offset.

    Offsets must survive so that a cell found in the converted text points at the same place
    in the stored original; lines whose phrase conversion changes length fall back to
    character-by-character conversion.

    >>> to_simplified("錢江經濟開發區")
    '钱江经济开发区'
    """
    global _converter
    if _converter is None:
        import opencc

        _converter = opencc.OpenCC("t2s")
    converted = _converter.convert(text)
    if len(converted) == len(text):
        return converted
    lines = []
    for line in text.split("\n"):
        new = _converter.convert(line)
        if len(new) != len(line):
            new = "".join(c if len(c) == 1 else ch for ch, c in ((ch, _converter.convert(ch)) for ch in line))
        lines.append(new)
    return "\n".join(lines)
