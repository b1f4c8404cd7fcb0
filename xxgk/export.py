"""``xxgk export``: the marts and the findings as CSV or Parquet files, for spreadsheets and other tools.

One file per table or view of ``marts`` and ``dq`` (findings, their history and reviews, the score),
read from the published warehouse, read-only. CSV files start with a UTF-8 byte-order mark: Excel and
WPS read a CSV without one in the machine's legacy code page, and the Chinese names come out garbled.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from .warehouse import sql_literal

SCHEMAS = ("marts", "dq")
# dq's bookkeeping of the check runs (scope, GX's results and pages) is no data an analyst reads.
NOT_EXPORTED = {"dq.check_scope", "dq.check_runs", "dq.validations", "dq.data_docs"}
BOM = "\ufeff".encode()


def export(con: duckdb.DuckDBPyConnection, out: Path, fmt: str) -> list[tuple[str, Path, int]]:
    """Write every exported table to ``out``; returns (table, file, rows) for each."""
    out.mkdir(parents=True, exist_ok=True)
    tables = [f"{s}.{t}" for s, t in con.execute(
        "select table_schema, table_name from information_schema.tables where table_schema in (select unnest(?)) "
        "order by 1, 2", [list(SCHEMAS)]).fetchall() if f"{s}.{t}" not in NOT_EXPORTED]
    written = []
    for table in tables:
        path = out / f"{table}.{fmt}"
        part = path.with_name(f".{path.name}.part")
        options = "format csv, header true" if fmt == "csv" else "format parquet, compression zstd"
        con.execute(f"copy (select * from {table}) to {sql_literal(str(part))} ({options})")
        if fmt == "csv":
            with open(path, "wb") as dest, open(part, "rb") as src:
                dest.write(BOM)
                shutil.copyfileobj(src, dest)
            part.unlink()
        else:
            part.replace(path)
        (n,) = con.execute(f"select count(*) from {table}").fetchone()
        written.append((table, path, n))
    return written
