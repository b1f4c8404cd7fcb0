"""The real corpus as the yardstick: ``python bench/real.py [CORPUS_DIR] [--db WAREHOUSE]``.

Ingests the real reports (default: tests/fixtures/real) into a fresh warehouse, or reads the one
given, and compares its table-3 and table-4 cells with the hand-read truth: the totals in
``manifest.csv`` and every cell in ``truth/NNN.csv`` (read by eye, not by the parser). Prints the
table per file that README shows: right / wrong / unresolved, and the report's status or reason.

A cell is *right* when the warehouse holds the printed number (or nothing, where the report prints a
blank or a dash), *wrong* when it holds another number, *unresolved* when it holds no number where one
is printed. Wrong is the one that must stay at 0.
"""
from __future__ import annotations

import csv
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "real"
# manifest.csv column → (table_id, row_key, col_key)
TOTALS = {
    "t3_new_total": ("t3", "new_received", "total"),
    "t3_carried_over_total": ("t3", "carried_over", "total"),
    "t3_processed_total": ("t3", "total_processed", "total"),
    "t3_carry_forward_total": ("t3", "carried_forward", "total"),
    "t4_review_total": ("t4", "review", "total"),
    "t4_direct_total": ("t4", "litigation_direct", "total"),
    "t4_after_review_total": ("t4", "litigation_after_review", "total"),
}


@dataclass
class Tally:
    right: int = 0
    wrong: int = 0
    unresolved: int = 0
    wrong_cells: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.right + self.wrong + self.unresolved

    def add(self, got: float | None, want: float | None, where: str) -> None:
        """One cell: ``want`` None means the report prints no number there."""
        if got is None:
            if want is None:
                self.right += 1
            else:
                self.unresolved += 1
        elif want is not None and abs(got - want) < 1e-6:
            self.right += 1
        else:
            self.wrong += 1
            self.wrong_cells.append(f"{where}: got {got:g}, printed {'nothing' if want is None else f'{want:g}'}")

    def __iadd__(self, other: Tally) -> Tally:
        self.right += other.right
        self.wrong += other.wrong
        self.unresolved += other.unresolved
        self.wrong_cells += other.wrong_cells
        return self

    def cell(self) -> str:
        return f"{self.right} / {self.wrong} / {self.unresolved}"


@dataclass
class FileScore:
    file: str
    format: str
    status: str
    totals: Tally
    cells: Tally
    reason: str


def score(db: Path, corpus: Path = CORPUS) -> list[FileScore]:
    """Score the warehouse ``db`` against the manifest and truth files of ``corpus``."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        reports = {Path(path).name: (rid, status, fmt, error) for rid, path, status, fmt, error in con.execute(
            "select report_id, source_path, status, source_format, error from raw.reports").fetchall()}
        out = []
        for row in csv.DictReader(open(corpus / "manifest.csv", encoding="utf-8")):
            name = row["file"]
            rid, status, fmt, error = reports.get(name, (None, "not ingested", None, None))
            values = {(t, r, c): v for t, r, c, v in con.execute(
                "select table_id, row_key, col_key, value from raw.report_cells where report_id = ?",
                [rid]).fetchall()} if rid else {}
            totals = Tally()
            for column, key in TOTALS.items():
                if row[column].strip():
                    totals.add(values.get(key), float(row[column]), f"{name} {'/'.join(key)}")
            cells = Tally()
            truth = corpus / "truth" / f"{Path(name).stem}.csv"
            for t in csv.DictReader(open(truth, encoding="utf-8")) if truth.exists() else []:
                key = (t["table_id"], t["row_key"], t["col_key"])
                want = float(t["value"]) if t["status"] == "number" else None
                if t["status"] in ("missing", "ambiguous"):
                    # Nothing certain is printed: any number is a guess.
                    cells.add(values.get(key), None, f"{name} {'/'.join(key)}")
                else:
                    cells.add(values.get(key), want, f"{name} {'/'.join(key)}")
            out.append(FileScore(name, fmt or "", status, totals, cells, error or ""))
        return out
    finally:
        con.close()


def table(scores: list[FileScore]) -> str:
    """The markdown table README shows."""
    lines = ["| file | read as | status | totals right / wrong / unresolved | all t3/t4 cells right / wrong / "
             "unresolved | what is not read |", "|---|---|---|---|---|---|"]
    all_totals, all_cells = Tally(), Tally()
    for s in scores:
        all_totals += s.totals
        all_cells += s.cells
        reason = s.reason.replace("|", "/")
        lines.append(f"| {s.file} | {s.format} | {s.status} | {s.totals.cell()} | {s.cells.cell()} | "
                     f"{reason[:160] + ('…' if len(reason) > 160 else '')} |")
    lines.append(f"| **all** | | | **{all_totals.cell()}** ({share(all_totals)}) | **{all_cells.cell()}** "
                 f"({share(all_cells)}) | |")
    return "\n".join(lines)


def share(t: Tally) -> str:
    return f"{100 * t.right / max(t.total, 1):.1f}% right"


def main(argv: list[str]) -> int:
    corpus = Path(argv[0]) if argv and not argv[0].startswith("--") else CORPUS
    if "--db" in argv:
        db = Path(argv[argv.index("--db") + 1])
        scores = score(db, corpus)
    else:
        from xxgk.ingest import ingest

        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "real.duckdb"
            ingest([corpus], db, workers=1, progress=False)
            scores = score(db, corpus)
    print(table(scores))
    wrong = [w for s in scores for w in s.totals.wrong_cells + s.cells.wrong_cells]
    for w in wrong:
        print("WRONG", w)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
