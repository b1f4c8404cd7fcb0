"""The real corpus as the yardstick: ``python bench/real.py [CORPUS_DIR] [--db WAREHOUSE]``.

Ingests and builds the real reports (default: tests/fixtures/real) into a fresh warehouse, or reads the
one given, and compares its table-3 and table-4 cells with the hand-read truth: the totals in
``manifest.csv`` and every cell in ``truth/NNN.csv`` (read by eye, not by the parser). Prints the
table per file that README shows: right / wrong / unresolved, and the report's status or reason; then
the same for what analysts read, ``marts.fct_agency_year``: every headline measure and rate against the
one the hand-read cells give (reference.measure_terms over the truth; rates from those).

A cell is *right* when the warehouse holds the printed number (or nothing, where the report prints a
blank or a dash; or, where it derived a blank cell from the identities, the value the hand-read cells
imply: the truth's ``implied`` column), *wrong* when it holds another number, *unresolved* when it holds
no number where one is printed. Wrong is the one that must stay at 0.
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
SEEDS = ROOT / "dbt_project" / "seeds"
RATES = {"disclosure_rate": (("granted", "partially_granted"), "total_processed"),
         "review_correction_rate": (("review_corrected",), "review_total"),
         "litigation_correction_rate": (("litigation_corrected",), "litigation_total")}
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
        """One cell: ``want`` None means the report prints no number there (and implies none)."""
        if got is None:
            if want is None:
                self.right += 1
            else:
                self.unresolved += 1
        elif want is not None and abs(got - want) < 1e-9:
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
            values, derived = {}, set()
            for t, r, c, v, kind in con.execute("select table_id, row_key, col_key, value, value_kind "
                                                "from raw.report_cells where report_id = ?", [rid]).fetchall():
                values[(t, r, c)] = v
                if kind == "derived":
                    derived.add((t, r, c))
            totals = Tally()
            truth = corpus / "truth" / f"{Path(name).stem}.csv"
            truth_rows = list(csv.DictReader(open(truth, encoding="utf-8"))) if truth.exists() else []
            implied = {(t["table_id"], t["row_key"], t["col_key"]): float(t["implied"])
                       for t in truth_rows if t.get("implied")}
            for column, key in TOTALS.items():
                if row[column].strip():
                    # A blank 总计 the warehouse derived is right at the value the manifest's sums give.
                    totals.add(values.get(key), implied.get(key, float(row[column])) if key in derived
                               else float(row[column]), f"{name} {'/'.join(key)}")
            cells = Tally()
            for t in truth_rows:
                key = (t["table_id"], t["row_key"], t["col_key"])
                want = float(t["value"]) if t["status"] == "number" else None
                if key in derived:
                    want = implied.get(key)  # a derived cell: right only at what the hand-read cells imply
                if t["status"] in ("missing", "ambiguous"):
                    # Nothing certain is printed: any number is a guess.
                    cells.add(values.get(key), None, f"{name} {'/'.join(key)}")
                else:
                    cells.add(values.get(key), want, f"{name} {'/'.join(key)}")
            out.append(FileScore(name, fmt or "", status, totals, cells, error or ""))
        return out
    finally:
        con.close()


def truth_cells(corpus: Path, name: str) -> dict[tuple[str, str, str], float | None | str]:
    """A file's hand-read cells: the number printed, the value a blank cell implies (truth's ``implied``),
    or 'unknown' where nothing certain is printed (missing, ambiguous)."""
    truth = corpus / "truth" / f"{Path(name).stem}.csv"
    out: dict = {}
    for t in csv.DictReader(open(truth, encoding="utf-8")) if truth.exists() else []:
        key = (t["table_id"], t["row_key"], t["col_key"])
        out[key] = float(t["value"]) if t["status"] == "number" else \
            float(t["implied"]) if t.get("implied") else "unknown"
    return out


def truth_measures(cells: dict, headline: list[str]) -> dict[str, float | None]:
    """The headline measures and rates the hand-read cells give (None: not determined by them), summed over
    the report's own rows as measure_terms defines them: （六） one row or three, as the truth has it."""
    terms: dict[str, list] = {}
    for t in csv.DictReader(open(SEEDS / "measure_terms.csv", encoding="utf-8")):
        terms.setdefault(t["measure"], []).append(((t["table_id"], t["row_key"], t["col_key"]), int(t["sign"])))
    one_row = ("t3", "other_handling", "total") in cells
    three_rows = {"other_overdue_correction", "other_overdue_fee", "other_misc"}
    out: dict[str, float | None] = {}
    for m in headline:
        needed = [(k, sign) for k, sign in terms[m]
                  if not (k[1] == "other_handling" and not one_row or k[1] in three_rows and one_row)]
        values = [cells.get(k, "unknown") for k, _ in needed]
        out[m] = None if "unknown" in values else sum(sign * v for (_, sign), v in zip(needed, values))
    for rate, (parts, base) in RATES.items():
        numerator = [out[p] for p in parts]
        out[rate] = sum(numerator) / out[base] if None not in numerator and out[base] else None
    return out


@dataclass
class MartScore:
    file: str
    tally: Tally
    known: int
    total: int


def score_marts(db: Path, corpus: Path = CORPUS) -> list[MartScore]:
    """Every fct_agency_year value of the real corpus against the one the hand-read cells give: right, wrong, or
    unresolved (NULL in the mart while the truth has a value; NULL where the truth has none is right)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        headline = [c for (c,) in con.execute(
            "select column_name from duckdb_columns() where schema_name = 'marts' and table_name = 'fct_agency_year' "
            "and data_type = 'BIGINT' order by column_index").fetchall()]
        cur = con.execute("select r.source_path, a.* from marts.fct_agency_year a join raw.reports r using (report_id)")
        names = [d[0] for d in cur.description]
        marts = {Path(row[0]).name: dict(zip(names, row)) for row in cur.fetchall()}
        out = []
        for row in csv.DictReader(open(corpus / "manifest.csv", encoding="utf-8")):
            name = row["file"]
            want = truth_measures(truth_cells(corpus, name), headline)
            got = marts.get(name, {})
            tally = Tally()
            for measure, value in want.items():
                tally.add(got.get(measure), value, f"{name} fct_agency_year.{measure}")
            out.append(MartScore(name, tally, sum(got.get(m) is not None for m in want), len(want)))
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


def marts_table(scores: list[MartScore]) -> str:
    """The marts' score as README shows it."""
    lines = ["| file | fct_agency_year values right / wrong / unresolved | known |", "|---|---|---|"]
    all_values, known, total = Tally(), 0, 0
    for s in scores:
        all_values += s.tally
        known, total = known + s.known, total + s.total
        lines.append(f"| {s.file} | {s.tally.cell()} | {s.known} of {s.total} |")
    lines.append(f"| **all** | **{all_values.cell()}** ({share(all_values)}) | **{known} of {total}** "
                 f"({100 * known / max(total, 1):.1f}%) |")
    return "\n".join(lines)


def share(t: Tally) -> str:
    return f"{100 * t.right / max(t.total, 1):.1f}% right"


def main(argv: list[str]) -> int:
    corpus = Path(argv[0]) if argv and not argv[0].startswith("--") else CORPUS
    if "--db" in argv:
        db = Path(argv[argv.index("--db") + 1])
        scores, marts = score(db, corpus), score_marts(db, corpus)
    else:
        from xxgk.build import build
        from xxgk.ingest import ingest

        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "real.duckdb"
            ingest([corpus], db, workers=1, progress=False)
            built = build(db, target_dir=Path(tmp) / "target", docs=False, quiet=True)
            if not built.success:
                raise SystemExit("build failed: " + "; ".join(built.failures))
            scores, marts = score(db, corpus), score_marts(db, corpus)
    print(table(scores))
    print()
    print(marts_table(marts))
    wrong = [w for s in scores for w in s.totals.wrong_cells + s.cells.wrong_cells] + \
        [w for m in marts for w in m.tally.wrong_cells]
    for w in wrong:
        print("WRONG", w)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
