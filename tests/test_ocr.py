"""Scanned reports (OCR) and legacy Word files (LibreOffice): real pages scanned here, real reports converted here.

The OCR tests run rapidocr for real on one page of the real PDF 012 (table 3), scanned as an agency scans it
(grey, turned, noisy, JPEG); the checks of OCR'd numbers run on the real values of that table. The .doc tests
convert the real reports' DOCX (tests/docx_files.py) with LibreOffice, as a user's .doc would be.
"""
from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from loaders.assembly.files import read_chunk
from loaders.assembly.report import parse_source
from loaders.containers import ocr
from loaders.containers.ocr import Reading
from loaders.readers.ocr_checks import checked
from loaders.readers.tables import CellRecord
from tests.support.docx_files import html_to_docx

REAL = Path(__file__).parent / "fixtures" / "real"
T3_COLUMNS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
              "legal_service_org", "other_org", "total")


def truth(name: str, table: str) -> dict[tuple[str, str], float]:
    import csv

    return {(r["row_key"], r["col_key"]): float(r["value"]) for r in csv.DictReader(open(REAL / "truth" / name))
            if r["table_id"] == table and r["value"] not in ("", None)}


@pytest.fixture(scope="module")
def scanned_table_page(tmp_path_factory) -> bytes:
    """Page 3 of 012.pdf (table 3) as a scan: 150 dpi, grey, turned 0.7°, noise, JPEG quality 60."""
    import numpy as np
    import pypdfium2
    from PIL import Image

    doc = pypdfium2.PdfDocument((REAL / "012.pdf").read_bytes())
    image = doc[2].render(scale=150 / 72, grayscale=True).to_pil().convert("L")
    image = image.rotate(0.7, resample=Image.BICUBIC, fillcolor=255)
    pixels = np.asarray(image).astype(np.int16) + np.random.default_rng(28).normal(0, 8, image.size[::-1])
    buf = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=60)
    return buf.getvalue()


def test_a_scanned_table_page_reads_every_table_3_cell(scanned_table_page):
    got = parse_source(scanned_table_page)
    assert got.source_format == "ocr" and got.ocr_pages == 1
    cells = {(c.row_key, c.col_key): c for c in got.cells if c.table_id == "t3"}
    want = truth("012.csv", "t3")
    read = {k: c.value for k, c in cells.items() if c.value is not None}
    assert all(read[k] == v for k, v in want.items() if k in read)  # no wrong value
    # The page holds table 3 down to （四）2.没有现成信息: 14 rows of 7 cells, every one read.
    assert len(read) == len(cells) == 14 * 7
    assert {c.value_kind for c in cells.values() if c.value is not None} == {"ocr"}
    assert all(conf is None or 0 < conf <= 1 for conf in got.confidences)


# --- every OCR'd number checked: the real values of 012's row 一、本年新收 (21 0 0 0 0 0 21) --------------------
def row(values: list[str], row_key: str = "new_received") -> list[CellRecord]:
    """Cells of one table-3 row as the parser gives them, each number at its own offset (10 apart)."""
    return [CellRecord("t3", row_key, col, float(v), v, "number", None, "一、本年新收", 10 * k, 1, None, None, None)
            for k, (col, v) in enumerate(zip(T3_COLUMNS, values))]


def readings(cells: list[CellRecord], weak: dict[tuple[int, int], Reading] | None = None) -> dict[int, Reading]:
    """A confident reading of every digit, but those in ``weak`` ((cell, digit) → reading)."""
    weak = weak or {}
    return {c.char_offset + i: weak.get((k, i), Reading(0.99, ocr.CONFUSIONS.get(ch, "")))
            for k, c in enumerate(cells) for i, ch in enumerate(c.raw_text)}


@pytest.mark.parametrize("printed, weak, unresolved, candidates", [
    # as printed, every digit sure: all taken
    (["21", "0", "0", "0", "0", "0", "21"], {}, {}, {}),
    # the 1 of the total read with 0.6: not taken, with what it may be
    (["21", "0", "0", "0", "0", "0", "21"], {(6, 1): Reading(0.6, "7")}, {"total": "confidence 0.60"},
     {"total": "21|27"}),
    # the total misread 27 (sure of it): I3 fails, and 21 (7 read as 1) satisfies it: the candidates, no error
    (["21", "0", "0", "0", "0", "0", "27"], {}, {"natural_person": "I3", "total": "I3"},
     {"natural_person": "21|27", "total": "21|27"}),
    # 21 + 3 ≠ 21 with no one-digit reading to repair it and every digit sure: the report's own error, kept
    (["21", "3", "0", "0", "0", "0", "21"], {}, {}, {}),
])
def test_ocr_numbers_are_checked(printed, weak, unresolved, candidates):
    cells = row(printed)
    got, confidences, problems = checked(cells, readings(cells, weak))
    by_col = {c.col_key: c for c in got}
    assert {col for col, c in by_col.items() if c.unresolved} == set(unresolved)
    for col, why in unresolved.items():
        assert why in by_col[col].unresolved and by_col[col].value is None
    assert {col: c.candidates for col, c in by_col.items() if c.candidates} == candidates
    assert all(c.value_kind == "ocr" for c in got)
    assert bool(problems) == bool(unresolved)
    assert min(confidences) == min(r.confidence for r in readings(cells, weak).values())


def test_a_blank_the_ocr_may_have_missed_is_not_the_agencys_error():
    cells = row(["21", "0", "0", "0", "0", "0", "21"])
    cells[1] = cells[1]._replace(value=None, raw_text="", value_kind="blank")
    cells[0] = cells[0]._replace(value=17.0, raw_text="17")
    got, _, _ = checked(cells, readings(cells))
    assert "missed by the OCR" in got[1].unresolved


# --- bad input: a clear reason, in bounded time and memory ---------------------------------------------------
def png_header(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` × ``height`` pixels and holds one row of them."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * (width + 1))) + chunk(b"IEND", b""))


@pytest.mark.parametrize("width, height, said", [
    (20_000, 20_000, "image larger than a page scan (Image size (400000000 pixels)"),  # Pillow's limit
    (8_000, 8_000, "image of 8000 × 8000 px: larger than a page scan"),  # ours
])
def test_a_huge_image_is_refused_before_it_is_decoded(width, height, said):
    got = parse_source(png_header(width, height))
    assert got.status == "rejected" and said in got.error


def test_a_corrupt_jpeg_is_rejected(scanned_table_page):
    got = parse_source(scanned_table_page[:2000])
    assert got.status == "rejected" and "damaged image" in got.error


def test_a_500_page_scan_is_refused_without_reading_it():
    from PIL import Image

    pages = [Image.new("L", (60, 85), 200) for _ in range(500)]
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=10)
    got = parse_source(buf.getvalue())
    assert got.status == "rejected" and f"more than {ocr.MAX_OCR_PAGES} pages to OCR" in got.error


def test_no_ocr_skips_a_scan_and_stores_nothing(tmp_path, monkeypatch, scanned_table_page):
    monkeypatch.setattr(ocr, "ENABLED", False)
    path = tmp_path / "scan.jpg"
    path.write_bytes(scanned_table_page)
    chunk = read_chunk([str(path)])
    assert [(status, error) for _, _, status, error in chunk.files] == [
        ("skipped", "image: OCR skipped (--no-ocr); ingest without --no-ocr to read it")]
    assert chunk.frames["reports"].height == 0


# --- .doc and .wps through LibreOffice ------------------------------------------------------------------------
needs_libreoffice = pytest.mark.skipif(shutil.which("soffice") is None,
                                       reason="LibreOffice not installed (make test installs it)")


def to_word97(docx: bytes, tmp_path: Path) -> bytes:
    """A DOCX saved as Word 97–2003 binary by LibreOffice: what a .doc (and WPS's .wps) holds."""
    source = tmp_path / "report.docx"
    source.write_bytes(docx)
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "doc:MS Word 97", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=120)
    return (tmp_path / "report.doc").read_bytes()


@needs_libreoffice
@pytest.mark.parametrize("name", ["009.html", "001.html"])
def test_a_doc_reads_the_cells_of_its_docx(name, tmp_path):
    docx = html_to_docx((REAL / name).read_text(encoding="utf-8"))
    doc = to_word97(docx, tmp_path)
    got, want = parse_source(doc), parse_source(docx)
    assert got.status == want.status
    assert [c[:7] for c in got.cells] == [c[:7] for c in want.cells]


@needs_libreoffice
def test_a_damaged_doc_is_rejected_saying_so():
    from tests.support.docx_files import compound_file

    got = parse_source(compound_file({"WordDocument": b"\x00" * 4096}))
    assert got.status == "rejected" and "LibreOffice cannot convert" in got.error


def test_without_libreoffice_a_doc_says_how_to_install_it(monkeypatch):
    from tests.support.docx_files import compound_file

    monkeypatch.setenv("PATH", "/nonexistent")
    got = parse_source(compound_file({"WordDocument": b"\x00" * 4096}))
    assert got.status == "rejected" and "apt-get install libreoffice-writer-nogui" in got.error
