"""The one fix GX 1.24's SQL engine needs to validate a DuckDB file, and the context it runs in.

As shipped, every metric on DuckDB comes back empty ("list index out of range", great_expectations
#10738, #11579): ``execute_query`` returns a cursor result after leaving its connection context,
and duckdb-engine drops the rows when the connection goes back to the pool. The fix buffers the
rows (``Result.freeze()``) while the connection is still open. It touches GX internals, which is
why GX is pinned exactly and ``tests/test_checks.py`` covers it.
"""
from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx  # noqa: E402
from great_expectations.execution_engine import sqlalchemy_execution_engine as _engine  # noqa: E402

from xxgk import warehouse  # noqa: E402

from . import GX_PROJECT_ROOT  # noqa: E402

WAREHOUSE_URL_VARIABLE = "XXGK_WAREHOUSE_URL"


def _execute_query_buffered(self, query):
    with self.get_connection() as connection:
        return self._execute_query_with_recovery(connection, query).freeze()()


def apply_duckdb_fix() -> None:
    """Make GX's SQL engine fetch rows before the DuckDB connection is returned (idempotent)."""
    _engine.SqlAlchemyExecutionEngine.execute_query = _execute_query_buffered


def warehouse_url(db_path: str | Path) -> str:
    """The SQLAlchemy URL GX reads; duckdb-engine passes its query string to DuckDB as settings.

    >>> warehouse_url("/data/w.duckdb") == f"duckdb:////data/w.duckdb?memory_limit={warehouse.MEMORY_LIMIT}"
    True
    """
    return f"duckdb:///{Path(db_path).resolve()}?memory_limit={warehouse.MEMORY_LIMIT}"


def get_context(db_path: str | Path | None = None, project_root: Path = GX_PROJECT_ROOT):
    """The file-backed GX context under ``project_root`` (a check run's copy of expectations/), pointed at ``db_path``.

    The datasource's connection string is ``${XXGK_WAREHOUSE_URL}``, so no file GX writes names a
    machine's path.
    """
    apply_duckdb_fix()
    if db_path is not None:
        os.environ[WAREHOUSE_URL_VARIABLE] = warehouse_url(db_path)
    return gx.get_context(mode="file", project_root_dir=str(project_root))
