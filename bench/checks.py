"""How the check stage spends its time: ``python bench/checks.py WAREHOUSE [label]``.

Runs ``xxgk check --full`` on the built warehouse (published as the CLI does) and prints, per check
model, the rows it found and the seconds dbt took to run its SQL (run_results.json: one execution per
model), then the stage's parts: dbt (the check models, dq.*, their tests), GX (validating dq.findings,
building the Data Docs) and the rest. Appends the table to bench/RESULTS.md.
"""
from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.run import commit, record  # noqa: E402
from xxgk.checks.run import run_checks  # noqa: E402
from xxgk.warehouse import connect, publishing  # noqa: E402


def main(db: str, label: str) -> None:
    started = time.perf_counter()
    with publishing(db) as work:
        result = run_checks(work, full=True)
    wall = time.perf_counter() - started
    with connect(db, read_only=True) as con:
        rows = con.execute("select check_id, model, n_findings, seconds from dq.check_runs where run_id = ? "
                           "order by seconds desc", [result.run_id]).fetchall()
        (n_reports,) = con.execute("select count(*) from marts.dim_report").fetchone()
    lines = [f"\n## {dt.date.today()} · commit {commit()} · check stage, {label} ({n_reports:,} reports), full run\n",
             "| check | model | findings | dbt s (one execution) |", "|---|---|---|---|"]
    lines += [f"| {c} | {m} | {n:,} | {s:.3f} |" for c, m, n, s in rows]
    parts = result.stage_seconds
    lines += ["", f"Check SQL, all {len(rows)} models, each run once: {sum(s for *_, s in rows):.2f} s. "
              f"Stage: dbt {parts['dbt']:.1f} s (the check models, dq.findings, the score, their unit and data "
              f"tests, dbt's start-up), GX {parts['gx']:.1f} s (6 suites over dq.findings, Data Docs), "
              f"writing the results {parts['record']:.1f} s; {wall:.1f} s with the atomic publish (copy and "
              "rename of the warehouse)."]
    record("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else Path(sys.argv[1]).stem)
