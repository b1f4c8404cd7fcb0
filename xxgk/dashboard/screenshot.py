"""Headless Chromium for the dashboard: screenshots, the DOM after scripts ran, and a page driven as a reader would.

Flags as this machine needs them: no sandbox as root, and no background networking, which a
closed network refuses many times over. ``Browser`` speaks Chrome's DevTools protocol over a pipe
(``--remote-debugging-pipe``: JSON messages ending in NUL, read on fd 3, written on fd 4), with
the standard library alone.
"""
from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
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


class Browser:
    """One headless Chromium and one tab: ``open`` a page (waits for its load), ``js`` evaluates an expression in it
    (awaiting a promise) and returns its value, ``screenshot`` saves what it shows, ``click_to_download`` clicks an
    element and returns the file the page downloaded."""

    def __init__(self, width: int = 1300, height: int = 1500, timeout: float = 60):
        self.width, self.height, self.timeout = width, height, timeout

    def __enter__(self) -> Browser:
        exe = chromium()
        if exe is None:
            raise FileNotFoundError("chromium not found: install Debian's chromium (make browser)")
        self._dir = tempfile.TemporaryDirectory(prefix="xxgk-chromium-")
        to_chrome, self._send = os.pipe()
        self._receive, from_chrome = os.pipe()

        def pipes_on_3_and_4():
            # Out of the way first: either end may itself be fd 3 or 4.
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_chrome, from_chrome)]
            for fd, wanted in zip(high, (3, 4)):
                os.dup2(fd, wanted)  # inheritable, unlike the pipe's own ends

        self._proc = subprocess.Popen(
            [exe, *FLAGS, "--remote-debugging-pipe", f"--user-data-dir={self._dir.name}/profile", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=False,
            preexec_fn=pipes_on_3_and_4)
        os.close(to_chrome)
        os.close(from_chrome)
        self._buffer, self._id, self._events = b"", 0, []
        self.downloads = Path(self._dir.name) / "downloads"
        self.downloads.mkdir()
        target = self._call("Target.createTarget", url="about:blank")["targetId"]
        self._session = self._call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self._call("Browser.setDownloadBehavior", behavior="allow", downloadPath=str(self.downloads),
                   eventsEnabled=True, session=False)
        self._call("Page.enable")
        self._call("Emulation.setDeviceMetricsOverride", width=self.width, height=self.height, deviceScaleFactor=1,
                   mobile=False)
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._call("Browser.close", session=False)
            self._proc.wait(timeout=10)
        except Exception:  # noqa: BLE001 — a browser that will not close is killed
            self._proc.kill()
            self._proc.wait()
        os.close(self._send)
        os.close(self._receive)
        self._dir.cleanup()

    def open(self, page: Path | str) -> Browser:
        self._events.clear()
        self._call("Page.navigate", url=_url(page))
        self._wait_for(lambda m: m.get("method") == "Page.loadEventFired")
        return self

    def js(self, expression: str):
        result = self._call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, png: Path | str, full_page: bool = False) -> Path:
        png = Path(png).resolve()
        png.parent.mkdir(parents=True, exist_ok=True)
        clip = {}
        if full_page:
            w, h = self.js("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            clip = {"clip": {"x": 0, "y": 0, "width": w, "height": h, "scale": 1}, "captureBeyondViewport": True}
        png.write_bytes(base64.b64decode(self._call("Page.captureScreenshot", format="png", **clip)["data"]))
        return png

    def click_to_download(self, selector: str) -> Path:
        self._events.clear()
        self.js(f"document.querySelector({json.dumps(selector)}).click()")
        done = self._wait_for(lambda m: m.get("method") == "Browser.downloadProgress"
                              and m["params"]["state"] in ("completed", "canceled"))
        if done["params"]["state"] != "completed":
            raise RuntimeError(f"the download started by {selector} was canceled")
        begin = next(m for m in self._events if m.get("method") == "Browser.downloadWillBegin")
        return Path(done["params"].get("filePath") or self.downloads / begin["params"]["suggestedFilename"])

    def _call(self, method: str, session: bool = True, **params):
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if session and getattr(self, "_session", None):
            message["sessionId"] = self._session
        os.write(self._send, json.dumps(message).encode() + b"\0")
        answer = self._wait_for(lambda m: m.get("id") == self._id)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer.get("result", {})

    def _wait_for(self, wanted) -> dict:
        """Read messages until one is ``wanted``; events met on the way are kept (a download's name comes first)."""
        deadline = time.monotonic() + self.timeout
        for message in self._events:
            if wanted(message):
                return message
        while True:
            while b"\0" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self._receive], [], [], left)[0]:
                    raise TimeoutError("Chromium did not answer in time")
                chunk = os.read(self._receive, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium exited")
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            message = json.loads(raw)
            if "method" in message:
                self._events.append(message)
            if wanted(message):
                return message


def _url(page: Path | str) -> str:
    page = str(page)
    if "://" in page:
        return page
    path, _, fragment = page.partition("#")
    return Path(path).resolve().as_uri() + (f"#{fragment}" if fragment else "")


if __name__ == "__main__":
    print(screenshot(sys.argv[1], sys.argv[2]))
