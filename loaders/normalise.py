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
    """
    try:
        root = lxml_html.document_fromstring(_XML_DECL.sub("", markup, count=1), parser=_HTML_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise RejectedInput(f"unreadable HTML: {exc}") from None
    _drop_hidden(root)
    # The page's <title> first: some crawled pages print the report's title nowhere else.
    title = _fold_space(root.findtext(".//title") or "").strip()
    out: list[str] = [title, "\n"] if title else []
    _walk(root, out)
    return re.sub(r"\n{3,}", "\n\n", "".join(out)).strip("\n") + "\n"


# Plain lxml elements: lxml.html's element classes cost a Python lookup for every element walked.
_HTML_PARSER = etree.HTMLParser(recover=True, huge_tree=False, remove_comments=True)


@lru_cache(maxsize=8192)  # the same runs of layout whitespace and cell texts recur on every page
def _fold_space(text: str) -> str:
    return _SPACE.sub(" ", text)


def _walk(node, out: list[str]) -> None:
    # Iterative walk: reports nested thousands of tags deep must not hit the recursion limit.
    stack: list = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        if item.tail:
            stack.append(_fold_space(item.tail))
        tag = item.tag.lower() if isinstance(item.tag, str) else ""
        if not tag or tag in _SKIP:
            continue
        if tag == "tr" and next(item.iter("table"), None) is None:
            stack.append(_row_text(item))
            continue
        block = tag in _BLOCK or tag in ("td", "th", "tr")
        if block:
            stack.append("\n")
        stack.extend(reversed(item))
        if item.text:
            stack.append(_fold_space(item.text))
        if block:
            stack.append("\n")


# Text a browser does not show: Word's hidden runs and tracked deletions. Read, "26" with a deleted "0"
# would be 260.
_HIDDEN = re.compile(r"display\s*:\s*none|mso-hide\s*:\s*all|visibility\s*:\s*hidden", re.I)


def _drop_hidden(root) -> None:
    """Remove what is not shown (``<del>``, hidden styles), keeping the text that follows it."""
    hidden = [el for el in root.iter("del", "DEL") if el.getparent() is not None]
    hidden += [el for el in root.xpath("//*[@style]") if _HIDDEN.search(el.get("style", ""))]
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


def _text_of(element) -> str:
    """All the text inside a table cell, its lines and paragraphs kept apart by a space: "3<br>5" is
    two numbers, not 35 (Word splits numbers across inline runs, never across lines); superscripts
    (footnote marks) left out."""
    if not len(element):  # a cell holding only text, as most do
        return element.text or ""
    # One pass over a snapshot: a <br> inside a removed <sup> is edited in vain, never read.
    for inner in list(element.iter("sup", "br", "p", "div", "li")):
        if inner is element:
            continue
        if inner.tag == "sup":  # a footnote mark: "26<sup>1</sup>" is 26
            parent = inner.getparent()
            if parent is not None:
                previous = inner.getprevious()
                if inner.tail and previous is not None:
                    previous.tail = (previous.tail or "") + inner.tail
                elif inner.tail:
                    parent.text = (parent.text or "") + inner.tail
                parent.remove(inner)
        elif inner.tag == "br":
            inner.tail = " " + (inner.tail or "")
        else:
            inner.text = " " + (inner.text or "")
    return etree.tostring(element, method="text", encoding="unicode", with_tail=False)


def _row_text(tr) -> str:
    cells = [c for c in tr if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]
    lines = ["\t" + _fold_space(_text_of(c)).strip() for c in cells]
    return "\n" + "\n".join(lines) + "\n\n" if lines else ""


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
_HAS_COMPAT = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _COMPAT_RANGES) + "]")


def fold_compat(text: str) -> str:
    """Kangxi radicals and full-width digits as the characters they stand for, same length.

    >>> text = "行政复议"
    >>> fold_compat("⾏政复议 ２０２３"), fold_compat(text) is text
    ('行政复议 2023', True)
    """
    return text.translate(_COMPAT) if _HAS_COMPAT.search(text) else text


# --- script ------------------------------------------------------------------------------------
# Common characters that exist only in traditional script; a handful decide the script.
_TRADITIONAL = re.compile("[開報與為會關這個們來時說對發學經過動後當長還現從產種進實頭體應點處數業議訴訟復請區機華條門網資務據總結計審維糾審辦處認規範實聯營廢現]")


def detect_script(text: str) -> str:
    """'traditional' when traditional-only characters are common, else 'simplified'.

    >>> detect_script("政府信息公開工作年度報告，總體情況"), detect_script("政府信息公开工作年度报告")
    ('traditional', 'simplified')
    """
    hits = len(_TRADITIONAL.findall(text[:50000]))
    return "traditional" if hits >= 3 else "simplified"


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
