"""Legacy Word (.doc) and WPS (.wps) binary documents → DOCX, by LibreOffice headless, then read as DOCX.

Word 97–2003 and WPS 文字 write the same OLE2 binary format, which only a word processor reads faithfully:
LibreOffice (``soffice --headless --convert-to docx``) converts it, in a private profile directory (two
conversions at once would otherwise fight over the user's profile, and a crashed one would leave it locked)
and under a time limit (a password-protected or damaged file can make it wait). Without LibreOffice the
file is rejected with how to install it. LibreOffice starts only when such a file appears.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from . import extend_deadline
from .decode import RejectedInput, ole_kind

# A report converts in 1–3 s; a file still converting after this is damaged or waits for a password.
CONVERT_SECONDS = 60
INSTALL = ("install LibreOffice to read it (Debian/Ubuntu: `apt-get install libreoffice-writer-nogui`), or save it "
           "as .docx in WPS/Word and ingest that")


def soffice() -> str | None:
    """The LibreOffice command on PATH, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def doc_to_docx(data: bytes) -> bytes:
    """Bytes of a .doc/.wps (OLE2 with a WordDocument stream) → bytes of the DOCX LibreOffice makes of it.

    Raises RejectedInput for other OLE2 files (what they are, from ole_kind), without LibreOffice, and for a
    file LibreOffice cannot convert in time (password-protected, damaged).
    """
    if "WordDocument".encode("utf-16-le") not in data or "EncryptedPackage".encode("utf-16-le") in data:
        raise RejectedInput(ole_kind(data))
    command = soffice()
    if command is None:
        raise RejectedInput(f"a Word 97–2003 (.doc) or WPS (.wps) binary document, which needs LibreOffice: {INSTALL}")
    with tempfile.TemporaryDirectory(prefix="xxgk-soffice-") as work:
        source = Path(work) / "report.doc"
        source.write_bytes(data)
        profile = Path(work) / "profile"
        args = [command, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nolockcheck",
                "--convert-to", "docx:MS Word 2007 XML", "--outdir", work, str(source)]
        # Its own session, so that a timeout ends LibreOffice's helper processes (soffice.bin) too.
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True, env={**os.environ, "HOME": work})
        extend_deadline(CONVERT_SECONDS)
        try:
            said, _ = proc.communicate(timeout=CONVERT_SECONDS)
        except subprocess.TimeoutExpired:
            raise RejectedInput(f"LibreOffice did not convert the .doc/.wps within {CONVERT_SECONDS} s (password-"
                                "protected or damaged?): open it in WPS/Word, save it as .docx and ingest that") from None
        finally:  # also when the file's time limit interrupts the wait
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        converted = Path(work) / "report.docx"
        if not converted.exists():
            said = said.decode("utf-8", "replace").strip().splitlines()
            raise RejectedInput("LibreOffice cannot convert this .doc/.wps (password-protected or damaged?"
                                f"{' ' + said[-1][:200] if said else ''}): open it in WPS/Word, save it as .docx and "
                                "ingest that")
        return converted.read_bytes()

