"""Scanned pages as they come besides a clean scan: a PDF with only some pages scanned, a page scanned sideways
or upside down, a multi-page TIFF. Each is made here from the real report 012 and read by rapidocr for real; it
must read the cells the text-layer original reads (tests/test_ocr.py covers the single scanned page)."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from loaders.assembly.report import parse_source

REAL = Path(__file__).parent / "fixtures" / "real"
pytestmark = pytest.mark.slow


def scan(image, seed: int = 28):
    """A rendered page as an agency's scanner leaves it: grey, turned 0.7°, noise, JPEG quality 60 (a PIL image)."""
    import numpy as np
    from PIL import Image

    image = image.convert("L").rotate(0.7, resample=Image.BICUBIC, fillcolor=255)
    pixels = np.asarray(image).astype(np.int16) + np.random.default_rng(seed).normal(0, 8, image.size[::-1])
    buf = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=60)
    return Image.open(io.BytesIO(buf.getvalue()))


def page_scans(name: str, numbers: list[int]) -> list:
    """Pages ``numbers`` (from 1) of a real PDF, rendered at 150 dpi and scanned."""
    import pypdfium2

    doc = pypdfium2.PdfDocument((REAL / name).read_bytes())
    try:
        return [scan(doc[k - 1].render(scale=150 / 72).to_pil(), seed=k) for k in numbers]
    finally:
        doc.close()


def values(data: bytes, tables=("t3", "t4")) -> dict[tuple[str, str, str], float | None]:
    return {(c.table_id, c.row_key, c.col_key): c.value for c in parse_source(data).cells if c.table_id in tables}


@pytest.fixture(scope="module")
def original() -> dict:
    return values((REAL / "012.pdf").read_bytes())


def with_page_scanned(name: str, number: int) -> bytes:
    """The real PDF with page ``number`` replaced by its scan: an image-only page among pages with text."""
    import pypdfium2

    buf = io.BytesIO()
    page_scans(name, [number])[0].save(buf, "PDF", resolution=150)
    source, scanned = (pypdfium2.PdfDocument(b) for b in ((REAL / name).read_bytes(), buf.getvalue()))
    out = pypdfium2.PdfDocument.new()
    try:
        count = len(source)
        out.import_pages(source, list(range(number - 1)))
        out.import_pages(scanned, [0])
        out.import_pages(source, list(range(number, count)))
        saved = io.BytesIO()
        out.save(saved)
        return saved.getvalue()
    finally:
        for doc in (source, scanned, out):
            doc.close()


def test_a_pdf_with_one_page_scanned_reads_the_cells_of_the_original(original):
    mixed = with_page_scanned("012.pdf", 3)  # page 3: table 3 down to （四）2
    got = parse_source(mixed)
    assert got.ocr_pages == 1  # only the scanned page was OCR'd
    read = {(c.table_id, c.row_key, c.col_key): c for c in got.cells if c.table_id in ("t3", "t4")}
    assert {k: c.value for k, c in read.items()} == original
    kinds = {c.value_kind for c in read.values()}
    # Table 3's first rows were OCR'd, table 4 (page 4) printed.
    assert "ocr" in kinds and all(c.value_kind != "ocr" for k, c in read.items() if k[0] == "t4")


@pytest.mark.parametrize("quarter_turns", [1, 2, 3])
def test_a_page_scanned_sideways_or_upside_down_is_turned_and_read(original, quarter_turns):
    image = page_scans("012.pdf", [3])[0].rotate(90 * quarter_turns, expand=True)  # anticlockwise
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90)
    read = {k: v for k, v in values(buf.getvalue(), ("t3",)).items()}
    # Page 3 holds table 3 down to （四）2.没有现成信息: 14 rows of 7 cells, each read as the original prints it.
    assert len(read) == 14 * 7 and all(v == original[k] for k, v in read.items())


def test_a_multi_page_tiff_is_one_report(original):
    pages = page_scans("012.pdf", [1, 2, 3, 4, 5])
    buf = io.BytesIO()
    pages[0].save(buf, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate")
    got = parse_source(buf.getvalue())
    assert got.ocr_pages == 5 and (got.agency, got.year) == ("洪泽区人民政府", 2023)
    assert {(c.table_id, c.row_key, c.col_key): c.value for c in got.cells if c.table_id in ("t3", "t4")} == original


def test_with_no_ocr_a_partly_scanned_pdf_is_skipped_whole(monkeypatch):
    from loaders.containers import ocr

    monkeypatch.setattr(ocr, "ENABLED", False)  # as `xxgk ingest --no-ocr` sets it
    got = parse_source(with_page_scanned("012.pdf", 3))
    # Not stored half read: a later ingest with OCR reads it whole.
    assert (got.status, got.error) == ("skipped", "scanned PDF: OCR skipped (--no-ocr); ingest without --no-ocr to read it")
