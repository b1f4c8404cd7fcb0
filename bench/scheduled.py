"""What a nightly `xxgk run` costs: ``python bench/scheduled.py [--repeat N] [--keep DIR]``.

On the sample reports (data/raw), in a fresh folder, each run the command a scheduler starts (a new process):

1. the first run, into an empty warehouse;
2. ``--repeat`` runs with nothing new (default 5): each must say it had nothing to do, and must leave the
   warehouse file untouched; its median wall time against the first run's is the ratio the README quotes
   (target: at most 10%);
3. a run with one new report (the next year of one agency): what one report costs.

Prints each time and the ratio; exits 1 when a run with nothing new did something, or took more than 10%.
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
XXGK = Path(sys.executable).parent / "xxgk"
RAW = ROOT / "data" / "raw"
NOTHING_NEW = "nothing new since the last run"
TARGET = 0.10


def run(*args: str) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run([str(XXGK), "run", *args, "--quiet"], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"xxgk run {' '.join(args)} exited {done.returncode}:\n{done.stderr}")
    return seconds, done


def main(argv: list[str]) -> int:
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 5
    keep = Path(argv[argv.index("--keep") + 1]) if "--keep" in argv else None
    with tempfile.TemporaryDirectory(prefix="xxgk-scheduled-") as tmp:
        work = keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        db = work / "warehouse.duckdb"
        first, _ = run(str(RAW), "--db", str(db))
        print(f"first run (5 reports): {first:.2f} s")
        stamp = db.stat().st_mtime_ns
        idle = []
        for _ in range(repeat):
            seconds, done = run(str(RAW), "--db", str(db))
            if NOTHING_NEW not in done.stdout or db.stat().st_mtime_ns != stamp:
                print(f"a run with nothing new did something:\n{done.stdout}")
                return 1
            idle.append(seconds)
        ratio = statistics.median(idle) / first
        print(f"nothing new, {repeat} runs: {', '.join(f'{s:.2f}' for s in idle)} s; median "
              f"{statistics.median(idle):.2f} s = {100 * ratio:.1f}% of the first run (target ≤ {100 * TARGET:.0f}%)")
        extra = work / "next-year"
        extra.mkdir(exist_ok=True)
        text = (RAW / "003_287cca442e0f5e9d.txt").read_text("utf-8")
        (extra / "2020.txt").write_text(text.replace("余杭区人民政府办公室2019年度", "余杭区人民政府办公室2020年度", 1),
                                        encoding="utf-8")
        one, done = run(str(RAW), str(extra), "--db", str(db))
        print(f"one new report: {one:.2f} s = {100 * one / first:.0f}% of the first run")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
