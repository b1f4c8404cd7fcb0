"""Raw bytes → text: which container the bytes are (told by the bytes, never by the file name), and the
encoding of a text file (BOM, strict decoding).

A container is read by its own module (pdf, word, html, markdown) into a ``Document`` (loaders/document.py),
which the one writer (loaders/text/writer.py) brings to the *tab dialect* of the text dumps (a table cell
is a line that starts with a tab, a blank line ends a table row, other lines are prose).
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from itertools import islice

from .markdown import MD_SEPARATOR

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
_IMAGES = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
_UNREADABLE = {
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
    """'pdf', 'docx' (any ZIP: the DOCX reader says if it is not a Word document), 'image' (PNG, JPEG, TIFF:
    page scans, read by OCR), 'ole' (a legacy .doc or .wps: converted by LibreOffice) or 'text'.

    Raises RejectedInput for binary formats that are recognised but not read.

    >>> sniff_container(b"%PDF-1.7\\n"), sniff_container(b"PK\\x03\\x04..."), sniff_container("年报".encode())
    ('pdf', 'docx', 'text')
    """
    if data[:1024].lstrip()[:5] == b"%PDF-" or b"%PDF-" in data[:1024]:
        return "pdf"
    if data[:4] in _ZIP:
        return "docx"
    if data.startswith(_IMAGES):
        return "image"
    if data.startswith(_OLE):
        return "ole"
    for magic, why in _UNREADABLE.items():
        if data.startswith(magic):
            raise RejectedInput(why)
    return "text"



# --- format sniffing -----------------------------------------------------------------------
_HTML_HINT = re.compile(r"<\s*(html|body|table|div|p|td|tr|span|meta|head)\b", re.I)


def sniff_format(text: str) -> str:
    """'html', 'markdown' or 'text', from the content (file names lie).

    >>> sniff_format("<p>x</p><table><tr><td>1</td></tr></table>"), sniff_format("| a | b |\\n|---|---|")
    ('html', 'markdown')
    """
    # The cheap substring tests first: most reports are plain text dumps.
    if "<" in text and len(list(islice(_HTML_HINT.finditer(text, 0, 200000), 2))) == 2:
        return "html"
    if "---" in text and "|" in text and MD_SEPARATOR.search(text):
        return "markdown"
    return "text"
