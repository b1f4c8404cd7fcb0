"""The containers a report comes in (text, HTML, markdown, PDF, Word; scans read by OCR, legacy .doc/.wps
converted by LibreOffice), turned into the report's text."""
from __future__ import annotations

import signal


def extend_deadline(seconds: float) -> None:
    """OCR and LibreOffice take seconds where parsing takes milliseconds: the file's time limit (an interval timer
    the ingest sets) grows by what they may take. Without a timer running, nothing changes."""
    remaining, _ = signal.getitimer(signal.ITIMER_REAL)
    if remaining:
        signal.setitimer(signal.ITIMER_REAL, remaining + seconds)
