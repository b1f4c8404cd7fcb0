"""The expectation GX validates each check with: the check's findings, listed on its Data Docs page."""
from __future__ import annotations

from great_expectations.expectations import UnexpectedRowsExpectation
from great_expectations.render import LegacyDiagnosticRendererType, RenderedTableContent
from great_expectations.render.renderer.renderer import renderer

# Failing rows an expectation keeps and its page lists: enough to see what is wrong, while every run's results
# stay small (they are kept, run after run, in dq.validations). All the rows are in dq.findings.
ROWS_SHOWN = 20


class UnexpectedFindings(UnexpectedRowsExpectation):
    """The findings of one check: it fails when there are any, unless ``informational``; its page lists the first
    ``ROWS_SHOWN`` failing rows (report, agency, year, cell, expected, actual, message)."""

    informational: bool = False

    def _validate(self, metrics: dict, runtime_configuration: dict | None = None, execution_engine=None):
        result = super()._validate(metrics, runtime_configuration, execution_engine)
        rows = result.get("result", {}).get("details", {}).get("unexpected_rows")
        if rows is not None:
            result["result"]["details"]["unexpected_rows"] = [_plain(r) for r in rows[:ROWS_SHOWN]]
        if self.informational:
            result["success"] = True
        return result

    @classmethod
    @renderer(renderer_type=LegacyDiagnosticRendererType.UNEXPECTED_TABLE)
    def _failing_rows(cls, configuration=None, result=None, runtime_configuration=None, **kwargs):
        rows = ((result.result or {}).get("details") or {}).get("unexpected_rows") if result else None
        if not rows:
            return None
        n = result.result.get("observed_value") or len(rows)
        header = [f"report ({len(rows)} of {n} shown; all in dq.findings)", "agency", "year", "cell", "expected",
                  "actual", "message"]
        table = [[r.get("report_id") or "", r.get("agency") or "", r.get("year") or "",
                  " ".join(str(r.get(k)) for k in ("table_id", "row_key", "col_key") if r.get(k)),
                  _number(r.get("expected")), _number(r.get("actual")), r.get("message") or ""] for r in rows]
        return [RenderedTableContent(content_block_type="table", table=table, header_row=header,
                                     styling={"body": {"classes": ["table-bordered", "table-sm", "mt-3"]}})]


def _plain(row) -> dict:
    return {k: (v if isinstance(v, (str, int, float, type(None))) else str(v)) for k, v in dict(row).items()}


def _number(value) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
