"""Write the GX project (datasource, assets, suites, validation definitions, checkpoint) from the catalog."""
from __future__ import annotations

import shutil
from pathlib import Path

import great_expectations as gx
import great_expectations.expectations as gxe

from loaders import store

from .catalog import ASSETS, CHECKS, GX_SEVERITY, SUITES
from .gx_duckdb import GX_PROJECT_ROOT, WAREHOUSE_URL_VARIABLE, get_context
from .run import DQ_SCHEMA

DATASOURCE = "warehouse"
CHECKPOINT = "warehouse_checks"
BATCH = "whole_table"


def write_project(db_path: str | Path, project_root: Path = GX_PROJECT_ROOT) -> Path:
    """(Re)create expectations/gx from the catalog; returns the gx folder.

    GX test-connects the datasource and its assets as they are added, so ``db_path`` must be a
    built warehouse; the files written name only the ``${XXGK_WAREHOUSE_URL}`` variable.
    """
    gx_dir = project_root / "gx"
    with store.connect(db_path) as con:  # the assets read the run's scope table
        con.execute(DQ_SCHEMA)
    for sub in ("expectations", "validation_definitions", "checkpoints"):
        shutil.rmtree(gx_dir / sub, ignore_errors=True)
    context = get_context(db_path, project_root=project_root)
    if DATASOURCE in context.data_sources.all():
        context.data_sources.delete(DATASOURCE)
    source = context.data_sources.add_sql(
        name=DATASOURCE,
        connection_string="${" + WAREHOUSE_URL_VARIABLE + "}",
        # A validation must never take the warehouse's write lock.
        kwargs={"connect_args": {"read_only": True}},
    )
    batches = {name: source.add_query_asset(name=name, query=query).add_batch_definition_whole_table(BATCH)
               for name, query in ASSETS.items()}
    definitions = []
    for suite_name in SUITES:
        checks = [c for c in CHECKS if c.suite == suite_name]
        for asset in sorted({c.asset for c in checks}):
            suite = context.suites.add(gx.ExpectationSuite(name=f"{suite_name}.{asset}"))
            for c in (c for c in checks if c.asset == asset):
                suite.add_expectation(gxe.UnexpectedRowsExpectation(
                    unexpected_rows_query=c.sql.strip(),
                    description=c.description,
                    severity=GX_SEVERITY[c.severity],
                    meta={"check_id": c.check_id, "severity": c.severity, "suite": c.suite},
                ))
            definitions.append(context.validation_definitions.add(
                gx.ValidationDefinition(name=f"{suite_name}.{asset}", data=batches[asset], suite=suite)))
    context.checkpoints.add(gx.Checkpoint(
        name=CHECKPOINT, validation_definitions=definitions, result_format={"result_format": "SUMMARY"}))
    return gx_dir
