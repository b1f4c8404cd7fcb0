"""Run one pipeline stage in this process and print its wall time and peak RSS as JSON.

Peak RSS is the largest single process: this one, or any child it waited for (parser workers,
dbt, the GX validator).
"""
from __future__ import annotations

import json
import resource
import sys
import time


def main() -> None:
    from xxgk.warehouse import publishing

    stage, db, *rest = sys.argv[1:]
    started = time.perf_counter()
    if stage == "ingest":  # the writing stages publish as the CLI does, copy included
        from xxgk.ingest import ingest

        with publishing(db) as work:
            summary = ingest([rest[0]], work, workers=int(rest[1]), progress=False, batch_size=2000)
        detail = dict(summary.counts)
    elif stage == "build":
        from xxgk.build import build

        with publishing(db) as work:
            result = build(work, docs=False, quiet=True)
        detail = {"success": result.success, "failures": result.failures[:3]}
        if not result.success:  # a failed build must stop the benchmark, not be timed as one that worked
            raise SystemExit(f"build failed: {result.failures[:3]}")
    elif stage == "check":
        from xxgk.checks.run import run_checks

        with publishing(db) as work:
            result = run_checks(work, data_docs=False)
        detail = result.findings_by_severity
    elif stage == "dashboard":
        from xxgk.dashboard.site import build_site

        site = build_site(db, rest[0], max_report_pages=500)
        detail = {"report_pages": site.n_report_pages, "findings": site.n_findings}
    else:
        raise SystemExit(f"unknown stage {stage}")
    wall = time.perf_counter() - started
    peak_kib = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                   resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(json.dumps({"stage": stage, "wall_s": wall, "peak_rss_mib": peak_kib / 1024, "detail": detail}))


if __name__ == "__main__":
    main()
