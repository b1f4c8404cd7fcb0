"""PDF → a Document: pdfium reads each page's characters and ruling lines, ``pdf_layout``
rebuilds paragraphs and table rows from their positions.

pdfium (through pypdfium2, Apache-2.0/BSD) was chosen over pdfminer.six/pdfplumber for speed: it
reads what the layout needs from a report 12–25× faster (bench/pdf.py, bench/RESULTS.md). Its C calls
cannot be interrupted by the ingest's timeout, so the input is bounded before pdfium sees it: the
size of the file, what every compressed stream inflates to (a few KB can inflate to gigabytes), how
much page content pdfium would parse (forms drawn many times included), and the number of pages read.
"""
from __future__ import annotations

import base64
import binascii
import ctypes
import re
import unicodedata
import zlib
from collections.abc import Iterator

from ..document import Document
from .decode import RejectedInput
from .pdf_layout import MIN_RULE, THIN, Char, Page, render

# A text report of a few hundred pages is well under this; larger files are scans or not reports.
MAX_PDF_BYTES = 64 * 1024 * 1024
# Real reports have 3-60 pages; a page tree may claim a million.
MAX_PAGES = 300
# pdfium holds about 200 bytes per character of page content it parses (measured: 23 MB of text
# operators took 3.6 GB), so one content stream is capped well above real pages (under 0.1 MB
# each in the corpus) and well below what would exhaust a worker.
MAX_CONTENT_STREAM = 4 * 1024 * 1024
MAX_CONTENT_TOTAL = 64 * 1024 * 1024
# Fonts, CMaps and object streams: all of them together.
MAX_INFLATED_TOTAL = 256 * 1024 * 1024
# A dense A4 page has about 3,000 characters and a few hundred drawing objects.
MAX_PAGE_CHARS = 60_000
MAX_PAGE_OBJECTS = 60_000
# Fewer characters than this, and an image over half the page: a scanned page.
SCANNED_CHARS = 20
SCANNED_IMAGE_SHARE = 0.5


class ScannedPDF(RejectedInput):
    """A PDF some or all of whose pages have no text layer, only a page image: those pages are for OCR
    (loaders/containers/ocr.py). ``scanned`` are their numbers; ``text_pages`` the pages pdfium read text from
    (none when the whole PDF is a scan) and ``problems`` what it could not read of them."""

    def __init__(self, pages: int, scanned: list[int] | None = None, text_pages: list[Page] | None = None,
                 problems: list[str] | None = None):
        super().__init__("scanned PDF: no text layer")
        self.pages = pages
        self.scanned = list(range(1, pages + 1)) if scanned is None else scanned
        self.text_pages = text_pages or []
        self.problems = problems or []


def pdf_document(data: bytes) -> Document:
    """Bytes of a PDF → its Document, with the problems that make the report partial.

    Raises RejectedInput for what cannot be read at all: scanned, encrypted, damaged or bomb PDFs.

    >>> pdf_document(b"%PDF-1.7 and nothing else")
    Traceback (most recent call last):
    ...
    loaders.containers.decode.RejectedInput: damaged PDF: pdfium cannot read it (data format error) and it has no %%EOF end marker, so it was probably cut short: get the complete file again
    """
    if len(data) > MAX_PDF_BYTES:
        raise RejectedInput(f"PDF of {len(data)} bytes exceeds the {MAX_PDF_BYTES}-byte limit for one report "
                            "(a scan, or several reports in one file?)")
    check_streams(data)
    pages, problems, images = read_pages(data)
    if pages and all(len(p.chars) < SCANNED_CHARS for p in pages) and images:
        if len(pages) >= MAX_PAGES:  # beyond what OCR reads: refused before a page is rendered
            raise ScannedPDF(MAX_PAGES + 1)
        raise ScannedPDF(len(pages), [p.number for p in pages], [], problems)  # unreadable pages left out
    # A report printed to PDF with one page scanned in (the signed page, a table filled in by hand): the scanned
    # pages are read by OCR, the others as printed.
    scanned = [p.number for p in pages if len(p.chars) < SCANNED_CHARS and p.number in images]
    if scanned:
        raise ScannedPDF(len(pages), scanned, [p for p in pages if p.number not in scanned], problems)
    return Document(render(pages).blocks, problems)


# --- bounds: what the streams inflate to ------------------------------------------------------
_STREAM = re.compile(rb">>\s*stream(?:\r\n|\r|\n)")
_OBJ_NUMBER = re.compile(rb"(\d+)\s+\d+\s+$")
_FILTER = re.compile(rb"/Filter\s*(/[A-Za-z0-9]+|\[[^\]]*\])")
_NAME = re.compile(rb"/([A-Za-z0-9]+)")
_SUBTYPE = re.compile(rb"/Subtype\s*/([A-Za-z0-9]+)")
_TYPE = re.compile(rb"/Type\s*/([A-Za-z0-9]+)")
_FONT_PROGRAM = re.compile(rb"/Length[123]\b")
_DECODERS = {"FlateDecode": "flate", "Fl": "flate", "LZWDecode": "lzw", "LZW": "lzw",
             "RunLengthDecode": "rl", "RL": "rl", "ASCIIHexDecode": "hex", "AHx": "hex",
             "ASCII85Decode": "a85", "A85": "a85"}


def check_streams(data: bytes) -> None:
    """Reject a PDF whose streams inflate beyond the limits, before pdfium inflates them.

    Page content (what pdfium parses into objects: the streams pages name as /Contents, form
    XObjects, Type 3 glyphs, streams of no other type) has a tighter limit than fonts, and counts a
    form XObject each time it is drawn: pdfium parses it at every use, so 1 KB drawing a 100 KB
    form 2,000 times is 200 MB to parse. A stream is page content when a page names it so, whatever
    its own dictionary claims; dictionaries inside object streams are read for that. Images are
    not counted: reading text does not decode them.

    >>> bomb = b"1 0 obj <</Filter/FlateDecode>> stream\\n" + zlib.compress(b" " * (5 << 20)) + b"\\nendstream"
    >>> check_streams(bomb)
    Traceback (most recent call last):
    ...
    loaders.containers.decode.RejectedInput: PDF bomb: stream object 1 inflates to more than 4194304 bytes of page content (real pages hold under 100000); not read. If it is a genuine report, print it to a new PDF and ingest that
    """
    advice = "not read. If it is a genuine report, print it to a new PDF and ingest that"
    streams = list(_streams(data))
    dictionaries = [data]
    total = 0
    for number, kind, filters, raw in streams:
        if kind == "objects":
            objects = decoded(raw, filters, MAX_INFLATED_TOTAL - total)
            if objects is None:
                raise RejectedInput(f"PDF bomb: its streams inflate to more than {MAX_INFLATED_TOTAL} bytes in all "
                                    f"(at stream object {number}); {advice}")
            total += len(objects)
            dictionaries.append(objects)
    named = set().union(*map(_content_refs, dictionaries))
    xobjects: dict[bytes, set[str]] = {}
    for text in dictionaries:
        for name, number in _xobject_names(text):
            xobjects.setdefault(name, set()).add(number)
    sizes: dict[str, int] = {}
    draws: dict[str, dict[bytes, int]] = {}
    forms: set[str] = set()
    content_total = 0
    for number, kind, filters, raw in streams:
        if number in named:
            kind = "content"
        elif kind in ("image", "objects"):
            continue
        if kind in ("content", "form"):
            content = decoded(raw, filters, MAX_CONTENT_STREAM)
            if content == b"" and filters:  # LZW or run-length: counted, not read for what it draws
                size = inflated_size(raw, filters, MAX_CONTENT_STREAM)
            else:
                size = MAX_CONTENT_STREAM + 1 if content is None else len(content)
            if content:
                draws[number] = _drawn(content)
            if kind == "form":
                forms.add(number)
            if size > MAX_CONTENT_STREAM:
                raise RejectedInput(f"PDF bomb: stream object {number} inflates to more than {MAX_CONTENT_STREAM} "
                                    f"bytes of page content (real pages hold under 100000); {advice}")
            sizes[number] = size
            content_total += size
        else:
            size = inflated_size(raw, filters, MAX_INFLATED_TOTAL - total)
        total += size
        if content_total > MAX_CONTENT_TOTAL:
            raise RejectedInput(f"PDF bomb: its page content inflates to more than {MAX_CONTENT_TOTAL} bytes "
                                f"(at stream object {number}); {advice}")
        if total > MAX_INFLATED_TOTAL:
            raise RejectedInput(f"PDF bomb: its streams inflate to more than {MAX_INFLATED_TOTAL} bytes in all "
                                f"(at stream object {number}); {advice}")
    for number, size in parsed_sizes(sizes, draws, forms, xobjects).items():
        if size > MAX_CONTENT_STREAM:
            raise RejectedInput(f"PDF bomb: stream object {number} draws form XObjects that make more than "
                                f"{MAX_CONTENT_STREAM} bytes of page content to parse (each use is parsed again); "
                                f"{advice}")


_DO = re.compile(rb"/([^\s/\[\]<>(){}%]+)\s*Do\b")
_XOBJECT_DICT = re.compile(rb"/XObject\s*<<(.*?)>>", re.S)
_NAMED_REFERENCE = re.compile(rb"/([^\s/\[\]<>(){}%]+)\s*(\d+)\s+\d+\s+R")


def _drawn(content: bytes) -> dict[bytes, int]:
    """How many times a content stream draws each XObject name.

    >>> _drawn(b"q /Fx0 Do Q /Fx0 Do /Im1 Do")
    {b'Fx0': 2, b'Im1': 1}
    """
    counts: dict[bytes, int] = {}
    for name in _DO.findall(content):
        counts[name] = counts.get(name, 0) + 1
    return counts


def _xobject_names(text: bytes) -> list[tuple[bytes, str]]:
    """(name, object number) of the XObjects that resource dictionaries in ``text`` name.

    >>> _xobject_names(b"/Resources << /XObject << /Fx0 5 0 R /Im1 7 0 R >> >>")
    [(b'Fx0', '5'), (b'Im1', '7')]
    """
    return [(name, number.decode()) for m in _XOBJECT_DICT.finditer(text)
            for name, number in _NAMED_REFERENCE.findall(m.group(1))]


def parsed_sizes(sizes: dict[str, int], draws: dict[str, dict[bytes, int]], forms: set[str],
                 xobjects: dict[bytes, set[str]]) -> dict[str, int]:
    """Bytes of content pdfium parses for each content stream: its own, and that of each form it
    draws, once per use, forms inside forms included. A name not found in any resource dictionary
    is taken for the largest form; a form that draws itself is taken for a bomb.

    >>> parsed_sizes({"4": 10, "5": 100}, {"4": {b"Fx": 3}}, {"5"}, {b"Fx": {"5"}})
    {'4': 310, '5': 100}
    """
    over = MAX_CONTENT_STREAM + 1
    memo: dict[str, int] = {}

    def parsed(number: str, visiting: frozenset) -> int:
        if number in visiting:
            return over
        if number not in memo:
            inner = 0
            for name, count in draws.get(number, {}).items():
                drawn = [f for f in xobjects.get(name, forms) if f in forms]
                inner += count * max((parsed(f, visiting | {number}) for f in drawn), default=0)
                if inner > over:
                    break
            memo[number] = min(sizes.get(number, 0) + inner, over)
        return memo[number]

    return {number: parsed(number, frozenset()) for number in sizes}


_CONTENTS = re.compile(rb"/(?:Contents|CharProcs)\s*(\[[^\]]*\]|<<[^>]*>>|\d+\s+\d+\s+R)")
_REFERENCE = re.compile(rb"(\d+)\s+\d+\s+R")


def _content_refs(text: bytes) -> set[str]:
    """Numbers of the objects named as page content (/Contents) or Type 3 glyphs (/CharProcs).

    >>> sorted(_content_refs(b"<< /Type /Page /Contents [4 0 R 7 0 R] >> << /CharProcs << /a 9 0 R >> >>"))
    ['4', '7', '9']
    """
    return {n.decode() for m in _CONTENTS.finditer(text) for n in _REFERENCE.findall(m.group(1))}


def _streams(data: bytes) -> Iterator[tuple[str, str, list[str], bytes]]:
    """(object number, kind, decode filters, raw bytes) of each stream in the file; kind is what
    its dictionary says: image, objects (an object stream), form, content, or other (fonts, CMaps…)."""
    for m in _STREAM.finditer(data):
        head_start = max(0, m.start() - 4096)
        obj = data.rfind(b"obj", head_start, m.start())
        head = data[obj + 3 if obj >= 0 else head_start: m.start() + 2]
        found = _OBJ_NUMBER.search(data, max(0, obj - 24), obj) if obj >= 0 else None
        number = found.group(1).decode() if found else "?"
        end = data.find(b"endstream", m.end())
        raw = data[m.end(): end if end >= 0 else len(data)]
        subtype, type_ = _SUBTYPE.search(head), _TYPE.search(head)
        if subtype and subtype.group(1) == b"Image":
            kind = "image"
        elif type_ and type_.group(1) == b"ObjStm":
            kind = "objects"
        elif subtype and subtype.group(1) == b"Form":
            kind = "form"
        elif not (subtype or type_ or _FONT_PROGRAM.search(head)):
            kind = "content"
        else:
            kind = "other"
        found = _FILTER.search(head)
        names = [n.decode() for n in _NAME.findall(found.group(1))] if found else []
        yield number, kind, [_DECODERS[n] for n in names if n in _DECODERS], raw


def decoded(raw: bytes, filters: list[str], cap: int) -> bytes | None:
    """The bytes a stream of Flate (or no) filters decodes to, or None beyond ``cap`` bytes; b"" for
    other filters, which object streams do not use.

    >>> decoded(zlib.compress(b"<< /Contents 4 0 R >>"), ["flate"], 100), decoded(zlib.compress(b"x" * 200), ["flate"], 100)
    (b'<< /Contents 4 0 R >>', None)
    """
    if any(name != "flate" for name in filters):
        return b""
    for _ in filters:
        raw, size = _inflate(raw, cap, keep=True)
        if size > cap:
            return None
    return raw


def inflated_size(raw: bytes, filters: list[str], cap: int) -> int:
    """Bytes ``raw`` decodes to through ``filters``, counted up to just past ``cap``.

    Only the last filter's output is counted without being held; earlier layers are held (each
    at most ``cap``). Corrupt data counts what decodes before the error, as pdfium does.

    >>> inflated_size(zlib.compress(zlib.compress(b"x" * 10_000)), ["flate", "flate"], 1_000_000)
    10000
    >>> inflated_size(zlib.compress(b"x" * 10_000), ["flate"], 100)
    101
    """
    if not filters:
        return len(raw)
    if filters == ["flate"] and len(raw) * 1032 <= cap:
        # Deflate expands at most 1032-fold: this stream cannot pass the cap, so inflate it at once.
        try:
            return len(zlib.decompress(raw))
        except zlib.error:
            pass  # cut short or corrupt: counted below up to the error
    for k, name in enumerate(filters):
        last = k == len(filters) - 1
        if name == "flate":
            raw, size = _inflate(raw, cap, keep=not last)
        elif name == "lzw":
            if not last:
                return cap + 1  # no real PDF chains LZW into another filter
            size = lzw_size(raw, cap)
        elif name == "rl":
            if not last:
                return cap + 1
            size = run_length_size(raw, cap)
        else:
            raw = _ascii_decode(raw, name)
            size = len(raw)
        if size > cap:
            return cap + 1
    return size


def _inflate(raw: bytes, cap: int, keep: bool) -> tuple[bytes, int]:
    d = zlib.decompressobj()
    kept: list[bytes] = []
    size = 0
    pending = raw
    try:
        while pending and not d.eof and size <= cap:
            chunk = d.decompress(pending, 1 << 20)
            size += len(chunk)
            if keep:
                kept.append(chunk)
            pending = d.unconsumed_tail
    except zlib.error:
        pass
    return b"".join(kept), size


def lzw_size(raw: bytes, cap: int) -> int:
    """Bytes an LZW stream (PDF's EarlyChange 1) decodes to, counted without decoding, up to ``cap``.

    >>> lzw_size(bytes([0x80, 0x0B, 0x60, 0x50, 0x22, 0x0C, 0x0C, 0x85, 0x01]), 100)  # 2D 2D 2D 2D 2D 41 2D 2D 2D 42
    10
    """
    lengths = [1] * 256 + [0, 0]
    width, prev, size, pos, nbits = 9, 0, 0, 0, len(raw) * 8
    padded = raw + b"\x00\x00\x00"
    while pos + width <= nbits and size <= cap:
        i, off = divmod(pos, 8)
        code = ((padded[i] << 16 | padded[i + 1] << 8 | padded[i + 2]) >> (24 - off - width)) & ((1 << width) - 1)
        pos += width
        if code == 256:
            del lengths[258:]
            width, prev = 9, 0
            continue
        if code == 257:
            break
        n = lengths[code] if code < len(lengths) else prev + 1
        size += n
        if prev and len(lengths) < 4096:
            lengths.append(prev + 1)
        prev = n
        if len(lengths) + 1 >= 1 << width and width < 12:
            width += 1
    return size


def run_length_size(raw: bytes, cap: int) -> int:
    """Bytes a RunLengthDecode stream decodes to, up to ``cap``.

    >>> run_length_size(bytes([2, 65, 66, 67, 254, 68, 128]), 100)  # "ABC" + "DDD"
    6
    """
    size = i = 0
    while i < len(raw) and size <= cap:
        n = raw[i]
        if n == 128:
            break
        if n < 128:
            size, i = size + n + 1, i + n + 2
        else:
            size, i = size + 257 - n, i + 2
    return size


def _ascii_decode(raw: bytes, name: str) -> bytes:
    try:
        if name == "hex":
            digits = re.sub(rb"\s", b"", raw.split(b">", 1)[0])
            return binascii.unhexlify(digits + b"0" * (len(digits) % 2))
        body = raw.split(b"~>", 1)[0].strip()
        return base64.a85decode(body[2:] if body.startswith(b"<~") else body)
    except ValueError:
        return b""


# --- reading pages with pdfium ------------------------------------------------------------------
_ERRORS = {1: "unknown error", 2: "file error", 3: "data format error", 4: "password required",
           5: "unsupported security scheme", 6: "page error"}


def read_pages(data: bytes) -> tuple[list[Page], list[str], set[int]]:
    """The pages' characters and ruling lines, what could not be read, and the pages an image covers."""
    import pypdfium2  # noqa: F401  (initialises pdfium)
    import pypdfium2.raw as pdfium

    buffer = ctypes.create_string_buffer(data, len(data))
    doc = pdfium.FPDF_LoadMemDocument64(buffer, len(data), None)
    if not doc:
        raise RejectedInput(_load_error(pdfium.FPDF_GetLastError(), data))
    try:
        count = pdfium.FPDF_GetPageCount(doc)
        problems = []
        if count == 0:
            raise RejectedInput("PDF has no pages (its page tree is empty or damaged): get the file again or re-save it")
        if count > MAX_PAGES:
            problems.append(f"PDF claims {count} pages; only the first {MAX_PAGES} were read (a real report "
                            "has far fewer: is it several documents in one?)")
        pages, images, unreadable = [], set(), []
        for index in range(min(count, MAX_PAGES)):
            page, page_problems, has_images = _read_page(pdfium, doc, index)
            problems += page_problems
            if page is None:
                unreadable.append(index + 1)
            else:
                pages.append(page)
            if has_images:
                images.add(index + 1)
        if unreadable:
            problems.append(f"{_page_ranges(unreadable)}: pdfium cannot read {'it' if len(unreadable) == 1 else 'them'} "
                            "(damaged, or the page tree names pages the file does not hold); their text is missing")
        if not pages:
            raise RejectedInput(f"damaged PDF: none of its {count} pages can be read; get the file again or re-save it")
        return pages, problems, images
    finally:
        pdfium.FPDF_CloseDocument(doc)


def _page_ranges(numbers: list[int]) -> str:
    """
    >>> _page_ranges([2, 3, 4, 7]), _page_ranges([5])
    ('pages 2–4, 7', 'page 5')
    """
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    text = ", ".join(f"{a}–{b}" if a != b else f"{a}" for a, b in spans)
    return ("pages " if len(numbers) > 1 else "page ") + text


def _load_error(code: int, data: bytes) -> str:
    if code == 4:
        return ("encrypted PDF: it needs a password to open — ask the publisher for an unprotected copy, or "
                "remove the password (e.g. `qpdf --decrypt --password=PASSWORD in.pdf out.pdf`) and ingest that")
    if code == 5:
        return "encrypted PDF with a security scheme pdfium does not support: print it to a new PDF and ingest that"
    if b"%%EOF" not in data[-2048:]:
        return (f"damaged PDF: pdfium cannot read it ({_ERRORS.get(code, code)}) and it has no %%EOF end marker, "
                "so it was probably cut short: get the complete file again")
    return f"damaged PDF: pdfium cannot read it ({_ERRORS.get(code, code)}); get the file again or re-save it"


def _read_page(pdfium, doc, index: int) -> tuple[Page | None, list[str], bool]:
    number = index + 1
    page = pdfium.FPDF_LoadPage(doc, index)
    if not page:
        return None, [], False
    try:
        box = pdfium.FS_RECTF()
        pdfium.FPDF_GetPageBoundingBox(page, box)
        rotation = pdfium.FPDFPage_GetRotation(page) % 4
        to_display = _display_transform(rotation, box.left, box.bottom, box.right, box.top)
        width, height = box.right - box.left, box.top - box.bottom
        if rotation % 2:
            width, height = height, width
        problems: list[str] = []
        n_objects = pdfium.FPDFPage_CountObjects(page)
        if n_objects > MAX_PAGE_OBJECTS:
            problems.append(f"page {number}: {n_objects} drawing objects; only the first {MAX_PAGE_OBJECTS} were "
                            "looked at for table rules")
        hrules, vrules, image_area = _rules(pdfium, page, n_objects, to_display)
        has_images = image_area > SCANNED_IMAGE_SHARE * width * height
        chars, unmapped = _chars(pdfium, page, number, to_display, problems)
        if unmapped > max(10, len(chars) // 20):
            problems.append(f"page {number}: {unmapped} characters have no Unicode mapping (a font without "
                            "ToUnicode); its text may be garbled — OCR the page or get a better export")
        return Page(number, width, height, chars, hrules, vrules), problems, has_images
    finally:
        pdfium.FPDF_ClosePage(page)


def _display_transform(rotation: int, left: float, bottom: float, right: float, top: float) -> tuple[float, ...]:
    """(a, b, c, d, e, f) with X = a·x + b·y + e, Y = c·x + d·y + f: page space (y up, as stored)
    → display space (y down, the page turned by its /Rotate as a viewer shows it).

    >>> _display_transform(1, 0, 0, 595, 842)  # turned a quarter clockwise: the left edge is on top
    (0, 1, 1, 0, 0, 0)
    """
    return {0: (1, 0, 0, -1, -left, top), 1: (0, 1, 1, 0, -bottom, -left),
            2: (-1, 0, 0, 1, right, -bottom), 3: (0, -1, -1, 0, top, right)}[rotation]


def _box(t: tuple[float, ...], left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
    """A page-space box → (x0, top, x1, bottom) in display space."""
    a, b, c, d, e, f = t
    xa, ya = a * left + b * bottom + e, c * left + d * bottom + f
    xb, yb = a * right + b * top + e, c * right + d * top + f
    return min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb)


# pdfium's values for a glyph whose font maps it to no character.
_UNMAPPED = "\ufffe\ufffd"
# Spaces are not read (gaps are measured instead), nor unmapped glyphs.
_SKIPPED = frozenset(" \t\r\n\x00\xa0\u3000\ufeff" + _UNMAPPED)


def _chars(pdfium, page, number: int, t: tuple[float, ...], problems: list[str]) -> tuple[list[Char], int]:
    """The printed characters of a page (spaces are not read: gaps are measured instead)."""
    textpage = pdfium.FPDFText_LoadPage(page)
    if not textpage:
        problems.append(f"page {number}: pdfium cannot read its text")
        return [], 0
    try:
        count = pdfium.FPDFText_CountChars(textpage)
        if count > MAX_PAGE_CHARS:
            problems.append(f"page {number}: {count} characters; only the first {MAX_PAGE_CHARS} were read")
            count = MAX_PAGE_CHARS
        text = _page_text(pdfium, textpage, count)
        unmapped = sum(text.count(ch) for ch in _UNMAPPED)
        indexes = [k for k, ch in enumerate(text) if ch not in _SKIPPED]
        rect = pdfium.FS_RECTF()
        get_box = pdfium.FPDFText_GetLooseCharBox
        boxes = []
        for k in indexes:
            get_box(textpage, k, rect)
            boxes.append((rect.left, rect.bottom, rect.right, rect.top))
        folded = text.translate(_FOLD)
        if t[:4] == (1, 0, 0, -1):  # an unturned page: y flips, nothing else
            dx, top = t[4], t[5]
            chars = [Char(folded[k], left + dx, top - up, right + dx, top - down)
                     for k, (left, down, right, up) in zip(indexes, boxes)]
        else:
            chars = [Char(folded[k], *_box(t, *box)) for k, box in zip(indexes, boxes)]
        return _fix_oversized(pdfium, textpage, t, chars, indexes), unmapped
    finally:
        pdfium.FPDFText_ClosePage(textpage)


def _fix_oversized(pdfium, textpage, t: tuple[float, ...], chars: list[Char], indexes: list[int]) -> list[Char]:
    """Characters whose loose box (from the font's bounding box) is far larger than the page's usual
    character get a box around their glyph instead: a font with a bogus bounding box otherwise
    puts a character in the wrong table cell."""
    if not chars:
        return chars
    heights = sorted(c.bottom - c.top for c in chars)
    usual = heights[len(heights) // 2]
    l, r, b, tp = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    for i, c in enumerate(chars):
        if c.bottom - c.top > 2.5 * usual or c.x1 - c.x0 > 2.5 * usual:
            pdfium.FPDFText_GetCharBox(textpage, indexes[i], l, r, b, tp)
            x0, top, x1, bottom = _box(t, l.value, b.value, r.value, tp.value)
            mx, my, half = (x0 + x1) / 2, (top + bottom) / 2, max(x1 - x0, bottom - top, 1.0) / 2
            chars[i] = Char(c.ch, mx - half, my - half, mx + half, my + half)
    return chars


_SURROGATE = re.compile("[\ud800-\udfff]")


def _page_text(pdfium, textpage, count: int) -> str:
    """The page's characters, one per pdfium character index."""
    buffer = (ctypes.c_ushort * (count + 1))()
    written = pdfium.FPDFText_GetText(textpage, 0, count, buffer)
    text = bytes(buffer)[: max(0, written - 1) * 2].decode("utf-16-le", "surrogatepass")
    if len(text) == count and not _SURROGATE.search(text):
        return text
    # Characters beyond the BMP take two UTF-16 units: ask for each one instead.
    return "".join(chr(pdfium.FPDFText_GetUnicode(textpage, k)) for k in range(count))


def _fold_table() -> dict[int, str]:
    """Characters a text layer uses for ordinary ones → those: Kangxi and supplementary radicals
    (⾏ for 行), CJK compatibility ideographs, full-width letters and digits (NFKC, where it gives
    one character). Full-width punctuation is kept as printed: it is how Chinese is written, and
    every other format carries it so.

    >>> "\u2f8f政２０２３（一）".translate(_fold_table())
    '行政2023（一）'
    """
    ranges = [(0x2E80, 0x2FDF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F), (0xFF10, 0xFF19), (0xFF21, 0xFF3A),
              (0xFF41, 0xFF5A)]
    table = {}
    for lo, hi in ranges:
        for code in range(lo, hi + 1):
            folded = unicodedata.normalize("NFKC", chr(code))
            if len(folded) == 1 and folded != chr(code):
                table[code] = folded
    return table


_FOLD = _fold_table()


def _rules(pdfium, page, n_objects: int, t: tuple[float, ...]) -> tuple[list, list, float]:
    """The page's ruling lines (horizontal, vertical) from its path objects, and the area of its
    largest image."""
    hrules: list[tuple[float, float, float]] = []
    vrules: list[tuple[float, float, float]] = []
    image_area = 0.0
    stack = [(pdfium.FPDFPage_GetObject(page, k), None) for k in range(min(n_objects, MAX_PAGE_OBJECTS))]
    seen = len(stack)
    l, b, r, tp = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    rgba = tuple(ctypes.c_uint() for _ in range(4))
    while stack:
        obj, form = stack.pop()
        kind = pdfium.FPDFPageObj_GetType(obj)
        if kind == pdfium.FPDF_PAGEOBJ_IMAGE:
            pdfium.FPDFPageObj_GetBounds(obj, l, b, r, tp)
            box = (l.value, b.value, r.value, tp.value)
            if form is not None:
                box = _transform_box(form, *box)
            image_area = max(image_area, (box[2] - box[0]) * (box[3] - box[1]))
        elif kind == pdfium.FPDF_PAGEOBJ_FORM:
            inner = _compose(_matrix(pdfium, obj), form)
            n = pdfium.FPDFFormObj_CountObjects(obj)
            n = max(0, min(n, MAX_PAGE_OBJECTS - seen))
            seen += n
            stack.extend((pdfium.FPDFFormObj_GetObject(obj, k), inner) for k in range(n))
        elif kind == pdfium.FPDF_PAGEOBJ_PATH:
            pdfium.FPDFPath_GetDrawMode(obj, fill, stroke)
            stroked = bool(stroke.value) and _visible(pdfium.FPDFPageObj_GetStrokeColor, obj, rgba)
            if not (stroked or fill.value and _visible(pdfium.FPDFPageObj_GetFillColor, obj, rgba)):
                continue  # e.g. the white box WPS paints behind every line of text
            pdfium.FPDFPageObj_GetBounds(obj, l, b, r, tp)
            box = (l.value, b.value, r.value, tp.value)
            if form is not None:
                box = _transform_box(form, *box)
            x0, top, x1, bottom = _box(t, *box)
            w, h = x1 - x0, bottom - top
            if h <= THIN and w >= MIN_RULE:
                hrules.append(((top + bottom) / 2, x0, x1))
            elif w <= THIN and h >= MIN_RULE:
                vrules.append(((x0 + x1) / 2, top, bottom))
            elif stroked and w >= MIN_RULE and h >= MIN_RULE and pdfium.FPDFPath_CountSegments(obj) <= 6:
                # A box drawn as a border: its four sides. (A filled box is shading, not a rule.)
                hrules += [(top, x0, x1), (bottom, x0, x1)]
                vrules += [(x0, top, bottom), (x1, top, bottom)]
    return hrules, vrules, image_area


def _visible(get_color, obj, rgba) -> bool:
    """Whether a fill or stroke colour shows on a white page: not white, not transparent."""
    get_color(obj, *rgba)
    r, g, b, a = (c.value for c in rgba)
    return a > 0 and min(r, g, b) < 250


def _matrix(pdfium, obj) -> tuple[float, ...]:
    m = pdfium.FS_MATRIX()
    pdfium.FPDFPageObj_GetMatrix(obj, m)
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _compose(inner: tuple[float, ...], outer: tuple[float, ...] | None) -> tuple[float, ...]:
    """The PDF matrix ``inner`` followed by ``outer`` (a form inside a form)."""
    if outer is None:
        return inner
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _transform_box(m: tuple[float, ...], left: float, bottom: float, right: float, top: float):
    """A box in a form's space → its bounding box in page space."""
    a, b, c, d, e, f = m
    xs = [a * x + c * y + e for x, y in ((left, bottom), (right, top), (left, top), (right, bottom))]
    ys = [b * x + d * y + f for x, y in ((left, bottom), (right, top), (left, top), (right, bottom))]
    return min(xs), min(ys), max(xs), max(ys)
