"""Where the tools' own output goes: dbt's and GX's hundreds of lines would hide the few lines xxgk says.

Each command appends them to one log file beside the warehouse (``paths.log_file``), headed by the
command it ran and when; ``--verbose`` also shows them on the terminal as they come. Otherwise a
progress bar counts dbt's nodes (its "3 of 118 OK" lines), unless ``--quiet``.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tqdm import tqdm

from . import children, warehouse

# dbt's line for a node done: "15:33:53  3 of 118 OK loaded seed file reference.identities ...".
_NODE_DONE = re.compile(r"^\S+\s+(\d+) of (\d+) (?:OK|PASS|WARN|ERROR|FAIL|SKIP)\b")


class ToolLog:
    def __init__(self, path: Path, echo: bool = False, progress: bool = False):
        self.path = Path(path)
        self.echo = echo
        self.progress = progress and not echo

    def run(self, args: list[str], env: dict | None = None, label: str = "", cwd: Path | None = None,
            main: str | None = None) -> subprocess.CompletedProcess:
        """Run ``args`` (killed with this process; ``main``: see children.start), its output appended to the log
        and, with ``echo``, shown; the output is returned too, for the caller's message when it fails."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lines = []
        with open(self.path, "a", encoding="utf-8") as log:
            log.write(f"\n=== {warehouse.now():%Y-%m-%d %H:%M:%S} UTC: {' '.join(map(str, args))}\n")
            log.flush()
            proc = children.start(args, main, env, cwd)
            # dbt counts its nodes; of another tool, the time it has taken.
            bar = tqdm(desc=label, unit="node", disable=not self.progress, file=sys.stderr, leave=False,
                       bar_format=None if label.startswith("dbt") else "{desc}: {elapsed}")
            for line in proc.stdout:
                log.write(line)
                lines.append(line)
                if self.echo:
                    sys.stdout.write(line)
                    sys.stdout.flush()
                elif done := _NODE_DONE.match(line):
                    bar.total = int(done.group(2))
                    bar.update(int(done.group(1)) - bar.n)
            bar.close()
            code = proc.wait()
            log.write(f"=== exit {code}\n")
        return subprocess.CompletedProcess(args, code, "".join(lines), "")

    def tail(self, output: str, n: int = 5) -> str:
        """The last lines of a failed tool's output, and where the rest is."""
        last = "\n".join(output.strip().splitlines()[-n:])
        return f"{last}\n(the whole output is in {self.path})"
