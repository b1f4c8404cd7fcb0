"""Run the committed checkpoint against a warehouse (read-only) and print the results as JSON.

Runs as its own process (``python -m xxgk.checks.validate DB``): GX keeps its pooled read-only
DuckDB connection for the life of the process, and DuckDB will not open the same file read-write
beside it, so the parent writes dq.* only after this process has exited.
"""
from __future__ import annotations

import json
import sys
import time

from .gx_duckdb import get_context
from .project import CHECKPOINT


def validate(db_path: str, data_docs: bool = True) -> dict:
    context = get_context(db_path)
    started = time.perf_counter()
    result = context.checkpoints.get(CHECKPOINT).run()
    elapsed = time.perf_counter() - started
    expectations = []
    for validation in result.run_results.values():
        for r in validation.results:
            meta = r.expectation_config.meta
            error = r.exception_info.get("exception_message") if r.exception_info.get("raised_exception") else None
            expectations.append({"check_id": meta["check_id"], "success": bool(r.success),
                                 "unexpected_count": r.result.get("observed_value"), "exception": error})
    docs = None
    if data_docs:
        context.build_data_docs()
        docs = next(iter(context.get_docs_sites_urls()), {}).get("site_url")
    return {"success": bool(result.success), "gx_seconds": elapsed, "expectations": expectations, "data_docs": docs}


if __name__ == "__main__":
    print(json.dumps(validate(sys.argv[1], data_docs="--no-docs" not in sys.argv)))
