"""PDF → the tab dialect. (Being written: see issue 12.)"""
from __future__ import annotations

from .normalise import RejectedInput


def pdf_to_text(data: bytes) -> tuple[str, list[str]]:
    raise RejectedInput("PDF reading is not available in this version; convert the PDF to text first")
