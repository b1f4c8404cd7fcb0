"""DOCX → a Document: paragraphs as prose lines, tables as rows of cells.

The document body is read in order with lxml, straight from the ZIP. Not with python-docx: it
builds a Python object per paragraph, run and cell, at seven times the cost (bench/RESULTS.md),
and its paragraph text leaves out text boxes and the runs inside tracked insertions or content
controls ("办结", inserted "13", "件" in a control, reads 办结).

Tables come out exactly as ``html.html_document`` reads HTML tables: a horizontally merged
cell (``gridSpan``) is one
cell; the continuation of a vertically merged cell (``vMerge`` without ``restart``) is left out,
like the cells an HTML ``rowspan`` covers; a row holding a table is layout, so its cells are read
as blocks and the inner table as a table. Word splits words and numbers across runs ("20" "23");
runs are concatenated.

A DOCX is a ZIP, so the reader bounds what it decompresses before reading it: the number of
entries, the declared size and compression ratio of the document part, and the bytes actually
read (zip bombs). Pure: bytes in, a Document out.
"""
from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from lxml import etree

from ..document import Document, apart, table
from .decode import RejectedInput
from .html import SPACE as _SPACE

# A Word document has a few dozen parts, a few hundred with many images; the central directory
# of a ZIP with millions of entries would cost hundreds of MB before any check could run.
MAX_ENTRIES = 10_000
# A report's word/document.xml is well under 5 MB, even with every run formatted.
MAX_PART_BYTES = 16 * 1024 * 1024
# Real parts compress up to about 30:1 (styles.xml); deflate cannot pass about 1,030:1.
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024  # below this a part is too small to matter, whatever its ratio
# Tags in the part, each at most one parsed element: bounds the tree's memory (measured: about
# 120 MB for a million) for XML within the size limit but dense. A real report has under 100,000.
MAX_TAGS = 1_000_000
# [Content_Types].xml and an OpenDocument ``mimetype`` are a few KB.
MAX_SMALL_PART = 256 * 1024

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"


def docx_document(data: bytes) -> Document:
    """A DOCX file's bytes → its Document (and what could not be read of it).

    Raises RejectedInput, saying what the file is and what to do, for a ZIP that is not a Word
    document, a corrupt one, or one that would expand past the limits.

    >>> docx_document(minimal_docx(
    ...     '<w:p><w:r><w:t>嘉兴港区20</w:t></w:r><w:r><w:t>20年度报告</w:t></w:r></w:p>'
    ...     '<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>规章</w:t></w:r></w:p></w:tc>'
    ...     '<w:tc><w:p><w:r><w:t>1</w:t></w:r><w:r><w:t>0</w:t></w:r></w:p></w:tc></w:tr></w:tbl>'))
    Document(blocks=['嘉兴港区2020年度报告', '', Table(rows=[['规章', '10']], laid_out=False, page=None, box=None)], problems=[])
    """
    with _open_zip(data) as archive:
        part = _main_part(archive)
        xml = _read_part(archive, part, MAX_PART_BYTES)
    root = _parse_xml(xml, part)
    tags = _tags(etree.QName(root).namespace or "")
    body = root.find(tags.body)
    if body is None:
        raise RejectedInput(f"{part} has no document body (w:body): not a Word document; re-save it in Word or WPS")
    _drop_hidden_content(body, tags)
    problems = _unread_content(body, tags)
    doc = _Doc(tags, _detach_text_boxes(body, tags), _merge_continuations(body, tags),
               {tr for tbl in body.iter(tags.tbl) for tr in tbl.iterancestors(tags.tr)})
    blocks: list = []
    _blocks(body, doc, blocks)
    return Document(blocks, problems)


# --- the container -------------------------------------------------------------------------------
def _open_zip(data: bytes) -> zipfile.ZipFile:
    entries = _declared_entries(data)
    if entries is not None and entries > MAX_ENTRIES:
        many = f"{entries:,} or more" if entries == 0xFFFF else f"{entries:,}"
        raise RejectedInput(f"a ZIP archive of {many} entries (a Word document has at most a few hundred): not read")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, EOFError, ValueError, OSError) as exc:
        raise RejectedInput(f"corrupt ZIP container ({exc}): the file is damaged or truncated; "
                            "download or export the document again") from None


_EOCD = b"PK\x05\x06"


def _declared_entries(data: bytes) -> int | None:
    """Entries the ZIP's end record declares, read before the central directory is; None if absent.

    A ZIP64 archive declares 0xFFFF here, which is more than any Word document has.

    >>> buf = io.BytesIO()
    >>> with zipfile.ZipFile(buf, "w") as z:
    ...     z.writestr("a", "x"); z.writestr("b", "y")
    >>> _declared_entries(buf.getvalue()), _declared_entries(b"PK\\x03\\x04 truncated")
    (2, None)
    """
    tail_start = max(0, len(data) - 22 - 0xFFFF)  # the end record, then a comment of up to 64 KB
    at = data.rfind(_EOCD, tail_start)
    if at < 0 or at + 22 > len(data):
        return None
    return struct.unpack_from("<H", data, at + 10)[0]


# Main-part content types of Word (documents, templates, macro-enabled) and the other Office files.
_WORD_MAIN = re.compile(r"(?:wordprocessingml|ms-word)\.[\w.]*main\+xml$")
_OTHER_OFFICE = (
    (re.compile(r"(?:spreadsheetml|ms-excel)\.[\w.]*main\+xml$"), "an Excel workbook (.xlsx)"),
    (re.compile(r"(?:presentationml|ms-powerpoint)\.[\w.]*main\+xml$"), "a PowerPoint presentation (.pptx)"),
)
_OPENDOCUMENT = {
    "application/vnd.oasis.opendocument.text": "an OpenDocument text (.odt)",
    "application/vnd.oasis.opendocument.spreadsheet": "an OpenDocument spreadsheet (.ods)",
    "application/epub+zip": "an e-book (.epub)",
}
_SAVE_AS = "save the report as .docx or PDF (File ▸ Save As in Word, WPS or LibreOffice) and ingest that"


def _main_part(archive: zipfile.ZipFile) -> str:
    """The name of the Word document part; RejectedInput naming what the ZIP is, if it is not Word.

    >>> buf = io.BytesIO()
    >>> with zipfile.ZipFile(buf, "w") as z:
    ...     z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    >>> _main_part(zipfile.ZipFile(buf))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    loaders.containers.decode.RejectedInput: an OpenDocument text (.odt), not a Word document: save the report as .docx ...
    """
    names = archive.namelist()
    if "[Content_Types].xml" not in names:
        raise RejectedInput(_not_office(archive, names))
    types = _parse_xml(_read_part(archive, "[Content_Types].xml", MAX_SMALL_PART), "[Content_Types].xml")
    overrides = [(o.get("PartName", "").lstrip("/"), o.get("ContentType", "")) for o in types.iter(f"{_CT}Override")]
    for part, content_type in overrides:
        if _WORD_MAIN.search(content_type):
            if part not in names:
                raise RejectedInput(f"corrupt DOCX: its document part {part} is missing from the ZIP; "
                                    "re-save the document in Word or WPS")
            return part
    for part, content_type in overrides:
        for pattern, what in _OTHER_OFFICE:
            if pattern.search(content_type):
                raise RejectedInput(f"{what}, not a Word document: {_SAVE_AS}")
    if "word/document.xml" in names:  # a writer that declared the part by its extension only
        return "word/document.xml"
    raise RejectedInput(f"an Office Open XML package with no Word document in it ({len(names)} parts): {_SAVE_AS}")


def _not_office(archive: zipfile.ZipFile, names: list[str]) -> str:
    """What a ZIP that is not an Office Open XML package is, and what to do with it."""
    if "mimetype" in names:
        mimetype = _read_part(archive, "mimetype", MAX_SMALL_PART).decode("ascii", "replace").strip()
        what = _OPENDOCUMENT.get(mimetype, f"a ZIP package of type {mimetype[:80]!r}")
        return f"{what}, not a Word document: {_SAVE_AS}"
    if "OFD.xml" in names:
        return "an OFD document (China's fixed-layout format), not a Word document: export it to PDF and ingest that"
    shown = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
    return (f"a ZIP archive of {len(names)} file(s) ({shown or 'empty'}), not a Word document: "
            "unpack it and ingest the files inside")


def _read_part(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """A part's bytes, refused before decompression when its declared size or ratio is a bomb's.

    Python's zipfile stops at the declared size and then checks the CRC, so a part that inflates
    past what it declares fails the CRC instead of filling memory.
    """
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise RejectedInput(f"{name} would expand from {info.compress_size:,} to {info.file_size:,} bytes, over "
                            f"the {limit:,}-byte limit for one report: not read (a ZIP bomb, or not one report)")
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise RejectedInput(f"{name} would expand {info.file_size // max(info.compress_size, 1):,} times "
                            f"({info.compress_size:,} → {info.file_size:,} bytes), as only a ZIP bomb does: not read")
    try:
        with archive.open(info) as stream:
            return stream.read(limit)
    except RuntimeError as exc:  # zipfile's word for an encrypted entry
        raise RejectedInput(f"{name} is encrypted ({exc}): remove the password, save again and ingest that") from None
    except NotImplementedError as exc:
        raise RejectedInput(f"{name} is compressed with a method that cannot be read ({exc}): "
                            "re-save the document in Word or WPS") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError) as exc:
        raise RejectedInput(f"corrupt DOCX: {name} cannot be decompressed ({exc}); "
                            "download or export the document again") from None


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_comments=True, remove_pis=True)


def _parse_xml(xml: bytes, name: str):
    if xml.count(b"<") > MAX_TAGS:
        raise RejectedInput(f"{name} holds over {MAX_TAGS:,} XML tags (a report has under 100,000): not read")
    try:
        return etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise RejectedInput(f"corrupt DOCX: {name} is not well-formed XML ({exc}); "
                            "re-save the document in Word or WPS") from None


# --- the document ----------------------------------------------------------------------------------
class _Tags(NamedTuple):
    """Clark names of the WordprocessingML elements read, in one namespace."""

    body: str
    p: str
    r: str
    t: str
    tab: str
    br: str
    cr: str
    hyphen: str
    tbl: str
    tr: str
    tc: str
    tr_pr: str
    tc_pr: str
    r_pr: str
    grid_span: str
    v_merge: str
    h_merge: str
    val: str
    deleted: str
    moved_from: str
    vanish: str
    text_box: str
    sdt: str
    sdt_content: str
    custom_xml: str
    obj: str
    alt_chunk: str


@lru_cache(maxsize=4)
def _tags(namespace: str) -> _Tags:
    """Tag names in the document's namespace: Word's transitional one, or ISO strict.

    >>> _tags(_W).tc
    '{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tc'
    """
    ns = namespace if namespace in (_W, _W_STRICT) else _W
    names = ("body p r t tab br cr noBreakHyphen tbl tr tc trPr tcPr rPr gridSpan vMerge hMerge val del moveFrom "
             "vanish txbxContent sdt sdtContent customXml object altChunk").split()
    return _Tags(*(f"{{{ns}}}{name}" for name in names))


def _unread_content(body, tags: _Tags) -> list[str]:
    """Content the document shows but this reader cannot: it makes the report partial."""
    problems = []
    objects = sum(1 for _ in body.iter(tags.obj))
    if objects:
        problems.append(f"docx: {objects} embedded object(s) (e.g. an Excel table pasted as an object) not read")
    chunks = sum(1 for _ in body.iter(tags.alt_chunk))
    if chunks:
        problems.append(f"docx: {chunks} imported chunk(s) (altChunk: HTML or RTF kept in another part) not read")
    return problems


_FALSE = ("0", "false", "off")


def _drop_hidden_content(body, tags: _Tags) -> None:
    """Remove what Word does not show: tracked deletions (text and rows), hidden runs, and the
    fallback copy of alternate content (a text box is stored twice: DrawingML, then VML)."""
    doomed = []
    for el in body.iter(tags.deleted, tags.moved_from):
        parent = el.getparent()
        if parent.tag == tags.tr_pr:
            doomed.append(parent.getparent())  # a deleted table row
        elif parent.tag != tags.r_pr:  # a deleted paragraph mark only joins two paragraphs
            doomed.append(el)
    for el in body.iter(tags.vanish):
        parent = el.getparent()
        if parent.tag == tags.r_pr and parent.getparent().tag == tags.r and el.get(tags.val) not in _FALSE:
            doomed.append(parent.getparent())
    doomed.extend(body.iter(f"{{{_MC}}}Fallback"))
    for el in doomed:
        parent = el.getparent()
        if parent is not None:  # not already gone with an ancestor
            parent.remove(el)


def _detach_text_boxes(body, tags: _Tags) -> dict:
    """Take each text box out of its paragraph, so that its text is not glued into the paragraph's;
    returns paragraph → the text boxes it anchors, read after it."""
    boxes: dict = {}
    for box in list(body.iter(tags.text_box)):
        anchor = next(box.iterancestors(tags.p), None)
        box.getparent().remove(box)
        if anchor is not None:
            boxes.setdefault(anchor, []).append(box)
    return boxes


def _merge_continuations(body, tags: _Tags) -> set:
    """The cells that continue a merge started above (vMerge) or to their left (legacy hMerge):
    found in one pass, not asked of each cell.

    >>> t = _tags(_W)
    >>> row = etree.fromstring(f'<w:tr xmlns:w="{_W}"><w:tc><w:tcPr><w:vMerge/></w:tcPr></w:tc><w:tc><w:tcPr>'
    ...                        '<w:vMerge w:val="restart"/></w:tcPr></w:tc><w:tc><w:tcPr><w:gridSpan/></w:tcPr></w:tc></w:tr>')
    >>> [tc in _merge_continuations(row, t) for tc in row]
    [True, False, False]
    """
    return {merge.getparent().getparent() for merge in body.iter(tags.v_merge, tags.h_merge)
            if merge.get(tags.val, "continue") == "continue" and merge.getparent().tag == tags.tc_pr}


class _Doc(NamedTuple):
    """What reading a block needs besides the block itself."""

    tags: _Tags
    boxes: dict  # paragraph → the text boxes it anchors
    continued: set  # cells that continue a merge: left out, like the cells an HTML rowspan covers
    layout: set  # rows holding a table: their cells are read as blocks, as html_document reads them


def _children(parent, wanted: tuple[str, ...], tags: _Tags) -> Iterator:
    """The children of ``parent`` with a wanted tag, looking through content controls and custom XML.

    >>> t = _tags(_W)
    >>> root = etree.fromstring(f'<w:body xmlns:w="{_W}"><w:p/><w:sdt><w:sdtContent><w:tbl/></w:sdtContent>'
    ...                         '</w:sdt><w:sectPr/></w:body>')
    >>> [etree.QName(el).localname for el in _children(root, (t.p, t.tbl), t)]
    ['p', 'tbl']
    """
    for child in parent:
        if child.tag in wanted:
            yield child
        elif child.tag == tags.sdt:
            content = child.find(tags.sdt_content)
            if content is not None:
                yield from _children(content, wanted, tags)
        elif child.tag == tags.custom_xml:
            yield from _children(child, wanted, tags)


def _blocks(container, doc: _Doc, blocks: list) -> None:
    """Paragraphs and tables of a body, cell or text box, in order, as blocks (a paragraph's lines as prose)."""
    tags = doc.tags
    for block in _children(container, (tags.p, tags.tbl), tags):
        if block.tag == tags.tbl:
            _table(block, doc, blocks)
            continue
        blocks.extend(line for line in (_collapse(s) for s in _runs_text(block, tags, "\n").split("\n")) if line)
        for box in doc.boxes.get(block, ()):
            _blocks(box, doc, blocks)


def _table(tbl, doc: _Doc, blocks: list) -> None:
    """A table's rows; a row holding a table (layout) gives its cells' blocks, and the rows after it a table
    of their own."""
    tags = doc.tags
    rows = None
    for tr in _children(tbl, (tags.tr,), tags):
        cells = [tc for tc in _children(tr, (tags.tc,), tags) if tc not in doc.continued]
        if not cells:
            continue
        if tr in doc.layout:
            for tc in cells:
                _blocks(tc, doc, blocks)
            rows = None
            continue
        if rows is None:
            rows = []
            apart(blocks)
            blocks.append(table(rows))
        rows.append([_cell_text(tc, doc) for tc in cells])


def _cell_text(tc, doc: _Doc) -> str:
    """A cell's text on one line: its paragraphs (and those of text boxes in it) joined by spaces,
    so that two numbers in two paragraphs read "3 5" (unresolved), never 35."""
    tags = doc.tags
    if not doc.boxes:  # as in most documents: a plain loop, a third faster than the generator
        return _collapse(" ".join(_runs_text(p, tags, " ") for p in tc.iter(tags.p)))
    return _collapse(" ".join(_runs_text(p, tags, " ") for p in _paragraphs(tc, doc)))


def _paragraphs(container, doc: _Doc) -> Iterator:
    """Every paragraph in ``container``, each followed by those of the text boxes it anchors."""
    for p in container.iter(doc.tags.p):
        yield p
        for box in doc.boxes.get(p, ()):
            yield from _paragraphs(box, doc)


def _runs_text(p, tags: _Tags, line_break: str) -> str:
    """A paragraph's text, runs concatenated ("20" "23" reads 2023); tabs read as spaces, since a
    tab is the dialect's cell mark; field codes and deleted text are not text."""
    out = []
    for el in p.iter(tags.t, tags.tab, tags.br, tags.cr, tags.hyphen):
        tag = el.tag
        if tag == tags.t:
            out.append(el.text or "")
        elif tag == tags.tab:
            out.append(" ")
        elif tag == tags.hyphen:
            out.append("-")
        else:
            out.append(line_break)
    return "".join(out)


def _collapse(text: str) -> str:
    """
    >>> _collapse("  商业\\u3000 企业 ")
    '商业 企业'
    """
    return _SPACE.sub(" ", text).strip()


def minimal_docx(body_xml: str, namespace: str = _W) -> bytes:
    """The smallest DOCX Word opens, with ``body_xml`` (WordprocessingML, prefix ``w`` bound to
    ``namespace``) as its body.

    >>> zipfile.ZipFile(io.BytesIO(minimal_docx("<w:p/>"))).namelist()
    ['[Content_Types].xml', '_rels/.rels', 'word/document.xml']
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'))
        z.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument"/></Relationships>'))
        z.writestr("word/document.xml", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{namespace}">'
            f'<w:body>{body_xml}</w:body></w:document>'))
    return buf.getvalue()
