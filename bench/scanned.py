"""Scanned reports made from the real ones, scored with the same hand-read truth:
``python bench/scanned.py [OUT_DIR] [--dpi 150] [--only 012] [--turn]``.

Each real PDF (and each real HTML report, printed to PDF by headless Chromium) is turned into what an agency
posts when it scans the signed paper: every page rendered at DPI, a red seal stamped over the last page's
signature, turned by up to 1°, blurred, with noise, grey, JPEG-compressed at quality 50–70, and put together
as an image-only PDF (no text layer). OUT_DIR then holds those PDFs named as the originals (012.pdf,
001.pdf…), the manifest rows and truth files of the originals, so ``bench/real.py OUT_DIR`` scores them
exactly as it scores the real corpus. This script does that too, and times OCR: seconds per page on one core.
With ``--turn`` page k of each report is fed in turned by k × 90° (sideways, upside down): the pages must be
turned back before they are read. Deterministic: the degradations are drawn from a fixed seed.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pypdfium2  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "real"


def printed(source: Path, work: Path) -> bytes:
    """The report as a PDF: a PDF as it is, an HTML report printed by headless Chromium."""
    if source.suffix == ".pdf":
        return source.read_bytes()
    target = work / f"{source.stem}.pdf"
    page = work / f"{source.stem}.html"
    page.write_text('<meta charset="utf-8">' + source.read_text(encoding="utf-8"), encoding="utf-8")
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={target}", page.as_uri()], check=True, capture_output=True, timeout=120)
    return target.read_bytes()


def seal(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A red seal (ring, star, arc of text-like strokes) stamped near the bottom right, over what is printed."""
    out = image.convert("RGB")
    w, h = out.size
    r = int(min(w, h) * 0.09)
    cx, cy = int(w * rng.uniform(0.6, 0.75)), int(h * rng.uniform(0.7, 0.85))
    layer = Image.new("RGBA", out.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    red = (220, 30, 30, 170)
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=red, width=max(3, r // 12))
    star = [(cx + r * 0.35 * np.cos(a), cy + r * 0.35 * np.sin(a)) for a in np.linspace(-np.pi / 2, 3.5 * np.pi, 10)]
    draw.polygon(star, fill=red)
    for a in np.linspace(np.pi * 1.1, np.pi * 1.9, 12):  # the agency's name around the ring
        x, y = cx + r * 0.72 * np.cos(a), cy + r * 0.72 * np.sin(a)
        draw.rectangle([x - r * 0.06, y - r * 0.06, x + r * 0.06, y + r * 0.06], fill=red)
    return Image.alpha_composite(out.convert("RGBA"), layer).convert("RGB")


def scanned_page(image: Image.Image, rng: np.random.Generator, stamp: bool, quarter_turns: int = 0) -> bytes:
    """One page as a scanner and a careless clerk leave it (fed in ``quarter_turns`` × 90° anticlockwise): JPEG."""
    if stamp:
        image = seal(image, rng)
    image = image.rotate(90 * quarter_turns, expand=True)
    image = image.convert("RGB").rotate(float(rng.uniform(-1, 1)), resample=Image.BICUBIC, expand=False,
                                        fillcolor=(255, 255, 255))
    image = image.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.3, 0.8))))
    pixels = np.asarray(image).astype(np.int16)
    noise = rng.normal(0, 8, pixels.shape[:2])[..., None]
    grey_paper = np.clip(pixels + noise - 6, 0, 255).astype(np.uint8)
    # A seal scanned in colour stays red; the rest of the page is grey ink on grey paper.
    out = Image.fromarray(grey_paper)
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=int(rng.integers(50, 71)))
    return buf.getvalue()


def scanned_pdf(pdf: bytes, dpi: int, rng: np.random.Generator, turn: bool = False) -> tuple[bytes, int]:
    """An image-only PDF of the report's pages (JPEG images, no text layer) and its page count; ``turn``: page k
    fed in turned by k × 90° (upright, sideways, upside down, sideways the other way, upright…)."""
    doc = pypdfium2.PdfDocument(pdf)
    pages = [Image.open(io.BytesIO(scanned_page(doc[k].render(scale=dpi / 72).to_pil(), rng, k == len(doc) - 1,
                                                k % 4 if turn else 0)))
             for k in range(len(doc))]
    doc.close()
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    return buf.getvalue(), len(pages)


def make(out: Path, dpi: int, only: list[str], turn: bool = False) -> dict[str, int]:
    """The scanned corpus in ``out``: PDFs, manifest.csv, truth/; {file: pages}."""
    sources = [p for p in sorted(CORPUS.iterdir()) if p.suffix in (".pdf", ".html")
               and (not only or p.stem in only)]
    out.mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(exist_ok=True)
    rng = np.random.default_rng(28)
    made: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as work:
        for source in sources:
            data, pages = scanned_pdf(printed(source, Path(work)), dpi, rng, turn)
            (out / f"{source.stem}.pdf").write_bytes(data)
            shutil.copy(CORPUS / "truth" / f"{source.stem}.csv", out / "truth" / f"{source.stem}.csv")
            made[f"{source.stem}.pdf"] = pages
    rows = list(csv.DictReader(open(CORPUS / "manifest.csv", encoding="utf-8")))
    with open(out / "manifest.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            name = f"{Path(row['file']).stem}.pdf"
            if name in made:
                writer.writerow({**row, "file": name, "format": "scanned pdf (bench/scanned.py)"})
    return made


def timed(out: Path, made: dict[str, int]) -> list[tuple[str, int, float, str]]:
    """(file, pages, seconds, status) of parsing each scanned PDF in this process (one core: one thread)."""
    from loaders.assembly.report import parse_source

    rows = []
    for name, pages in made.items():
        start = time.process_time()
        parsed = parse_source((out / name).read_bytes())
        rows.append((name, pages, time.process_time() - start, parsed.status))
    return rows


def page_kinds(out: Path, made: dict[str, int]) -> dict[str, list[float]]:
    """CPU seconds of OCR per page by kind: 'table' (the page has a ruled table: 4 or more horizontal rules found)
    or 'prose'. Each page rendered, turned upright, detected and recognised as the parse does it."""
    from loaders.containers import ocr

    kinds: dict[str, list[float]] = {"table": [], "prose": []}
    for name, pages in made.items():
        for number, rgb in ocr.pdf_page_images((out / name).read_bytes(), range(1, pages + 1)):
            start = time.process_time()
            page, _ = ocr.read_page(*ocr.upright(rgb), number)
            kinds["table" if len(page.hrules) >= 4 else "prose"].append(time.process_time() - start)
    return kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default=Path(tempfile.gettempdir()) / "xxgk-scanned", type=Path)
    parser.add_argument("--dpi", type=int, default=200, help="resolution the pages are scanned at")
    parser.add_argument("--only", nargs="*", default=[], help="report numbers (012 001 …); default all PDFs and HTML")
    parser.add_argument("--turn", action="store_true", help="feed page k of each report in turned by k × 90°")
    args = parser.parse_args()
    made = make(args.out, args.dpi, args.only, args.turn)
    print(f"made {len(made)} scanned PDFs at {args.dpi} dpi in {args.out}: "
          + ", ".join(f"{n} ({p} pages)" for n, p in made.items()))
    rows = timed(args.out, made)
    pages = sum(p for _, p, _, _ in rows)
    seconds = sum(s for _, _, s, _ in rows)
    for name, p, s, status in rows:
        print(f"{name}: {p} pages, {s:.1f} CPU s ({s / p:.2f} s/page), {status}")
    print(f"OCR: {seconds / pages:.2f} CPU seconds per page per core ({pages / seconds:.2f} pages/s per core)")
    for kind, times in page_kinds(args.out, made).items():
        if times:
            print(f"  {kind} pages: {len(times)}, {sum(times) / len(times):.2f} CPU s per page "
                  f"(from {min(times):.2f} to {max(times):.2f}; OCR of the page alone, without the parse)")
    subprocess.run([sys.executable, str(ROOT / "bench" / "real.py"), str(args.out)], check=True)


if __name__ == "__main__":
    main()
