"""``parse_report``: one report's text in, its rows out. Pure: no I/O, no database, no clock.

So it runs unchanged in a process pool (``xxgk ingest --workers``) or on a cluster.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from itertools import chain

from ..containers.decode import MAX_TEXT_CHARS, RejectedInput, decode_bytes, sniff_container, sniff_format
from ..containers.html import html_document
from ..containers.markdown import markdown_document
from ..containers.ocr import OcrSkipped
from ..readers.arithmetic import Conflict
from ..readers.metadata import find_metadata, further_reports, may_hold_several, printed_date
from ..readers.narrative import Fact, narrative_facts
from ..readers.page_date import page_date
from ..readers.sections import Section, report_sections
from ..readers.tables import CellRecord, parse_t2, parse_t3, parse_t4
from ..text import flattened as F
from ..text.cells import Lines, find_sections, section_cells, split_lines
from ..text.normalise import fold_and_detect, to_simplified
from ..text.writer import Written, write

# 5: scanned PDFs and page images read by OCR, .doc/.wps by LibreOffice (rejected before): stored ones are read now.
# 6: narrative facts read by the seed narrative_vocabulary, each with why; sections and page_date (issue 27).
PARSER_VERSION = "6"
# Real tables span well under 1,000 lines and real narratives state well under 100 numbers; beyond
# these a section is not a table (or is a flood), and reading it would only cost time and memory.
MAX_TABLE_LINES = 5_000
MAX_FACTS = 500


@dataclass
class ParsedReport:
    """Everything the loader knows about one report."""

    status: str  # loaded | partial | rejected | skipped (not read now: OCR turned off)
    error: str | None
    source_format: str | None = None
    encoding: str | None = None
    title: str | None = None
    agency: str | None = None
    printed_agency: str | None = None
    revision_mark: str | None = None
    year: int | None = None
    template: str | None = None
    script: str | None = None
    normalised_text: str = ""
    cells: list[CellRecord] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)  # identities no reading of glued digits satisfies
    printed_date: dt.date | None = None  # the signing date printed at the end
    other_reports: str | None = None  # the reports after the first in the same file ("agency year; …"), not read
    confidences: list[float | None] = field(default_factory=list)  # OCR: each cell's confidence, beside ``cells``
    ocr_pages: int = 0
    sections: list[Section] = field(default_factory=list)  # 一 … 六 as found (readers/sections.py)
    page_date: dt.date | None = None  # the web page's 发布时间 (readers/page_date.py)

    @property
    def n_unresolved(self) -> int:
        return sum(1 for c in self.cells if c.unresolved)


def report_id_for(data: bytes) -> tuple[str, str]:
    """(report_id, sha256) of a file's bytes: the id is stable because it is the content.

    >>> report_id_for(b"x")
    ('2d711642b726b044', '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881')
    """
    digest = hashlib.sha256(data).hexdigest()
    return digest[:16], digest


def parse_source(data: bytes) -> ParsedReport:
    """Bytes of one file → ParsedReport, whatever the container (PDF, DOCX, text, HTML, markdown).

    The container is told by the bytes, never by the file name. PDF and DOCX are first read into a
    Document, which the one writer turns into the tab dialect of the text dumps; what could not be
    read of them makes the report ``partial``. Unreadable input is ``rejected`` with the reason.
    """
    try:
        container = sniff_container(data)
        if container == "pdf":
            from ..containers.pdf import ScannedPDF, pdf_document

            try:
                written = write(pdf_document(data))
            except ScannedPDF as scanned:
                return _parse_scanned("scanned PDF", data, scanned)
            return _parse_written(written, "pdf")
        if container == "image":
            return _parse_scanned("image", data)
        if container == "ole":
            from ..containers.legacy_word import doc_to_docx

            data, container = doc_to_docx(data), "docx"
        if container == "docx":
            from ..containers.word import docx_document

            written = write(docx_document(data))
            if len(written.text) > MAX_TEXT_CHARS:
                raise RejectedInput(f"the Word document's text of {len(written.text)} characters exceeds the "
                                    f"{MAX_TEXT_CHARS} limit for one report")
            return _parse_written(written, "docx")
        decoded = decode_bytes(data)
    except RejectedInput as exc:
        # A file OCR was turned off for is not stored, so that a later ingest reads it.
        return ParsedReport("skipped" if isinstance(exc, OcrSkipped) else "rejected", str(exc))
    report = parse_report(decoded.text)
    report.encoding = decoded.encoding
    return report


def _parse_scanned(what: str, data: bytes, scanned=None) -> ParsedReport:
    """A PDF with scanned pages (``scanned``: a ScannedPDF, its text pages read already) or a page image (each
    frame of a TIFF a page) read by OCR; every OCR'd number checked (readers/ocr_checks.py)."""
    from ..containers import ocr
    from ..readers.ocr_checks import checked

    ocr.needs_ocr(what)
    if scanned is None:
        read = ocr.read_images(enumerate(ocr.image_pages(data), start=1))
    else:
        read = ocr.read_images(ocr.pdf_page_images(data, scanned.scanned), scanned.text_pages)
        read = read._replace(problems=[*scanned.problems, *read.problems])
    report = _parse_written(write(read.document)._replace(problems=read.problems), "ocr")
    if report.cells:
        report.cells, report.confidences, problems = checked(report.cells, read.digits)
        if problems:
            report.status = "partial"
            report.error = "; ".join(filter(None, [report.error, *problems]))
    report.ocr_pages = read.pages
    return report


def parse_report(text: str) -> ParsedReport:
    """Text of one report (a text dump, HTML or markdown: told by the text) → ParsedReport.

    HTML and markdown are read into a Document and written in the tab dialect; a text dump is in it already.

    >>> r = parse_report("不是年报")
    >>> r.status, r.error
    ('rejected', 'not an annual report: no title (…年度政府信息公开工作报告) and none of tables 2, 3, 4 found')
    """
    fmt = sniff_format(text)
    if fmt == "text":
        return _parse_written(Written(text, False, []), fmt)
    try:
        written = write((html_document if fmt == "html" else markdown_document)(text))
    except RejectedInput as exc:
        return ParsedReport("rejected", str(exc), source_format=fmt)
    return _parse_written(written, fmt)


def _parse_written(written: Written, fmt: str) -> ParsedReport:
    """A report's text in the tab dialect, as written from a container of format ``fmt`` → ParsedReport.

    Only the written text is passed on, not the Document: let go once written, its rows are not kept alive
    through the parse, where the garbage collector would walk them (+1.4% instructions on HTML when they were).
    """
    normalised, problems = written.text, written.problems
    matching, script = fold_and_detect(normalised)
    simplified = to_simplified(matching) if script == "traditional" else matching
    if F.is_flattened(simplified):
        normalised, simplified = F.unflatten(normalised, simplified)
    lines = split_lines(normalised, simplified)
    sections = find_sections(lines, simplified)
    meta = find_metadata(lines, min((s for s, _ in sections.values()), default=len(lines.raw)))
    oversized = [f"{name}: section of {end - start} lines is not a table (limit {MAX_TABLE_LINES}); not read"
                 for name, (start, end) in sections.items()
                 if name in ("t2", "t3", "t4") and end - start > MAX_TABLE_LINES]
    found = {name: section_cells(lines, sections[name][0] + 1, sections[name][1]) for name in ("t2", "t3", "t4")
             if name in sections and sections[name][1] - sections[name][0] <= MAX_TABLE_LINES}
    if not found and meta.year is None:
        # What the container could not read may be why (pages missing): it is said too.
        extracted = f" ({'; '.join(problems)})" if problems else ""
        return ParsedReport("rejected", "not an annual report: no title (…年度政府信息公开工作报告) and none of "
                            f"tables 2, 3, 4 found{extracted}", source_format=fmt, script=script,
                            normalised_text=normalised, printed_date=printed_date(normalised, meta.year))
    results = {"t2": parse_t2(found.get("t2", [])),
               "t3": parse_t3(found.get("t3", []), laid_out=written.laid_out),
               "t4": parse_t4(found.get("t4", []))}
    problems = [*problems, *oversized, *(p for r in results.values() for p in r.problems)]
    facts = narrative_facts(_prose_rows(lines, sections))
    if len(facts) > MAX_FACTS:
        problems.append(f"narrative states {len(facts)} numbers; the first {MAX_FACTS} are kept")
        facts = facts[:MAX_FACTS]
    if meta.agency is None or meta.year is None:
        problems.insert(0, f"agency not identified: {meta.problem}" if meta.problem else
                        "title not found: agency and year unknown")
    # Table 2's columns tell the template; table 3 only by its （六） rows, and some 2021 reports print
    # （六） as one row as the 2019 template did.
    template = results["t2"].template or results["t3"].template
    if results["t2"].template == "2019" and results["t3"].template == "2021":
        problems.append("table 2 has the 2019 layout, table 3 the 2021 layout")
    others = _further_reports(normalised, script)
    if others:
        n = len(others) + 1
        problems.append(f"the file holds {n} reports: {meta.agency} {meta.year} was read; {'; '.join(others)} "
                        f"{'was' if n == 2 else 'were'} not: split the file and ingest each report")
    return ParsedReport(
        status="partial" if problems else "loaded",
        error="; ".join(problems) or None,
        source_format=fmt,
        title=meta.title,
        agency=meta.agency,
        printed_agency=meta.printed_agency,
        revision_mark=meta.revision,
        year=meta.year,
        template=template,
        script=script,
        normalised_text=normalised,
        cells=[c for r in results.values() for c in r.records],
        facts=facts,
        conflicts=[c for r in results.values() for c in r.conflicts],
        printed_date=printed_date(normalised, meta.year),
        other_reports="; ".join(others) or None,
        sections=report_sections(lines, sections),
        page_date=page_date(normalised, meta.year),
    )


def _further_reports(text: str, script: str) -> list[str]:
    """The reports after the first in the same file (their identities), which the parser does not read."""
    if not may_hold_several(text):
        return []
    return further_reports(text, to_simplified(text) if script == "traditional" else None)


def _prose_rows(lines: Lines, sections: dict[str, tuple[int, int]]):
    """Lines outside the table sections: their headings, and the sentences a section holds before its
    first table row (a heading such as 「（一）主动公开政府信息情况」 in the overview can start the
    table-2 section early: the paragraphs under it are narrative, not table)."""
    tables = sorted(sections[name] for name in ("t2", "t3", "t4") if name in sections)
    pieces, pos = [], 0
    for start, end in tables:
        pieces.append(lines.rows(pos, start + 1))
        first_row = lines.first_holding("\t", start + 1, min(end, start + 1 + _MAX_PREAMBLE_LINES))
        first_row = start + 1 if first_row is None else first_row
        # Only sentences: loose cells of a broken table before its first row are not prose.
        pieces.append(row for row in lines.rows(start + 1, first_row) if "。" in row[3] or "，" in row[3])
        pos = end
    pieces.append(lines.rows(pos))
    return chain.from_iterable(pieces)


# A section's preamble is read as prose only this far: beyond, the section is not a table section.
_MAX_PREAMBLE_LINES = 200
