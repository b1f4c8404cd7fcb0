"""GX Data Docs that open offline: every stylesheet and script a page loads is a file beside it.

GX 1.24 writes pages that load Bootstrap, jQuery, Font Awesome and friends from CDNs; offline they
render unstyled. The exact versions it names are shipped in ``expectations/vendor/`` (from npm, with
their licences) and each page is rewritten to load them from ``static/vendor/``. Vega is only drawn
by profiling pages, which xxgk never writes, so its scripts are dropped. Links to GX's web site go
too: no page written here names a remote URL.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from . import GX_PROJECT_ROOT

VENDOR = GX_PROJECT_ROOT / "vendor"
# What GX 1.24's page templates load (render/view/templates) → the copy in expectations/vendor.
LOCAL = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "css/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "js/bootstrap.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "js/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "js/popper.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "css/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "js/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js":
        "js/bootstrap-table-filter-control.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css":
        "css/bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css":
        "css/bootstrap-table-filter-control.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        "css/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        "js/bootstrap-datepicker.min.js",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css":
        "css/bootstrap-prefers-dark.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "css/fontawesome-all.min.css",
}
# GX's logos: the navigation bar's is shipped in the site's static/images; the dark theme's is not, and is left
# as a missing local image rather than fetched.
_GX_ASSETS = re.compile(r"https://great-expectations-web-assets\.s3\.us-east-2\.amazonaws\.com/([\w.-]+)(?:\?[^\"')]*)?")
# A page's links to the site's static folder (GX gets the depth of validation pages wrong for the favicon).
_STATIC = re.compile(r"""(["'(])(?:\./|(?:\.\./)+)?static/""")
_VEGA = re.compile(r'<script src="https://cdn\.jsdelivr\.net/npm/vega[^"]*"></script>\s*')
# Subresource integrity and CORS mode fail for pages opened from a file.
_INTEGRITY = re.compile(r'\s+(?:integrity|crossorigin)="[^"]*"')
_REMOTE_LINK = re.compile(r'(<(?:a|form)\b[^>]*?)\s+(?:href|action)="https?://[^"]*"')
_REMOTE = re.compile(r'(?:src|href|action)="(https?://[^"]*)"|url\([\'"]?(https?://[^)\'"]*)')


def localise(html: str, depth: int) -> str:
    """A page that loads its styles and scripts from ``static/vendor`` (``depth`` folders above it) and links to no
    remote site.

    >>> localise('<script src="https://code.jquery.com/jquery-3.7.1.min.js" crossorigin="anonymous"></script>'
    ...          '<a href="https://greatexpectations.io">GX</a>', 1)
    '<script src="../static/vendor/js/jquery.min.js"></script><a>GX</a>'
    """
    html = _INTEGRITY.sub("", _VEGA.sub("", html))
    html = _GX_ASSETS.sub(lambda m: "static/images/" + m[1], html)
    html = _STATIC.sub(lambda m: m[1] + "../" * depth + "static/", html)
    for url, local in LOCAL.items():
        html = html.replace(f'"{url}"', f'"{"../" * depth}static/vendor/{local}"')
    html = _REMOTE_LINK.sub(r"\1", html)
    remote = [a or b for a, b in _REMOTE.findall(html)]
    if remote:
        raise ValueError(f"GX page loads {remote[0]}: add it to expectations/vendor and data_docs.LOCAL")
    return html


def site_files(site: Path) -> list[tuple[str, bytes]]:
    """Every file of a GX Data Docs site (path relative to it, bytes), pages localised, the vendored files added."""
    files = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        if rel.startswith("static/vendor/"):  # a previous run's copy
            continue
        data = path.read_bytes()
        if path.suffix == ".html":
            data = localise(data.decode("utf-8"), rel.count("/")).encode("utf-8")
        files.append((rel, data))
    for path in sorted(p for p in VENDOR.rglob("*") if p.is_file()):
        files.append(("static/vendor/" + path.relative_to(VENDOR).as_posix(), path.read_bytes()))
    return files


def write_site(files: list[tuple[str, bytes]], out: Path) -> Path:
    """Write the site's files under ``out`` (replacing what was there); returns its index page."""
    shutil.rmtree(out, ignore_errors=True)
    for rel, data in files:
        dest = out / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
    return out / "index.html"
