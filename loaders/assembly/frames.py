"""The staging contract as polars frames: one frame per ``raw.*`` table, built where reports are parsed.

The loaders know no warehouse: they turn bytes into these frames, and ``xxgk.warehouse`` inserts
them (DuckDB scans a polars frame through Arrow without copying it). What each column means is
documented once, in ``dbt_project/models/staging/_sources.yml``, and persisted as column comments
by every build.
"""
from __future__ import annotations

import datetime as dt

import polars as pl

from .report import PARSER_VERSION, ParsedReport

SCHEMA: dict[str, dict[str, pl.DataType]] = {
    "report_sources": {
        "sha256": pl.String, "report_id": pl.String, "source_path": pl.String, "size_bytes": pl.Int64,
        "raw_bytes": pl.Binary, "normalised_text": pl.String, "ingested_at": pl.Datetime("us"),
    },
    "reports": {
        "report_id": pl.String, "sha256": pl.String, "source_path": pl.String, "source_format": pl.String,
        "encoding": pl.String, "title": pl.String, "agency": pl.String, "year": pl.Int32, "template": pl.String,
        "script": pl.String, "status": pl.String, "error": pl.String, "n_cells": pl.Int32, "n_unresolved": pl.Int32,
        "n_facts": pl.Int32, "parser_version": pl.String, "ingested_at": pl.Datetime("us"),
        "printed_date": pl.Date, "other_reports": pl.String, "printed_agency": pl.String, "revision_mark": pl.String,
        "first_seen_at": pl.Datetime("us"), "page_date": pl.Date,
    },
    "report_cells": {
        "report_id": pl.String, "table_id": pl.String, "row_key": pl.String, "col_key": pl.String,
        "value": pl.Float64, "raw_text": pl.String, "value_kind": pl.String, "unit": pl.String,
        "row_label": pl.String, "char_offset": pl.Int32, "line_no": pl.Int32, "unresolved_reason": pl.String,
        "resolved_by": pl.String, "candidates": pl.String, "confidence": pl.Float64,
    },
    "reading_conflicts": {
        "report_id": pl.String, "table_id": pl.String, "row_key": pl.String, "col_key": pl.String,
        "identities": pl.String, "raw_text": pl.String, "message": pl.String, "char_offset": pl.Int32,
        "line_no": pl.Int32,
    },
    "narrative_facts": {
        "report_id": pl.String, "fact_no": pl.Int32, "metric": pl.String, "value": pl.Float64, "unit": pl.String,
        "qualifier": pl.String, "matched_text": pl.String, "sentence": pl.String, "char_offset": pl.Int32,
        "sentence_offset": pl.Int32, "part": pl.String, "keyword": pl.String, "decimals": pl.Int32,
        "why": pl.String,
    },
    # The six sections (一 … 六) as found, with their bodies: what the report-level checks read.
    "report_sections": {
        "report_id": pl.String, "section": pl.String, "section_key": pl.String, "heading": pl.String,
        "char_offset": pl.Int32, "body_offset": pl.Int32, "body": pl.String,
    },
    # Every agency name the reports print and the canonical agency it stands for (loaders/readers/agency.py), written over
    # the whole warehouse by xxgk: whether a name without its province is another's depends on all the names.
    "agency_names": {
        "printed_name": pl.String, "agency_key": pl.String, "agency": pl.String, "resolved_by": pl.String,
        "note": pl.String, "n_reports": pl.Int64,
    },
    # Paths an ingest passed over without reading them, and why: nothing in an input folder is skipped silently.
    "skipped_files": {
        "path": pl.String, "size_bytes": pl.Int64, "reason": pl.String, "skipped_at": pl.Datetime("us"),
    },
}
# The tables a parsed report fills (skipped_files and agency_names are the ingest's own records).
REPORT_TABLES = ("report_sources", "reports", "report_cells", "narrative_facts", "reading_conflicts", "report_sections")
# raw.report_cells columns in the order of tables.CellRecord's fields.
CELL_COLUMNS = ("table_id", "row_key", "col_key", "value", "raw_text", "value_kind", "unit", "row_label",
                "char_offset", "line_no", "unresolved_reason", "resolved_by", "candidates")
# raw.reading_conflicts columns in the order of arithmetic.Conflict's fields.
CONFLICT_COLUMNS = ("table_id", "row_key", "col_key", "identities", "raw_text", "message", "char_offset", "line_no")


def empty(table: str) -> pl.DataFrame:
    """A frame with ``table``'s columns and no rows.

    >>> empty("skipped_files").columns
    ['path', 'size_bytes', 'reason', 'skipped_at']
    """
    return pl.DataFrame(schema=SCHEMA[table])


class ReportRows:
    """Rows of the raw tables for a group of reports, collected column by column.

    Built where the reports are parsed (a worker process), and handed over as polars frames:
    the process that writes the warehouse then has only the insert left to do.
    """

    def __init__(self) -> None:
        self.columns: dict[str, dict[str, list]] = {t: {c: [] for c in SCHEMA[t]} for t in REPORT_TABLES}
        self.ocr_pages = 0  # pages read by OCR, for the progress bar

    def add(self, path: str, data: bytes, sha256: str, report_id: str, parsed: ParsedReport,
            now: dt.datetime, first_seen_at: dt.datetime | None = None) -> None:
        self.ocr_pages += parsed.ocr_pages
        self._append("report_sources", sha256=sha256, report_id=report_id, source_path=path, size_bytes=len(data),
                     raw_bytes=data, normalised_text=parsed.normalised_text or None, ingested_at=now)
        self._append("reports", report_id=report_id, sha256=sha256, source_path=path,
                     source_format=parsed.source_format, encoding=parsed.encoding, title=parsed.title,
                     agency=parsed.agency, year=parsed.year, template=parsed.template, script=parsed.script,
                     status=parsed.status, error=parsed.error, n_cells=len(parsed.cells),
                     n_unresolved=parsed.n_unresolved, n_facts=len(parsed.facts),
                     parser_version=PARSER_VERSION, ingested_at=now, printed_date=parsed.printed_date,
                     other_reports=parsed.other_reports, printed_agency=parsed.printed_agency,
                     revision_mark=parsed.revision_mark, first_seen_at=first_seen_at,
                     page_date=parsed.page_date)
        if parsed.cells:
            # One transpose per report (C speed) instead of an append per field of every cell.
            cells = self.columns["report_cells"]
            cells["report_id"].extend([report_id] * len(parsed.cells))
            for column, values in zip(CELL_COLUMNS, zip(*parsed.cells)):
                cells[column].extend(values)
            cells["confidence"].extend(parsed.confidences or [None] * len(parsed.cells))
        if parsed.conflicts:
            conflicts = self.columns["reading_conflicts"]
            conflicts["report_id"].extend([report_id] * len(parsed.conflicts))
            for column, values in zip(CONFLICT_COLUMNS, zip(*parsed.conflicts)):
                conflicts[column].extend(values)
        for n, f in enumerate(parsed.facts, start=1):
            self._append("narrative_facts", report_id=report_id, fact_no=n, metric=f.metric, value=f.value,
                         unit=f.unit, qualifier=f.qualifier, matched_text=f.matched_text, sentence=f.sentence,
                         char_offset=f.char_offset, sentence_offset=f.sentence_offset, part=f.part,
                         keyword=f.keyword, decimals=f.decimals, why=f.why)

        for section in parsed.sections:
            self._append("report_sections", report_id=report_id, **section._asdict())

    def _append(self, table: str, **values) -> None:
        for c, column in self.columns[table].items():
            column.append(values[c])

    def to_frames(self) -> dict[str, pl.DataFrame]:
        return {t: pl.DataFrame(cols, schema=SCHEMA[t], strict=False) for t, cols in self.columns.items()}
