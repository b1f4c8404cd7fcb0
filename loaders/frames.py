"""The staging contract in DuckDB (``raw.*``) and the batched Arrow writer.

Every table a report touches is written in one transaction per batch, so a report is either
wholly in the warehouse or not at all.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import pyarrow as pa

from .report import PARSER_VERSION, ParsedReport

# Files written here stay readable by DuckDB 1.5 clients (DBeaver, Evidence, MotherDuck).
STORAGE_VERSION = "v1.5.0"
# DuckDB's memory for every connection the pipeline opens (loaders, checks, GX, dbt, dashboard).
# Its default, 80% of RAM, is a cache it fills on a national corpus (9.8 GiB while ingesting a
# million reports); bounded, it spills to disk beside the file instead, at no measured cost to ingest.
MEMORY_LIMIT = os.environ.get("XXGK_DUCKDB_MEMORY", "3GB")

SCHEMA: dict[str, list[tuple[str, pa.DataType, str]]] = {
    "report_sources": [
        ("sha256", pa.string(), "SHA-256 of the file's bytes"),
        ("report_id", pa.string(), "first 16 hex digits of sha256; the report's stable id"),
        ("source_path", pa.string(), "path of the file when first ingested"),
        ("size_bytes", pa.int64(), "file size"),
        ("raw_bytes", pa.binary(), "the file exactly as received"),
        ("normalised_text", pa.string(), "decoded text in the tab dialect; cell offsets point into it"),
        ("ingested_at", pa.timestamp("us"), "when the file was first ingested (UTC)"),
    ],
    "reports": [
        ("report_id", pa.string(), "stable id derived from the content hash"),
        ("sha256", pa.string(), "SHA-256 of the file's bytes"),
        ("source_path", pa.string(), "path of the file when first ingested"),
        ("source_format", pa.string(), "text | html | markdown"),
        ("encoding", pa.string(), "detected encoding of the file"),
        ("title", pa.string(), "report title as found in the text (simplified)"),
        ("agency", pa.string(), "publishing agency, simplified, without year and title words"),
        ("year", pa.int32(), "the year reported on"),
        ("template", pa.string(), "2019 | 2021, detected from the tables"),
        ("script", pa.string(), "simplified | traditional"),
        ("status", pa.string(), "loaded | partial | rejected"),
        ("error", pa.string(), "why the report is partial or rejected"),
        ("n_cells", pa.int32(), "table cells loaded"),
        ("n_unresolved", pa.int32(), "cells the loader could not place with certainty"),
        ("n_facts", pa.int32(), "narrative facts found"),
        ("parser_version", pa.string(), "version of the parser that read it"),
        ("ingested_at", pa.timestamp("us"), "when it was ingested (UTC); decides nothing but what a build reads anew"),
        ("printed_date", pa.date32(), "the date the report is signed with (a line holding only a date at its end, "
                                      "in the year reported on or the two after it); NULL when none"),
        ("other_reports", pa.string(), "further reports found in the same file after the first (agency year; …), "
                                       "which were not read; NULL when none"),
    ],
    "report_cells": [
        ("report_id", pa.string(), "report"),
        ("table_id", pa.string(), "t2 | t3 | t4"),
        ("row_key", pa.string(), "canonical row key (canonical-keys.md)"),
        ("col_key", pa.string(), "canonical column key"),
        ("value", pa.float64(), "normalised number (money in yuan); NULL unless a number was read with certainty"),
        ("raw_text", pa.string(), "the cell as printed, trimmed"),
        ("value_kind", pa.string(), "number | split (cut from a glued digit run, raw_text keeps the run) | blank | "
                                    "dash | text"),
        ("unit", pa.string(), "yuan for money, the printed unit word for counts, else NULL"),
        ("row_label", pa.string(), "the row label as printed"),
        ("char_offset", pa.int32(), "offset of the cell in report_sources.normalised_text"),
        ("line_no", pa.int32(), "line of the cell in report_sources.normalised_text"),
        ("unresolved_reason", pa.string(), "why the value could not be placed; NULL when it was"),
        ("resolved_by", pa.string(), "how a value not read directly was placed: I3 or I4, the identity that "
                                     "confirmed (or chose) the split of the glued digit run it was cut from, which "
                                     "then cannot be verified on it; template_order, a row whose label was lost, "
                                     "placed by the template's row order; NULL when read directly"),
    ],
    "narrative_facts": [
        ("report_id", pa.string(), "report"),
        ("fact_no", pa.int32(), "order of the fact in the report"),
        ("metric", pa.string(), "what the sentence says the number counts: applications_received | "
                                "applications_concluded | carried_over | carried_forward | outcome_granted | "
                                "outcome_partially_granted | outcome_denied | outcome_unable | outcome_rejected | "
                                "outcome_other | review_count | review_corrected | litigation_count | "
                                "litigation_corrected | fees_collected | normative_documents | proactive_disclosure"),
        ("value", pa.float64(), "the number stated (money in yuan; a share in percent)"),
        ("unit", pa.string(), "unit word as printed, yuan, or % for a share"),
        ("qualifier", pa.string(), "exact | approx (余, 多, 约, 万) | none_stated (未发生…, 无…: a negation, value 0) | "
                                   "share (占 33.9%, （17.46%）, 办结率: value in percent of the table figure's base)"),
        ("matched_text", pa.string(), "the words the number was read from"),
        ("sentence", pa.string(), "the sentence as printed, its wrapped lines joined (line breaks and page footers "
                                  "left out)"),
        ("char_offset", pa.int32(), "offset of the number (of the negated words for none_stated) in "
                                    "report_sources.normalised_text"),
        ("sentence_offset", pa.int32(), "offset of the sentence"),
        ("part", pa.string(), "the part of the table the clause names: total | natural_person | "
                              "commercial_enterprise | research_institution | social_welfare_org | legal_service_org | "
                              "legal_person (the five 法人或其他组织 columns) | review | litigation"),
        ("keyword", pa.string(), "the words that told the metric (收到, 办结, 办理, 上年结转, 纠错, …); "
                                 "reference.narrative_readings may admit readings for one keyword only (办理)"),
        ("decimals", pa.int32(), "digits printed after the decimal point: a stated share matches a computed one "
                                 "that rounds to it"),
    ],
}
# Paths an ingest passed over without reading them, and why: nothing in an input folder is skipped silently.
SKIPPED_FILES = [
    ("path", pa.string(), "the path as given or found (a name that is not UTF-8 shows its bytes as \\xNN)"),
    ("size_bytes", pa.int64(), "file size, when known"),
    ("reason", pa.string(), "why it was not read: unsupported type, too large, not a regular file, unreadable, "
                            "a link out of the folder or in a loop, xxgk's own output"),
    ("skipped_at", pa.timestamp("us"), "when the latest ingest that met this path skipped it (UTC)"),
]
# raw.report_cells columns in the order of tables.CellRecord's fields.
CELL_COLUMNS = ("table_id", "row_key", "col_key", "value", "raw_text", "value_kind", "unit", "row_label",
                "char_offset", "line_no", "unresolved_reason", "resolved_by")
ARROW_SCHEMAS = {name: pa.schema([(c, t) for c, t, _ in cols]) for name, cols in SCHEMA.items()}
_DUCK_TYPES = {pa.string(): "varchar", pa.int64(): "bigint", pa.int32(): "integer", pa.float64(): "double",
               pa.binary(): "blob", pa.timestamp("us"): "timestamp", pa.date32(): "date"}


def connect(db_path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse (creating it, readable by DuckDB 1.5 clients, when missing).

    Memory is bounded by ``MEMORY_LIMIT``; DuckDB's own progress bar is off: it would draw into the
    command's output.
    """
    path = Path(db_path)
    config = {"memory_limit": MEMORY_LIMIT}
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
        config["storage_compatibility_version"] = STORAGE_VERSION
    con = duckdb.connect(str(path), read_only=read_only, config=config)
    con.execute("set enable_progress_bar = false")
    return con


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``raw.*`` with column comments, so analysts see the contract in DuckDB itself."""
    con.execute("create schema if not exists raw")
    for name, cols in SCHEMA.items():
        columns = ", ".join(f"{c} {_DUCK_TYPES[t]}" for c, t, _ in cols)
        con.execute(f"create table if not exists raw.{name} ({columns})")
        for c, t, _ in cols:  # warehouses written before a column was added
            con.execute(f"alter table raw.{name} add column if not exists {c} {_DUCK_TYPES[t]}")
        for c, _, doc in cols:
            con.execute(f"comment on column raw.{name}.{c} is {sql_literal(doc)}")
    columns = ", ".join(f"{c} {_DUCK_TYPES[t]}" for c, t, _ in SKIPPED_FILES)
    con.execute(f"create table if not exists raw.skipped_files ({columns})")
    con.execute("comment on table raw.skipped_files is 'One row per path the latest ingest that met it did not read, "
                "with the reason; a path read later is removed.'")
    for c, _, doc in SKIPPED_FILES:
        con.execute(f"comment on column raw.skipped_files.{c} is {sql_literal(doc)}")


def sql_literal(text: str) -> str:
    """A SQL string literal, for the statements DuckDB cannot parameterise (COMMENT ON).

    >>> sql_literal("GX's verdict")
    "'GX''s verdict'"
    """
    return "'" + text.replace("'", "''") + "'"


def known_hashes(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {h for (h,) in con.execute("select sha256 from raw.report_sources").fetchall()}


class ReportRows:
    """Rows of the raw tables for a group of reports, collected column by column.

    Built where the reports are parsed (a worker process), and handed over as Arrow tables:
    the process that writes the warehouse then has only the insert left to do.
    """

    def __init__(self) -> None:
        self.columns: dict[str, dict[str, list]] = {name: {c: [] for c, _, _ in cols} for name, cols in SCHEMA.items()}
        self.n_reports = 0

    def add(self, path: str, data: bytes, sha256: str, report_id: str, parsed: ParsedReport,
            now: dt.datetime, printed_date: dt.date | None = None, other_reports: str | None = None) -> None:
        self._append("report_sources", sha256=sha256, report_id=report_id, source_path=path, size_bytes=len(data),
                     raw_bytes=data, normalised_text=parsed.normalised_text or None, ingested_at=now)
        self._append("reports", report_id=report_id, sha256=sha256, source_path=path,
                     source_format=parsed.source_format, encoding=parsed.encoding, title=parsed.title,
                     agency=parsed.agency, year=parsed.year, template=parsed.template, script=parsed.script,
                     status=parsed.status, error=parsed.error, n_cells=len(parsed.cells),
                     n_unresolved=parsed.n_unresolved, n_facts=len(parsed.facts),
                     parser_version=PARSER_VERSION, ingested_at=now, printed_date=printed_date,
                     other_reports=other_reports)
        if parsed.cells:
            # One transpose per report (C speed) instead of an append per field of every cell.
            cells = self.columns["report_cells"]
            cells["report_id"].extend([report_id] * len(parsed.cells))
            for column, values in zip(CELL_COLUMNS, zip(*parsed.cells)):
                cells[column].extend(values)
        for n, f in enumerate(parsed.facts, start=1):
            self._append("narrative_facts", report_id=report_id, fact_no=n, metric=f.metric, value=f.value,
                         unit=f.unit, qualifier=f.qualifier, matched_text=f.matched_text, sentence=f.sentence,
                         char_offset=f.char_offset, sentence_offset=f.sentence_offset, part=f.part,
                         keyword=f.keyword, decimals=f.decimals)
        self.n_reports += 1

    def _append(self, table: str, **values) -> None:
        for c, column in self.columns[table].items():
            column.append(values[c])

    def to_arrow(self) -> dict[str, pa.Table]:
        return {name: pa.table(cols, schema=ARROW_SCHEMAS[name]) for name, cols in self.columns.items()}


def write_tables(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> None:
    """Insert one batch of every raw table in one transaction: a report is wholly in or not at all."""
    con.execute("begin transaction")
    try:
        for name, table in tables.items():
            if table.num_rows:
                con.register("_batch", table)
                con.execute(f"insert into raw.{name} by name select * from _batch")
                con.unregister("_batch")
        con.execute("commit")
    except BaseException:
        _rollback(con)
        raise


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back if a transaction is still open: a failed statement (disk full) may have ended it already, and a
    second error must not hide the first."""
    try:
        con.execute("rollback")
    except duckdb.Error:
        pass


def write_skipped(con: duckdb.DuckDBPyConnection, skipped: list[tuple[str, int | None, str]], seen: list[str],
                  now: dt.datetime) -> None:
    """Record the paths an ingest skipped; forget earlier skips of the paths it met (skipped again, or read)."""
    paths = pa.table({"path": pa.array([p for p, _, _ in skipped] + list(seen), pa.string())})
    rows = pa.table({"path": [p for p, _, _ in skipped], "size_bytes": [n for _, n, _ in skipped],
                     "reason": [r for _, _, r in skipped], "skipped_at": [now] * len(skipped)},
                    schema=pa.schema([(c, t) for c, t, _ in SKIPPED_FILES]))
    con.execute("begin transaction")
    try:
        con.register("_met", paths)
        con.execute("delete from raw.skipped_files where path in (select path from _met)")
        con.unregister("_met")
        if rows.num_rows:
            con.register("_skipped", rows)
            con.execute("insert into raw.skipped_files by name select * from _skipped")
            con.unregister("_skipped")
        con.execute("commit")
    except BaseException:
        _rollback(con)
        raise
