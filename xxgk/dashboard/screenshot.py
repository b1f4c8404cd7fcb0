"""Headless Chromium for the dashboard: screenshots and the DOM after scripts ran.

Flags as this machine needs them: no sandbox as root, and no background networking, which a
closed network refuses many times over.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run(args: list[str], url: str) -> subprocess.CompletedProcess:
    exe = chromium()
    if exe is None:
        raise FileNotFoundError("chromium not found: install Debian's chromium (make browser)")
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", *args, url],
                              capture_output=True, text=True, timeout=120, check=True)


def screenshot(page: Path | str, png: Path | str, width: int = 1300, height: int = 1500) -> Path:
    png = Path(png).resolve()
    png.parent.mkdir(parents=True, exist_ok=True)
    _run([f"--window-size={width},{height}", f"--screenshot={png}"], _url(page))
    return png


def dump_dom(page: Path | str) -> str:
    """The page's DOM after its scripts ran, as Chromium serialises it."""
    return _run(["--virtual-time-budget=2000", "--dump-dom"], _url(page)).stdout


def _url(page: Path | str) -> str:
    page = str(page)
    if "://" in page:
        return page
    path, _, fragment = page.partition("#")
    return Path(path).resolve().as_uri() + (f"#{fragment}" if fragment else "")


if __name__ == "__main__":
    print(screenshot(sys.argv[1], sys.argv[2]))
