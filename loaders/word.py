"""DOCX → the tab dialect. (Being written: see issue 12.)"""
from __future__ import annotations

from .normalise import RejectedInput


def docx_to_text(data: bytes) -> tuple[str, list[str]]:
    raise RejectedInput("DOCX reading is not available in this version; save the document as PDF or HTML first")
