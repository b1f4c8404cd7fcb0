"""Which paths to ingest: the report files given, and those found recursively in given folders; every other
path met is listed as skipped with the reason. xxgk's own output (a dashboard folder carries OUTPUT_MARKER)
is never read as input.
"""
from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from loaders.assembly.files import MAX_FILE_BYTES, file_kind, shown_path, too_large

EXTENSIONS = {".txt", ".html", ".htm", ".md", ".pdf", ".docx", ".doc", ".wps", ".png", ".jpg", ".jpeg", ".tif", ".tiff"}
# A folder holding this file is xxgk's own output (a dashboard): never read as input.
OUTPUT_MARKER = ".xxgk-output"


@dataclass
class Scan:
    """What a set of paths holds: the files to read (path, size), and every path passed over, with why."""

    files: list[tuple[str, int]] = field(default_factory=list)
    skipped: list[tuple[str, int | None, str]] = field(default_factory=list)


def scan(paths: Iterable[str | Path], exclude: Iterable[str | Path] = ()) -> Scan:
    """Files to ingest: the given files, and report files found recursively in given folders; every other
    path met is listed as skipped with the reason (unsupported type, too large, not a regular file,
    unreadable folder, a link out of the folder or in a loop, xxgk's own output).

    Only regular files are read. Symbolic links are not followed out of the folders given, nor into
    folders, so a link cannot pull in files from elsewhere on the machine. ``exclude``: the warehouse,
    whose own files (work copy, lock, log) are never read even inside an input folder.
    """
    out = Scan()
    own = {os.path.realpath(e) for e in exclude}
    own_prefixes = tuple(f".{os.path.basename(e)}." for e in own)
    for p in map(str, paths):
        try:
            st = os.stat(p)
        except FileNotFoundError:
            if not os.path.lexists(p):
                raise FileNotFoundError(f"{p}: no such file or directory (give report files or folders of them)")
            out.skipped.append((p, None, "broken symbolic link"))
            continue
        except OSError as exc:
            out.skipped.append((p, None, _os_reason(exc)))
            continue
        if stat.S_ISDIR(st.st_mode):
            _walk(p, out, own, own_prefixes)
        else:
            _consider(p, st, out, own, own_prefixes, explicit=True)
    return out



def _walk(root: str, out: Scan, own: set[str], own_prefixes: tuple[str, ...]) -> None:
    real_root = Path(os.path.realpath(root))
    stack = [root]
    while stack:
        folder = stack.pop()
        if _is_own_output(folder):
            out.skipped.append((folder, None, "xxgk's own output (a dashboard folder): never read as input"))
            continue
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            out.skipped.append((folder, None, f"folder cannot be read: {_os_reason(exc)}"))
            continue
        subfolders = []
        for entry in entries:
            path = entry.path
            try:
                if entry.is_symlink():
                    try:
                        st = os.stat(path)
                    except OSError as exc:
                        out.skipped.append((path, None, "symbolic link loop" if exc.errno == errno.ELOOP else
                                            "broken symbolic link" if exc.errno == errno.ENOENT else _os_reason(exc)))
                        continue
                    target = os.path.realpath(path)
                    if not Path(target).is_relative_to(real_root):
                        out.skipped.append((path, None, f"symbolic link to {shown_path(target)}, outside the folder "
                                                        "given: not followed"))
                    elif stat.S_ISDIR(st.st_mode):
                        out.skipped.append((path, None, "symbolic link to a folder: not followed (its files are "
                                                        "read where they are)"))
                    else:
                        _consider(path, st, out, own, own_prefixes)
                elif entry.is_dir(follow_symlinks=False):
                    subfolders.append(path)
                else:
                    _consider(path, entry.stat(follow_symlinks=False), out, own, own_prefixes)
            except OSError as exc:
                out.skipped.append((path, None, _os_reason(exc)))
        stack.extend(reversed(subfolders))  # depth first, in name order


def _is_own_output(folder: str) -> bool:
    """A folder xxgk wrote: the marker `xxgk dashboard` leaves, or a dashboard's pages written before it did."""
    return os.path.exists(os.path.join(folder, OUTPUT_MARKER)) or all(
        os.path.exists(os.path.join(folder, name)) for name in ("index.html", "findings.html", "reports"))


def _consider(path: str, st: os.stat_result, out: Scan, own: set[str], own_prefixes: tuple[str, ...],
              explicit: bool = False) -> None:
    name = os.path.basename(path)
    # By name first: resolving every path of a national corpus would cost millions of system calls.
    if name.startswith(own_prefixes) or any(name in (os.path.basename(o), os.path.basename(o) + ".wal")
                                            for o in own) and os.path.realpath(path).removesuffix(".wal") in own:
        out.skipped.append((path, st.st_size, "the warehouse's own file: never read as input"))
    elif not stat.S_ISREG(st.st_mode):
        out.skipped.append((path, None, f"not a regular file ({file_kind(st.st_mode)}): not read"))
    elif not explicit and os.path.splitext(name)[1].lower() not in EXTENSIONS:
        ext = os.path.splitext(name)[1].lower() or "no extension"
        out.skipped.append((path, st.st_size, f"unsupported type ({ext}); reports are read from "
                                              f"{', '.join(sorted(EXTENSIONS))}"))
    elif st.st_size > MAX_FILE_BYTES:
        out.skipped.append((path, st.st_size, too_large(st.st_size)))
    else:
        out.files.append((path, st.st_size))



def _os_reason(exc: OSError) -> str:
    return f"cannot be read: {exc.strerror or exc}"
