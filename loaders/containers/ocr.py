"""Scanned pages → the tab dialect: rapidocr reads the page images, and its boxes go through the same layout
as a PDF's text layer (``pdf_layout.render``): one code path builds the tables of both.

A page image (a PDF page without a text layer, rendered by pdfium; a PNG, JPEG or TIFF) is cleaned first
(red seal ink made white, grey, deskewed), its ruling lines are found by morphology, and the recogniser's
characters become ``Char`` boxes in points, as pdfium gives them. What OCR cannot promise is kept beside the
text: every digit's confidence and the digits it may be instead (the recogniser's runner-up, the confusions
of printed digits 1/7, 0/8, 3/8, 5/6). ``loaders.readers.ocr_checks.checked`` then holds every OCR'd number of
tables 3 and 4 against the identities: a number is trusted only when its digits are confident and no identity
it is in fails while a close reading would satisfy it; otherwise it is unresolved with its candidates, never
guessed, and never the agency's error.

rapidocr (Apache-2.0) ships its PP-OCR detection and recognition models in its wheel and runs them on
onnxruntime: nothing is downloaded at run time. It is imported only when a scanned page appears.
"""
from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import NamedTuple

from ..document import Document
from ..text.writer import write  # digits are traced in the text the one writer makes of the pages
from . import extend_deadline
from .decode import RejectedInput
from .pdf_layout import MIN_RULE, Char, Page, render

# Pages are read at this resolution: table digits are ~20 px high, where the recogniser is sure of them.
DPI = 150
POINTS = 72 / DPI  # points per pixel
# A scanned report has 3–30 pages; a scan beyond this is not one report, and would take minutes to read.
MAX_OCR_PAGES = 40
# An A3 page at 300 dpi is 17.5 M pixels; beyond this an image is not a page scan (and would take gigabytes).
MAX_IMAGE_PIXELS = 40_000_000
# The time OCR of one page may take (the parse's own limit is for text): added to the file's budget.
SECONDS_PER_PAGE = 30
# A digit read with less confidence than this is not taken.
LOW_CONFIDENCE = 0.9
# Digits printed alike: what a recogniser confuses on a blurred or noisy scan.
CONFUSIONS = {"0": "8", "1": "7", "3": "8", "5": "6", "6": "5", "7": "1", "8": "03"}
DIGITS = frozenset("0123456789")
# Whether scanned pages are read at all (``xxgk ingest --no-ocr`` turns it off; forked workers inherit it).
ENABLED = True


class Reading(NamedTuple):
    """How one character was recognised: its confidence and the digits it may be instead."""

    confidence: float
    alternatives: str


class OcrSkipped(RejectedInput):
    """A file that needs OCR while OCR is turned off: not read, and not stored, so a later ingest reads it."""


class OcrText(NamedTuple):
    document: Document
    problems: list[str]
    digits: dict[int, Reading]  # offset in the document's written text → how that digit was read
    pages: int


def needs_ocr(what: str) -> None:
    """Raise OcrSkipped when OCR is turned off: ``what`` says which file it is."""
    if not ENABLED:
        raise OcrSkipped(f"{what}: OCR skipped (--no-ocr); ingest without --no-ocr to read it")


# --- images -----------------------------------------------------------------------------------------
def image_pages(data: bytes) -> Iterator:
    """The pages of a PNG, JPEG or TIFF file as RGB arrays; RejectedInput for an image that is not a page
    scan or cannot be decoded. The size is read from the header, before anything is decoded."""
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        frames = getattr(image, "n_frames", 1)
        if frames > MAX_OCR_PAGES:
            raise RejectedInput(f"image file of {frames} pages: more than {MAX_OCR_PAGES} pages to OCR (not one report?)")
        for k in range(frames):
            image.seek(k)
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise RejectedInput(f"image of {width} × {height} px: larger than a page scan ({MAX_IMAGE_PIXELS} px "
                                    f"at most; a page at 300 dpi is about 2500 × 3500): scale it down and ingest that")
            yield np.asarray(image.convert("RGB"))
    except Image.DecompressionBombError as exc:  # Pillow's own limit, checked on opening, before ours
        raise RejectedInput(f"image larger than a page scan ({exc}): scale it down and ingest that") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise RejectedInput(f"damaged image: it cannot be decoded ({exc}); get the file again") from None


def pdf_page_images(data: bytes, count: int) -> Iterator:
    """The pages of a scanned PDF rendered at DPI as RGB arrays (pdfium)."""
    import pypdfium2

    if count > MAX_OCR_PAGES:
        raise RejectedInput(f"scanned PDF of {count} pages: more than {MAX_OCR_PAGES} pages to OCR (not one report?); "
                            "split it and ingest the report's pages")
    doc = pypdfium2.PdfDocument(data)
    try:
        for k in range(count):
            page = doc[k]
            width, height = page.get_size()
            if width * height * (DPI / 72) ** 2 > MAX_IMAGE_PIXELS:
                raise RejectedInput(f"scanned PDF page {k + 1} of {width:.0f} × {height:.0f} pt is larger than a page")
            yield page.render(scale=DPI / 72).to_numpy()[:, :, :3]
    finally:
        doc.close()


def without_red(rgb):
    """Red ink (a seal, a signature stamp) made white: it covers the text under it and is not text.

    >>> import numpy as np
    >>> without_red(np.array([[[200, 30, 40], [20, 20, 20]]], dtype=np.uint8)).tolist()
    [[[255, 255, 255], [20, 20, 20]]]
    """
    import numpy as np

    r, g, b = (rgb[:, :, k].astype(np.int16) for k in range(3))
    red = (r > 110) & (r - np.maximum(g, b) > 50)
    out = rgb.copy()
    out[red] = 255
    return out


def skew_angle(grey, limit: float = 2.0, step: float = 0.1) -> float:
    """The angle (degrees) that makes the page's text rows horizontal: the rotation whose row profile of
    ink is sharpest (text rows and table rules line up)."""
    import cv2
    import numpy as np

    small = cv2.resize(grey, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    ink = (small < 128).astype(np.float32)
    h, w = ink.shape
    best, best_score = 0.0, -1.0
    for angle in np.arange(-limit, limit + step / 2, step):
        m = cv2.getRotationMatrix2D((w / 2, h / 2), float(angle), 1.0)
        rows = cv2.warpAffine(ink, m, (w, h), flags=cv2.INTER_NEAREST).sum(axis=1)
        score = float(np.square(np.diff(rows)).sum())
        if score > best_score:
            best, best_score = float(angle), score
    return best


def rotated(grey, angle: float):
    import cv2

    if abs(angle) < 0.05:
        return grey
    h, w = grey.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(grey, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def prepared(rgb):
    """An RGB page → grey, red ink removed, deskewed."""
    import cv2

    grey = cv2.cvtColor(without_red(rgb), cv2.COLOR_RGB2GRAY)
    return rotated(grey, skew_angle(grey))


def find_rules(grey) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """The ruling lines of a page image in points: (y, x0, x1) horizontal and (x, y0, y1) vertical. A rule
    is a long thin run of ink that an opening with a long line keeps; text strokes are too short."""
    import cv2

    ink = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    long = max(int(MIN_RULE * 6 / POINTS), 40)  # a rule is longer than a few characters
    found = []
    for kernel in ((long, 1), (1, long)):
        lines = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        n, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
        found.append([tuple(int(v) for v in stats[k][:4]) for k in range(1, n)])
    hrules = [((y + h / 2) * POINTS, x * POINTS, (x + w) * POINTS) for x, y, w, h in found[0] if h < w]
    vrules = [((x + w / 2) * POINTS, y * POINTS, (y + h) * POINTS) for x, y, w, h in found[1] if w < h]
    return hrules, vrules


# --- recognition ----------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def engine():
    """rapidocr's engine, one thread (files are spread over workers instead); its models come in its wheel."""
    from rapidocr import RapidOCR

    return RapidOCR(params={"Global.log_level": "error", "Global.use_cls": False,
                            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                            "EngineConfig.onnxruntime.inter_op_num_threads": 1})


def read_page(grey, number: int) -> tuple[Page, list[Reading]]:
    """One prepared page image → its Page (characters and rules in points) and how each character was read."""
    ocr = engine()
    found = ocr(grey, use_cls=False, use_rec=False)
    boxes = [] if found.boxes is None else found.boxes
    crops, places = [], []
    for quad in boxes:
        x0, y0 = (int(v) for v in quad.min(axis=0))
        x1, y1 = (int(v) + 1 for v in quad.max(axis=0))
        x0, y0 = max(x0, 0), max(y0, 0)
        if x1 - x0 >= 2 and y1 - y0 >= 2:
            crops.append(grey[y0:y1, x0:x1])
            places.append((x0, y0, x1, y1))
    chars: list[Char] = []
    readings: list[Reading] = []
    for (x0, y0, x1, y1), read in zip(places, recognise(crops)):
        for ch, (start, end), reading in read:
            width = x1 - x0
            chars.append(Char(ch, (x0 + start * width) * POINTS, y0 * POINTS, (x0 + end * width) * POINTS, y1 * POINTS))
            readings.append(reading)
    hrules, vrules = find_rules(grey)
    height, width = grey.shape
    return Page(number, width * POINTS, height * POINTS, chars, hrules, vrules), readings


def recognise(crops: Sequence) -> list[list[tuple[str, tuple[float, float], Reading]]]:
    """Text lines (grey crops) → per line its characters: (character, its span as a share of the line's width,
    how it was read). The recogniser's scores per time step are kept, with the runner-up digit."""
    import cv2
    import numpy as np

    rec = engine()._load_rec_model()
    characters = rec.postprocess_op.character
    digit_ids = np.array([k for k, c in enumerate(characters) if c in DIGITS])
    _, height, width = rec.rec_image_shape[:3]
    order = sorted(range(len(crops)), key=lambda k: crops[k].shape[1] / crops[k].shape[0])
    out: list = [[] for _ in crops]
    for start in range(0, len(order), rec.rec_batch_num):
        batch = order[start:start + rec.rec_batch_num]
        ratios = [crops[k].shape[1] / crops[k].shape[0] for k in batch]
        widest = max(width / height, *ratios)
        images = np.concatenate([rec.resize_norm_img(cv2.cvtColor(crops[k], cv2.COLOR_GRAY2BGR), widest)[np.newaxis]
                                 for k in batch]).astype(np.float32)
        probs = rec.session(images)
        for k, ratio, steps in zip(batch, ratios, probs):
            out[k] = decoded(steps, characters, digit_ids, ratio / widest)
    return out


def decoded(steps, characters: Sequence[str], digit_ids, used: float) -> list[tuple[str, tuple[float, float], Reading]]:
    """One line's CTC output (time steps × classes) → characters, their spans and readings. ``used`` is the share
    of the time steps the line's image fills (the rest is padding)."""
    import numpy as np

    best = steps.argmax(axis=1)
    keep = np.ones(len(best), dtype=bool)
    keep[1:] = best[1:] != best[:-1]
    keep &= best != 0  # the CTC blank
    span = max(len(best) * used, 1.0)
    found = []
    for t in np.flatnonzero(keep):
        ch = characters[best[t]]
        if not ch.strip():
            continue
        confidence = float(steps[t, best[t]])
        alternatives = ""
        if ch in DIGITS:
            ranked = digit_ids[np.argsort(-steps[t, digit_ids])]
            runner = characters[ranked[1]] if characters[ranked[0]] == ch else characters[ranked[0]]
            alternatives = "".join(dict.fromkeys(CONFUSIONS.get(ch, "") + runner))
        found.append([ch, t, Reading(confidence, alternatives)])
    line = []
    for k, (ch, t, reading) in enumerate(found):
        left = (found[k - 1][1] + t) / 2 + 0.5 if k else max(t - 1.5, 0)
        right = (t + found[k + 1][1]) / 2 + 0.5 if k + 1 < len(found) else min(t + 2.5, span)
        line.append((ch, (min(left / span, 1.0), min(right / span, 1.0)), reading))
    return line


def read_images(images: Iterable, count: int) -> OcrText:
    """Page images → the report's Document and how each digit of its written text was read."""
    extend_deadline(count * SECONDS_PER_PAGE)
    pages, readings = [], []
    for number, rgb in enumerate(images, start=1):
        page, read = read_page(prepared(rgb), number)
        pages.append(page)
        readings.append(read)
    document = render(pages)
    digits = traced_digits(pages, readings, write(document).text)
    problems = [] if digits is not None else ["OCR: where each digit was read could not be traced; no OCR'd number "
                                              "is trusted"]
    return OcrText(document, problems, digits or {}, len(pages))


_NEXT = str.maketrans("0123456789", "1234567890")


def traced_digits(pages: Sequence[Page], readings: Sequence[Sequence[Reading]], text: str) -> dict[int, Reading] | None:
    """Where each OCR'd digit landed in the rendered ``text``: offset → its Reading; None when it cannot be told.

    The layout places digits by where they are and what kind of character they are, not by which digit they
    are: so the pages are rendered again with the digits whose index has bit b set replaced by the next digit,
    once per bit, and the offsets that change spell each digit's index. Any other change, and the trace fails.

    >>> page = Page(1, 100, 100, [Char("7", 0, 0, 5, 10), Char("表", 10, 0, 20, 10), Char("1", 25, 0, 30, 10)], [], [])
    >>> write(render([page])).text
    '7表1\\n'
    >>> traced_digits([page], [[Reading(0.5, "1"), Reading(1.0, ""), Reading(0.9, "7")]], write(render([page])).text)
    {0: Reading(confidence=0.5, alternatives='1'), 2: Reading(confidence=0.9, alternatives='7')}
    """
    import numpy as np

    refs = [(p, k) for p, page in enumerate(pages) for k, c in enumerate(page.chars) if c.ch in DIGITS]
    base = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    codes = np.zeros(len(base), dtype=np.int64)
    for bit in range((len(refs) + 1).bit_length()):
        chars = [list(page.chars) for page in pages]
        for index, (p, k) in enumerate(refs, start=1):
            if index >> bit & 1:
                chars[p][k] = chars[p][k]._replace(ch=chars[p][k].ch.translate(_NEXT))
        shifted = np.frombuffer(write(render([page._replace(chars=c) for page, c in zip(pages, chars)])).text.encode("utf-32-le"),
                                dtype=np.uint32)
        if len(shifted) != len(base):
            return None
        changed = shifted != base
        codes[changed] |= 1 << bit
    is_digit = np.isin(base, [ord(d) for d in DIGITS])
    if (codes[~is_digit] != 0).any() or (codes[is_digit] == 0).any() or (codes > len(refs)).any():
        return None
    return {int(pos): readings[refs[code - 1][0]][refs[code - 1][1]] for pos, code in
            ((pos, int(codes[pos])) for pos in np.flatnonzero(is_digit))}
