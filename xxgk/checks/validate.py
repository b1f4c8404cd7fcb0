"""GX validates what the check models found:
``python -m xxgk.checks.validate DB GX_ROOT MANIFEST RUN_ID VERDICT_FILE [--no-docs]``.

The suites are made from dbt's manifest, so a check model and its yml are all there is to a check: one
suite per family (identity, cross_year, narrative, structure, anomaly, extraction), one
expectation per check model (``expectation.UnexpectedFindings``, an ``UnexpectedRowsExpectation``) over
that family's rows of ``dq.findings`` (the union of the check models), and, where a family has error checks, one that no error finding is new since the
previous run and not dismissed by a reviewer: the gate. The checkpoint's action builds the Data Docs,
the run named by the xxgk check run's id; each expectation shows the first failing rows (report, cell,
message). The checks of kind extraction are informational: what could not be read is never the report's
error, so their expectations count and list their rows but do not fail. GX never runs a check's own SQL: dbt
ran it once, into the check's table; GX counts the stored rows.

Runs as its own process: GX keeps its pooled read-only DuckDB connection for the life of the process,
and DuckDB will not open the same file read-write beside it, so the parent writes dq.* only after
this process has exited. It imports GX (3 s) as it loads: xxgk itself never imports it. Writes its verdict
as JSON to VERDICT_FILE; what it prints is GX's log.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import great_expectations as gx
from great_expectations.checkpoint import UpdateDataDocsAction
from great_expectations.core.run_identifier import RunIdentifier

from . import GATE, checks_in_manifest, severities
from .expectation import UnexpectedFindings
from .gx_duckdb import WAREHOUSE_URL_VARIABLE, get_context

DATASOURCE = "warehouse"
CHECKPOINT = "warehouse_checks"
# The columns of a finding GX keeps as its sample of unexpected rows (the Data Docs show them). Not all: GX leaves
# the sample's result open while it counts on the same connection, so DuckDB holds every matching row in memory
# (with all columns, 6.4 GB for the 3.2 M findings of one check at a million reports).
SAMPLE_COLUMNS = "report_id, agency, year, table_id, row_key, col_key, expected, actual, message"
# The kind of finding that says what could not be read: never the report's error, so never a failed expectation.
INFORMATIONAL = "extraction"
# Findings a reviewer dismissed (xxgk review) are no new error.
NOT_DISMISSED = ("finding_id not in (select finding_id from dq.finding_reviews "
                 "where is_current and decision = 'dismissed')")


def expectations(checks: list[dict]) -> dict[str, list[dict]]:
    """Per family, the expectations of its suite (keyword arguments of UnexpectedRowsExpectation)."""
    gx_severity = {s["severity"]: s["gx_severity"] for s in severities()}  # GX's own word for each of ours
    suites: dict[str, list[dict]] = {}
    for c in checks:
        informational = c["kind"] == INFORMATIONAL
        suites.setdefault(c["family"], []).append({
            "unexpected_rows_query": f"select {SAMPLE_COLUMNS} from {{batch}} where check_id = '{c['check_id']}'",
            "description": ("Informational (what could not be read; never an error): " if informational else "")
            + c["description"], "severity": gx_severity[c["severity"]], "informational": informational,
            "meta": {k: c[k] for k in ("check_id", "severity", "kind", "family", "model")}})
    for family, checks_of in suites.items():
        if any(e["meta"]["severity"] == "error" for e in checks_of):
            checks_of.append({
                "unexpected_rows_query": f"select {SAMPLE_COLUMNS} from {{batch}} where severity = 'error' and is_new "
                                         f"and {NOT_DISMISSED}",
                "description": f"No error finding of the {family} checks is new since the previous check run (nor "
                               "dismissed by a reviewer): `xxgk check` exits 1 when this fails.",
                "severity": gx_severity["error"], "meta": {"check_id": GATE, "family": family}})
    return suites


def validate(db_path: str, gx_root: Path, manifest_path: Path, run_name: str, data_docs: bool = True) -> dict:
    context = get_context(db_path, project_root=gx_root)
    source = context.data_sources.add_sql(
        name=DATASOURCE, connection_string="${" + WAREHOUSE_URL_VARIABLE + "}",
        # A validation must never take the warehouse's write lock.
        kwargs={"connect_args": {"read_only": True}})
    definitions = []
    for family, kwargs in sorted(expectations(checks_in_manifest(json.loads(manifest_path.read_text()))).items()):
        batch = source.add_query_asset(name=family, query=f"select * from dq.findings where family = '{family}'") \
            .add_batch_definition_whole_table("findings")
        suite = context.suites.add(gx.ExpectationSuite(name=family))
        for kw in kwargs:
            suite.add_expectation(UnexpectedFindings(**kw))
        definitions.append(context.validation_definitions.add(
            gx.ValidationDefinition(name=family, data=batch, suite=suite)))
    checkpoint = context.checkpoints.add(gx.Checkpoint(
        name=CHECKPOINT, validation_definitions=definitions, result_format={"result_format": "COMPLETE"},
        actions=[UpdateDataDocsAction(name="update_data_docs")] if data_docs else []))
    started = time.perf_counter()
    result = checkpoint.run(run_id=RunIdentifier(run_name=run_name))
    results = []
    for validation in result.run_results.values():
        for r in validation.results:
            info = r.exception_info
            error = info.get("exception_message") if info.get("raised_exception") else None
            results.append({**r.expectation_config.meta, "success": bool(r.success),
                            "unexpected_count": r.result.get("observed_value"), "exception": error})
    return {"success": bool(result.success), "gx_seconds": time.perf_counter() - started, "expectations": results}


def main() -> None:
    """The command (see the top of this module), as ``python -m xxgk.checks.validate`` runs it."""
    db, root, manifest, run_name, verdict = sys.argv[1:6]
    Path(verdict).write_text(json.dumps(validate(db, Path(root), Path(manifest), run_name,
                                                 data_docs="--no-docs" not in sys.argv)))


if __name__ == "__main__":
    main()
