"""Benchmark the pipeline on synthetic corpora: ``python bench/run.py 1000 10000 [...]``.

For each size: generate the corpus (cached in bench/work/), then time ingest, build, check and
dashboard as separate processes, then add 1% new reports and run again (the yearly-refresh cost).
Appends a table to bench/RESULTS.md with the machine's cores and the commit.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(os.environ.get("XXGK_BENCH_DIR", ROOT / "bench" / "work"))
WORKERS = os.cpu_count() or 1


def run_stage(stage: str, db: Path, *args: str) -> dict:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "stage.py"), stage, str(db), *args],
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{stage} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def pipeline(db: Path, corpus: Path, site: Path) -> list[dict]:
    return [run_stage("ingest", db, str(corpus), str(WORKERS)), run_stage("build", db), run_stage("check", db),
            run_stage("dashboard", db, str(site))]


def bench(n: int) -> dict:
    corpus, extra = WORK / f"corpus-{n}", WORK / f"corpus-{n}-plus1pct"
    if not (corpus / "truth.csv").exists():
        subprocess.run([sys.executable, "-m", "synth", "--n", str(n), "--seed", "1", "--out",
                        str(corpus)], check=True, cwd=ROOT)
    if not (extra / "truth.csv").exists():
        subprocess.run([sys.executable, "-m", "synth", "--n", str(max(n // 100, 1)), "--seed", "2",
                        "--out", str(extra)], check=True, cwd=ROOT)
    db = WORK / f"warehouse-{n}.duckdb"
    db.unlink(missing_ok=True)
    full = pipeline(db, corpus, WORK / f"site-{n}")
    with duckdb.connect(str(db), read_only=True) as con:
        cells = con.execute("select count(*) from raw.report_cells").fetchone()[0]
    refresh = pipeline(db, extra, WORK / f"site-{n}")
    return {"n": n, "cells": cells, "full": full, "refresh": refresh, "db_mib": db.stat().st_size / 2**20}


def commit() -> str:
    """The checked-out commit, short, for a results heading."""
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                          cwd=ROOT).stdout.strip()


def record(text: str) -> None:
    """Print a results table and append it to bench/RESULTS.md."""
    print(text)
    with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as fh:
        fh.write(text)


def table(results: list[dict]) -> str:
    lines = [f"\n## {dt.date.today()} · commit {commit()} · {os.cpu_count()} cores · {WORKERS} parser workers\n",
             "| reports | stage | wall s | reports/s | cell rows/s | peak RSS MiB |", "|---|---|---|---|---|---|"]
    for r in results:
        for s in r["full"]:
            lines.append(f"| {r['n']:,} | {s['stage']} | {s['wall_s']:.1f} | {r['n'] / s['wall_s']:,.0f} | "
                         f"{r['cells'] / s['wall_s']:,.0f} | {s['peak_rss_mib']:,.0f} |")
        total = sum(s["wall_s"] for s in r["full"])
        again = sum(s["wall_s"] for s in r["refresh"])
        peak = max(s["peak_rss_mib"] for s in r["full"])
        lines.append(f"| {r['n']:,} | **end to end** | **{total:.1f}** | {r['n'] / total:,.0f} | "
                     f"{r['cells'] / total:,.0f} | **{peak:,.0f}** |")
        lines.append(f"| {r['n']:,} | +1% refresh | {again:.1f} ({100 * again / total:.0f}% of full) | | | "
                     f"{max(s['peak_rss_mib'] for s in r['refresh']):,.0f} |")
        lines.append(f"| {r['n']:,} | warehouse size | {r['db_mib']:,.0f} MiB, {r['cells']:,} cells | | | |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    WORK.mkdir(parents=True, exist_ok=True)
    results = []
    for n in map(int, sys.argv[1:] or ["1000", "10000"]):
        started = time.perf_counter()
        results.append(bench(n))
        print(f"{n}: done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    record(table(results))
