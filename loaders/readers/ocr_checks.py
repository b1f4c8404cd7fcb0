"""OCR'd numbers checked against the identities: a number a digit of which OCR was unsure of, or which a close
reading would make satisfy an identity it fails, is unresolved with its readings, never guessed
(the OCR itself: loaders/containers/ocr.py)."""
from __future__ import annotations

from collections.abc import Sequence

from ..containers.ocr import DIGITS, LOW_CONFIDENCE, Reading
from .identities import instances


def checked(cells: Sequence, digits: dict[int, Reading | None]) -> tuple[list, list[float | None], list[str]]:
    """The cells of an OCR'd report as far as OCR can be trusted: (cells, each one's confidence, problems).

    A number's confidence is its least confident digit's, and it becomes ``value_kind = 'ocr'``. It is unresolved
    (value NULL, ``candidates`` the readings it may be) when a digit is below LOW_CONFIDENCE, or when an identity
    it is a term of fails while one of its close readings (a digit's alternatives) would satisfy it, or when the
    identity fails over a blank the OCR may have missed. What it settled (a derived blank, a glued cut an
    identity chose) is unresolved with it. An identity that fails with every digit confident and no close
    reading to repair it is left as read: the report's own error. A number printed on a page with a text layer
    (a partly scanned PDF; its digits map to None) is not OCR's: it stays as it is.
    """
    out, confidences, doubts = list(cells), [], {}
    for k, c in enumerate(out):
        places = [c.char_offset + i for i, ch in enumerate(c.raw_text) if ch in DIGITS]
        if c.value is None or not places or c.value_kind not in ("number", "split") or \
                all(p in digits and digits[p] is None for p in places):  # printed on a page with a text layer
            confidences.append(None)
            continue
        reads = [digits.get(p, Reading(0.0, "")) for p in places]
        confidence = min(r.confidence for r in reads)
        confidences.append(round(confidence, 4))
        out[k] = c._replace(value_kind="ocr") if c.value_kind == "number" else c
        if confidence < LOW_CONFIDENCE:
            weak = min(range(len(reads)), key=lambda i: reads[i].confidence)
            doubts[k] = (f"OCR: digit {c.raw_text.strip()[weak] if len(c.raw_text.strip()) == len(reads) else '?'} "
                         f"of {c.raw_text.strip()} read with confidence {confidence:.2f} (below {LOW_CONFIDENCE})",
                         _close_readings(c.raw_text, reads) if c.value_kind == "number" else None)
    for table_id in ("t3", "t4"):
        at = {(c.row_key, c.col_key): k for k, c in enumerate(out) if c.table_id == table_id}
        for inst in instances(table_id, frozenset(at)):
            terms = [(at[cell], 1 if cell in inst.lhs else -1) for cell in inst.cells]
            if any(out[k].value is None and out[k].value_kind not in ("blank", "dash") or k in doubts for k, _ in terms):
                continue  # not read, or already in doubt: nothing to hold it against
            gap = sum(sign * (out[k].value or 0) for k, sign in terms)
            if gap == 0:
                continue
            where = f"{inst.identity_id} over {inst.unit}"
            for k, sign in terms:
                c = out[k]
                if c.value_kind in ("blank", "dash") and -gap * sign > 0:
                    doubts[k] = (f"OCR: {where} fails as read; this cell was read blank and a number of "
                                 f"{-gap * sign:g} here would satisfy it (missed by the OCR?)", None)
                elif c.value_kind == "ocr":
                    reads = [digits.get(c.char_offset + i, Reading(0.0, "")) for i, ch in enumerate(c.raw_text)
                             if ch in DIGITS]
                    close = _close_readings(c.raw_text, reads)
                    if c.value - gap * sign in close:
                        doubts[k] = (f"OCR: {where} fails as read ({c.raw_text.strip()}); reading "
                                     f"{c.value - gap * sign:g} here satisfies it", close)
    changed = True
    while changed:  # what an identity settled from a cell in doubt is in doubt too
        changed = False
        for table_id in ("t3", "t4"):
            at = {(c.row_key, c.col_key): k for k, c in enumerate(out) if c.table_id == table_id}
            for inst in instances(table_id, frozenset(at)):
                ks = [at[cell] for cell in inst.cells]
                if not any(k in doubts for k in ks):
                    continue
                for k in ks:
                    by = out[k].resolved_by or ""
                    if k not in doubts and inst.identity_id in by.split(","):
                        doubts[k] = (f"OCR: settled by {inst.identity_id} from a cell OCR could not read for sure", None)
                        changed = True
    for k, (reason, close) in doubts.items():
        c = out[k]
        values = sorted({*(close or ()), *(() if c.value is None else (c.value,))})
        out[k] = c._replace(value=None, unresolved=reason,
                            candidates="|".join(f"{v:g}" for v in values) if len(values) > 1 else None)
    problems = [f"OCR: {len(doubts)} cells not read for sure (low confidence, or an identity a close reading "
                "satisfies)"] if doubts else []
    return out, confidences, problems


def _close_readings(raw: str, reads: Sequence[Reading]) -> set[float]:
    """The values a printed number may be when one of its digits is read as one of its alternatives.

    >>> sorted(_close_readings("17", [Reading(0.99, "7"), Reading(0.6, "1")]))
    [11.0, 77.0]
    """
    digits = [ch for ch in raw if ch in DIGITS]
    close = set()
    for i, read in enumerate(reads):
        for alt in read.alternatives:
            candidate = digits[:i] + [alt] + digits[i + 1:]
            if len(candidate) == 1 or candidate[0] != "0":
                close.add(float("".join(candidate)))
    close.discard(float("".join(digits)))
    return close
