"""Word documents for the tests, written with python-docx from real reports.

``html_to_docx`` rebuilds a real HTML report (Word-pasted, as agencies publish them) as the DOCX it
came from: each paragraph a paragraph, each table a table merged exactly as the HTML's rowspan and
colspan say, each text node a run of its own, so Word's split runs ("20" "23") survive.
``seed_to_docx`` puts a seed report's values into those real tables, its title and narrative
around them, every text cut into runs of two characters.
"""
from __future__ import annotations

import io
import re
import struct
import zlib
from collections.abc import Iterable

import docx
from docx.shared import Pt
from lxml import html as lxml_html

_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "div", "center", "blockquote", "pre"}
_SKIP = {"script", "style", "head", "noscript"}
_SPACE = re.compile(r"[ \t\r\n\f\v\xa0\u3000]+")


def add_runs(paragraph, pieces: Iterable[str]) -> None:
    """Each piece a run, formatted as Word formats body text (so the XML is as heavy as Word's)."""
    for piece in pieces:
        if piece:
            run = paragraph.add_run(piece)
            run.font.size = Pt(16)
            run.font.name = "仿宋_GB2312"


def html_to_docx(markup: str) -> bytes:
    """A real HTML report → the DOCX it was pasted from (tables with their merges, runs as spans)."""
    root = lxml_html.document_fromstring(markup)
    document = docx.Document()
    _add_blocks(document, root)
    return save(document)


def save(document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _pieces(element) -> list[str]:
    """The element's text nodes in order, whitespace collapsed: one run each."""
    return [_SPACE.sub(" ", t) for t in element.itertext() if t]


def _add_blocks(document, element) -> None:
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if not tag or tag in _SKIP:
            continue
        if tag == "table" and not child.xpath(".//table"):
            add_table(document, grid_of(child))
        elif tag in _BLOCKS and not any(isinstance(c.tag, str) and (c.tag in _BLOCKS or c.tag == "table")
                                        for c in child.iter() if c is not child):
            pieces = _pieces(child)
            if "".join(pieces).strip():
                add_runs(document.add_paragraph(), _trim(pieces))
        else:
            _add_blocks(document, child)


def _trim(pieces: list[str]) -> list[str]:
    """Leading and trailing spaces dropped, as a paragraph in Word starts with its text."""
    pieces = list(pieces)
    while pieces and not pieces[0].strip():
        pieces.pop(0)
    while pieces and not pieces[-1].strip():
        pieces.pop()
    if pieces:
        pieces[0], pieces[-1] = pieces[0].lstrip(), pieces[-1].rstrip()
    return pieces


# A table as cells placed on its grid: (row, column, rows spanned, columns spanned, runs).
Placed = tuple[int, int, int, int, list[str]]


def grid_of(table) -> list[Placed]:
    """An HTML table's cells on the grid, by the HTML table algorithm (rowspans push cells right)."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, tr in enumerate(table.iter("tr")):
        c = 0
        for td in (x for x in tr if x.tag in ("td", "th")):
            while (r, c) in taken:
                c += 1
            rows, cols = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
            taken.update((r + i, c + j) for i in range(rows) for j in range(cols))
            placed.append((r, c, rows, cols, _trim(_pieces(td))))
            c += cols
    return placed


def add_table(document, placed: list[Placed]) -> None:
    """Cells merged as Word merges them: gridSpan across, vMerge restart/continue down."""
    n_rows = max(r + rows for r, _, rows, _, _ in placed)
    n_cols = max(c + cols for _, c, _, cols, _ in placed)
    table = document.add_table(rows=n_rows, cols=n_cols)
    for r, c, rows, cols, pieces in placed:
        cell = table.cell(r, c)
        if rows > 1 or cols > 1:
            cell = cell.merge(table.cell(r + rows - 1, c + cols - 1))
        add_runs(cell.paragraphs[0], pieces)


def pairs(text: str) -> list[str]:
    """Text cut into runs of two characters, as Word cuts text it has edited.

    >>> pairs("嘉兴港区2020年")
    ['嘉兴', '港区', '20', '20', '年']
    """
    return [text[i: i + 2] for i in range(0, len(text), 2)]


def real_tables(markup: str) -> dict[str, list[Placed]]:
    """Tables 2, 3 and 4 of a real HTML report, placed on their grids, by their first words."""
    found = {}
    for table in lxml_html.document_fromstring(markup).iter("table"):
        text = table.text_content()
        for name, mark in (("t2", "第二十条"), ("t3", "勾稽关系"), ("t4", "复议后起诉")):
            if mark in text and name not in found:
                found[name] = grid_of(table)
    return found


def _value_cells(name: str, placed: list[Placed]) -> list[int]:
    """Indexes of the value cells in reading order: table 3's last seven columns below its three
    header rows, table 4's last row, table 2's cells right of a row label."""
    n_cols = max(c + cols for _, c, _, cols, _ in placed)
    if name == "t3":
        return [k for k, (r, c, _, _, _) in enumerate(placed) if r >= 3 and c >= n_cols - 7]
    if name == "t4":
        last = max(r for r, *_ in placed)
        return [k for k, (r, *_) in enumerate(placed) if r == last]
    labels = {r for r, c, _, _, pieces in placed
              if c == 0 and not re.match("第二十条|信息内容", "".join(pieces))}
    return [k for k, (r, c, *_) in enumerate(placed) if r in labels and c > 0]


def with_values(name: str, placed: list[Placed], values: list[str]) -> list[Placed]:
    """The real table with its value cells (in reading order) printing ``values``, cut into runs."""
    cells = _value_cells(name, placed)
    out = list(placed)
    for k, value in zip(cells, values, strict=True):
        r, c, rows, cols, _ = out[k]
        out[k] = (r, c, rows, cols, pairs(value))
    return out


# The headings of parts 二 to 五 in either script (a table-3 row label also starts with 四、).
_HEADINGS = [re.compile(p) for p in (r"二、主[动動]公[开開]", r"三、收到和[处處]理", r"四、.*行政[复復][议議]", r"五、")]


def seed_to_docx(seed_text: str, tables: dict[str, list[Placed]], values: dict[str, list[str]]) -> bytes:
    """A seed report as a Word document: its title, narrative and headings as paragraphs, its
    values in real tables (``tables``, from a report of the same template); every text cut into
    runs of two characters."""
    lines = seed_text.split("\n")
    heads = []
    for heading in _HEADINGS:
        start = heads[-1] + 1 if heads else 0
        heads.append(next(i for i in range(start, len(lines)) if heading.match(lines[i].strip())))
    document = docx.Document()
    prose = [*lines[: heads[0]], lines[heads[0]], "t2", lines[heads[1]], "t3", lines[heads[2]], "t4",
             *lines[heads[3]:]]
    for line in prose:
        if line in tables:
            add_table(document, with_values(line, tables[line], values[line]))
        elif line and line.strip():
            add_runs(document.add_paragraph(), pairs(line.strip()))
    return save(document)


def compound_file(streams: dict[str, bytes]) -> bytes:
    """An OLE2 compound file, the container of .doc, .wps, .xls and encrypted .docx, holding
    ``streams``, each padded with zeros to at least 4,096 bytes: a shorter stream would have to sit in
    the mini stream, which this writer does not write.

    >>> data = compound_file({"WordDocument": b"x"})
    >>> data[:8].hex(), len(data), "WordDocument".encode("utf-16-le") in data
    ('d0cf11e0a1b11ae1', 5632, True)
    """
    free, end, fat_sector, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    bodies = [data.ljust(max(4096, -(-len(data) // 512) * 512), b"\0") for data in streams.values()]
    entries = [("Root Entry", 5, end, 0)]
    fat = [fat_sector]
    n_dir = -(-(1 + len(streams)) // 4)  # four 128-byte entries a sector
    fat += [*range(2, 1 + n_dir), end]
    for name, body in zip(streams, bodies):
        first = len(fat)
        n = len(body) // 512
        fat += [*range(first + 1, first + n), end]
        entries.append((name, 2, first, len(body)))
    assert len(fat) <= 128, "one FAT sector only"
    directory = b""
    for k, (name, kind, start, size) in enumerate(entries):
        encoded = (name + "\0").encode("utf-16-le")
        child = 1 if k == 0 and len(entries) > 1 else no_stream
        right = k + 1 if 0 < k < len(entries) - 1 else no_stream
        directory += struct.pack("<64sHBBIII16sIQQIQ", encoded, len(encoded), kind, 1, no_stream, right, child,
                                 b"\0" * 16, 0, 0, 0, start, size)
    directory = directory.ljust(n_dir * 512, b"\0")
    for k in range(len(entries), n_dir * 4):  # unused entries: empty names, no siblings
        directory = directory[: k * 128 + 68] + struct.pack("<III", no_stream, no_stream, no_stream) \
            + directory[k * 128 + 80:]
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", bytes.fromhex("d0cf11e0a1b11ae1"), b"\0" * 16, 0x3E, 3,
                         0xFFFE, 9, 6, b"\0" * 6, 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<109I", 0, *[free] * 108)
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat) + struct.pack(f"<{128 - len(fat)}I", *[free] * (128 - len(fat)))
    return header + fat_bytes + directory + b"".join(bodies)


WORD_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?>'
              b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
              b'<Override PartName="/word/document.xml" ContentType='
              b'"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')


def hand_zip(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A ZIP written byte by byte, so that it may declare what it likes: per entry its name, its
    data as stored, the method (0 stored, 8 deflated), the CRC-32 and the declared size."""
    local, central = b"", b""
    for name, stored, method, crc, size in entries:
        encoded = name.encode()
        fields = struct.pack("<HHHHHIIIH", 20, 0, method, 0, 0x21, crc, len(stored), size, len(encoded))
        central += b"PK\x01\x02" + struct.pack("<H", 20) + fields + struct.pack("<HHHHII", 0, 0, 0, 0, 0, len(local)) \
            + encoded
        local += b"PK\x03\x04" + fields + struct.pack("<H", 0) + encoded + stored
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(entries), len(entries), len(central), len(local), 0)
    return local + central + end


def bomb_docx(size: int, declared: int | None = None) -> bytes:
    """A DOCX whose word/document.xml inflates to ``size`` bytes (spaces after a start tag),
    declaring ``declared`` bytes (default: the truth). Built in a second for a gigabyte: one
    compressed megabyte, flushed so that it can be repeated, then a final empty block.

    >>> import zipfile, io
    >>> zipfile.ZipFile(io.BytesIO(bomb_docx(3 << 20))).read("word/document.xml")[:13]
    b'<w:document> '
    """
    head = b"<w:document>"
    mib = 1 << 20
    assert size % mib == 0 and size > mib
    first, rest = head + b" " * (mib - len(head)), b" " * mib
    segment = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = segment.compress(first) + segment.flush(zlib.Z_FULL_FLUSH)
    repeat = zlib.compressobj(9, zlib.DEFLATED, -15)
    middle = repeat.compress(rest) + repeat.flush(zlib.Z_FULL_FLUSH)
    stream = start + middle * (size // mib - 1) + zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    crc = zlib.crc32(first)
    for _ in range(size // mib - 1):
        crc = zlib.crc32(rest, crc)
    return hand_zip([("[Content_Types].xml", WORD_TYPES, 0, zlib.crc32(WORD_TYPES), len(WORD_TYPES)),
                     ("word/document.xml", stream, 8, crc, size if declared is None else declared)])
