"""Scanned pages → the tab dialect: rapidocr reads the page images, and its boxes go through the same layout
as a PDF's text layer (``pdf_layout.render``): one code path builds the tables of both.

A page image (a PDF page without a text layer, rendered by pdfium; a PNG, JPEG or TIFF page) is cleaned first
(red seal ink made white, grey, turned upright when scanned sideways or upside down, deskewed), its ruling lines are found by morphology, and the recogniser's
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
# The detector reads the page at this share of the render (text_lines); the recogniser reads full-size crops.
# On the scanned bench 0.7 read every cell right too, for 4% less time: 0.8 keeps a margin for smaller print.
DET_SCALE = 0.8
# A text line is padded to at least this width / height for the recogniser (recognise), and read this many
# lines at a time. Padding to 2.0 read every cell right too, for 4% less; batches of 12 were no faster (more
# padding in a batch of lines of unequal widths).
MIN_LINE_RATIO = 2.7
REC_BATCH = 6
# The direction classifier's score from which its verdict on a line (upright or upside down) counts.
ORIENTATION_SURE = 0.9
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
    digits: dict[int, Reading | None]  # offset in the document's written text → how that digit was read; None: from a text layer
    pages: int  # how many pages were OCR'd


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


def pdf_page_images(data: bytes, numbers: Sequence[int]) -> Iterator:
    """(number, RGB array) of the PDF's pages ``numbers`` (from 1), rendered at DPI by pdfium."""
    import pypdfium2

    if len(numbers) > MAX_OCR_PAGES:
        raise RejectedInput(f"scanned PDF of {len(numbers)} pages: more than {MAX_OCR_PAGES} pages to OCR (not one "
                            "report?); split it and ingest the report's pages")
    doc = pypdfium2.PdfDocument(data)
    try:
        for number in numbers:
            page = doc[number - 1]
            width, height = page.get_size()
            if width * height * (DPI / 72) ** 2 > MAX_IMAGE_PIXELS:
                raise RejectedInput(f"scanned PDF page {number} of {width:.0f} × {height:.0f} pt is larger than a page")
            yield number, page.render(scale=DPI / 72).to_numpy()[:, :, :3]
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
    return deskewed(grey_without_red(rgb))


def grey_without_red(rgb):
    import cv2

    return cv2.cvtColor(without_red(rgb), cv2.COLOR_RGB2GRAY)


def deskewed(grey):
    return rotated(grey, skew_angle(grey))


def upright(rgb) -> tuple[object, list[tuple[int, int, int, int]]]:
    """An RGB page → the grey page the right way up (red ink removed, deskewed) and its text lines.

    A page scanned sideways has text lines taller than wide: it is turned a quarter and deskewed again. A page
    upside down (or turned the other quarter) has its lines read as upside down by rapidocr's direction classifier:
    it is turned half. On an upright page this costs the classifier on a few lines (~6 ms), not a second detection;
    a turned page is detected again once it is the right way up.
    """
    import numpy as np

    plain = grey_without_red(rgb)
    grey = deskewed(plain)
    lines = text_lines(grey)
    if sideways(lines):
        grey = deskewed(np.ascontiguousarray(np.rot90(plain)))
        lines = text_lines(grey)
    if upside_down(grey, lines):
        # Detected again the right way up: lines found upside down, turned, split and join table cells otherwise.
        grey = np.ascontiguousarray(grey[::-1, ::-1])
        lines = text_lines(grey)
    return grey, lines


def sideways(lines: Sequence[tuple[int, int, int, int]]) -> bool:
    """Whether a page's text lines run up and down: more of them are three times taller than wide than the
    reverse (a table's cells, one or two digits, are neither).

    >>> sideways([(0, 0, 20, 200), (30, 0, 50, 180), (0, 300, 100, 320)]), sideways([(0, 0, 200, 20)])
    (True, False)
    """
    wide = sum(1 for x0, y0, x1, y1 in lines if x1 - x0 > 3 * (y1 - y0))
    tall = sum(1 for x0, y0, x1, y1 in lines if y1 - y0 > 3 * (x1 - x0))
    return tall > wide


def upside_down(grey, lines: Sequence[tuple[int, int, int, int]], sample: int = 8) -> bool:
    """Whether a page's text is upside down: rapidocr's direction classifier (0° or 180°) on its widest lines says
    180° surely (score ≥ ORIENTATION_SURE) more often than 0°. On the corpus's pages it says either at 1.00."""
    import cv2

    wide = sorted((b for b in lines if b[2] - b[0] > 3 * (b[3] - b[1])), key=lambda b: b[0] - b[2])[:sample]
    if not wide:
        return False
    # The classifier sees 192 × 48 px: a long line squeezed into it is unreadable (on Chromium's prose pages it
    # voted either way), so it is shown pieces of the line 4 × its height wide, three a line.
    crops = []
    for x0, y0, x1, y1 in wide:
        piece = 4 * (y1 - y0)
        for left in {x0, (x0 + x1 - piece) // 2, x1 - piece} if x1 - x0 > piece else {x0}:
            crops.append(cv2.cvtColor(grey[y0:y1, max(left, x0):min(left + piece, x1)], cv2.COLOR_GRAY2BGR))
    votes = [label for label, score in engine()._load_cls_model()(crops).cls_res if score >= ORIENTATION_SURE]
    return votes.count("180") > votes.count("0")


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
    """rapidocr's engine, one thread (files are spread over workers instead); its models come in its wheel.

    onnxruntime's memory arena (off in rapidocr's defaults) keeps the buffers of one run for the next: 16% less
    CPU a page on the scanned bench; the peak resident memory of a process parsing a scan stays 1.0–1.3 GB."""
    from rapidocr import RapidOCR

    return RapidOCR(params={"Global.log_level": "error", "Global.use_cls": False,
                            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                            "EngineConfig.onnxruntime.enable_cpu_mem_arena": True})


def read_page(grey, lines: Sequence[tuple[int, int, int, int]], number: int) -> tuple[Page, list[Reading]]:
    """One page image made upright and its text lines → its Page (characters and rules in points) and how each
    character was read."""
    crops, places = [], []
    for x0, y0, x1, y1 in lines:
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


def text_lines(grey, scale: float | None = None) -> list[tuple[int, int, int, int]]:
    """The text lines the detector finds on a page image: (x0, y0, x1, y1) in the image's pixels.

    The detector sees the page at DET_SCALE of its size: it finds where lines are, not what they say, and a
    line of table digits is still ~16 px high there; that is 36% less work than the full render, the
    recogniser reading the full-resolution crops. The image is normalised here as the model wants it
    (scaled to [-1, 1], three equal channels): rapidocr's own preprocessing does it in float64 and copies."""
    import cv2
    import numpy as np

    det = engine()._load_det_model()
    height, width = grey.shape
    scale = DET_SCALE if scale is None else scale
    # The network halves the image five times: its sides are multiples of 32.
    h, w = (max(32, round(side * scale / 32) * 32) for side in (height, width))
    small = cv2.resize(grey, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32) * (2 / 255) - 1
    preds = det.session(np.ascontiguousarray(np.broadcast_to(small, (1, 3, h, w))))
    boxes, _ = det.postprocess_op(preds, (height, width))
    lines = []
    for quad in boxes:
        x0, y0 = (max(int(v), 0) for v in quad.min(axis=0))
        x1, y1 = (int(v) + 1 for v in quad.max(axis=0))
        if x1 - x0 >= 2 and y1 - y0 >= 2:
            lines.append((x0, y0, x1, y1))
    return lines


def recognise(crops: Sequence) -> list[list[tuple[str, tuple[float, float], Reading]]]:
    """Text lines (grey crops) → per line its characters: (character, its span as a share of the line's width,
    how it was read). The recogniser's scores per time step are kept, with the runner-up digit.

    Lines are read in batches of similar width (sorted by aspect ratio), each padded on the right to the
    batch's widest; a short line (a table cell's number) is padded to MIN_LINE_RATIO × its height only, not to
    rapidocr's 320 × 48: the recogniser's work grows with the width, and most of a table's lines are short."""
    import cv2
    import numpy as np

    rec = engine()._load_rec_model()
    characters = rec.postprocess_op.character
    digit_ids = np.array([k for k, c in enumerate(characters) if c in DIGITS])
    _, height, _ = rec.rec_image_shape[:3]
    order = sorted(range(len(crops)), key=lambda k: crops[k].shape[1] / crops[k].shape[0])
    out: list = [[] for _ in crops]
    for start in range(0, len(order), REC_BATCH):
        batch = order[start:start + REC_BATCH]
        ratios = [crops[k].shape[1] / crops[k].shape[0] for k in batch]
        widest = max(MIN_LINE_RATIO, *ratios)
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


def read_images(images: Iterable, text_pages: Sequence[Page] = ()) -> OcrText:
    """(number, RGB array) of page images → the report's Document and how each OCR'd digit of its written text
    was read. ``text_pages`` are the pages of a partly scanned PDF that pdfium read from its text layer: they are
    laid out with the OCR'd ones, in page order, and their digits map to None (printed, not read by OCR)."""
    read = [(page, None) for page in text_pages]
    for number, rgb in images:
        extend_deadline(SECONDS_PER_PAGE)  # per page: a TIFF's page count is known only as it is read
        read.append(read_page(*upright(rgb), number))
    read.sort(key=lambda pair: pair[0].number)
    pages = [page for page, _ in read]
    readings = [[None] * len(page.chars) if reads is None else reads for page, reads in read]
    document = render(pages)
    digits = traced_digits(pages, readings, write(document).text)
    problems = [] if digits is not None else ["OCR: where each digit was read could not be traced; no OCR'd number "
                                              "is trusted"]
    return OcrText(document, problems, digits or {}, len(pages) - len(text_pages))


_NEXT = str.maketrans("0123456789", "1234567890")


def traced_digits(pages: Sequence[Page], readings: Sequence[Sequence[Reading | None]],
                  text: str) -> dict[int, Reading | None] | None:
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
