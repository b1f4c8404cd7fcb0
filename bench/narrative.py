"""The narrative yardstick: ``python bench/narrative.py [--db WAREHOUSE]``.

Scores the narrative reader and the ``narrative.mismatch`` warnings against the hand labels in
tests/fixtures/real/narrative/*.csv (one file per report: the real reports in tests/fixtures/real
and the seeds in data/raw; each narrative statement's quote, the metric, part and value it states,
the table figures it may refer to and whether they agree, read by eye independently of the parser).

* Facts: a label is *found* when the reader yields a fact of its metric, part and value from the
  labelled clause; a fact is *right* when a label of that clause says what it says, *wrong* when the
  clause is labelled otherwise (a ``none`` label is a trap: no fact), *unlabelled* elsewhere.
* Warnings: a ``narrative.mismatch`` finding is *true* when it falls on a label with ``agrees = no``
  of its metric and value, *false* otherwise; a ``no`` label without a finding is *missed*.

A label's clause is its quote (the first line of a wrapped clause, for PDF and markdown text)
continued to the next clause punctuation.
"""
from __future__ import annotations

import csv
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CORPUS = ROOT / "tests" / "fixtures" / "real"
LABELS = CORPUS / "narrative"
SEEDS = ROOT / "data" / "raw"
_CLAUSE_END = re.compile(r"[，,。；;：:！？!?]")
_SPACE = re.compile(r"\s+")


@dataclass
class Label:
    quote: str
    metric: str
    part: str
    value: float
    unit: str
    qualifier: str
    table_reading: str
    agrees: str
    note: str
    start: int = -1  # the clause in the report's normalised text; -1 when the quote is not found
    end: int = -1

    @property
    def is_trap(self) -> bool:
        return self.metric == "none"

    def covers(self, offset: int) -> bool:
        return self.start <= offset < self.end

    def says(self, metric: str, part: str, value: float, qualifier: str) -> bool:
        return (metric == self.metric and part == self.part and abs(value - self.scaled) < 1e-6
                and (qualifier == "share") == (self.qualifier == "share"))

    @property
    def scaled(self) -> float:
        return self.value * (10_000 if self.unit.startswith("万") else 1)


def report_path(stem: str) -> Path | None:
    """The report a label file is about: tests/fixtures/real/STEM.* or data/raw/STEM.*."""
    for folder in (CORPUS, SEEDS):
        found = sorted(p for p in folder.glob(f"{stem}.*") if p.suffix != ".csv")
        if found:
            return found[0]
    return None


def read_labels(stem: str, text: str) -> list[Label]:
    """The labels of one report, each placed on its clause in ``text`` (the normalised text)."""
    with open(LABELS / f"{stem}.csv", encoding="utf-8") as fh:
        labels = [Label(**{**row, "value": float(row["value"])}) for row in csv.DictReader(fh)]
    # Quotes are matched with whitespace removed: wrapped lines and extractors differ in spaces.
    kept = [i for i, ch in enumerate(text) if not ch.isspace()]
    squeezed = "".join(text[i] for i in kept)
    for label in labels:
        at = squeezed.find(_SPACE.sub("", label.quote))
        if at < 0:
            continue
        label.start = kept[at]
        end = kept[at + len(_SPACE.sub("", label.quote)) - 1] + 1
        if not _CLAUSE_END.fullmatch(text[end - 1]):
            stop = _CLAUSE_END.search(text, end, end + 160)
            end = stop.end() if stop else end
        label.end = end
    return labels


@dataclass
class FactScore:
    file: str
    labels: int = 0  # labels stating a metric
    found: int = 0
    traps: int = 0
    traps_taken: int = 0
    right: int = 0
    wrong: int = 0
    unlabelled: int = 0
    missed_labels: list[str] = field(default_factory=list)
    wrong_facts: list[str] = field(default_factory=list)
    unlabelled_facts: list[str] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)

    @property
    def facts(self) -> int:
        return self.right + self.wrong

    def __iadd__(self, other: FactScore) -> FactScore:
        for name in ("labels", "found", "traps", "traps_taken", "right", "wrong", "unlabelled"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self


def score_facts(stem: str, text: str, facts) -> FactScore:
    """Score the reader's facts of one report (``facts``: metric, part, value, qualifier, char_offset)."""
    labels = read_labels(stem, text)
    s = FactScore(stem)
    s.unplaced = [lb.quote for lb in labels if lb.start < 0]
    for lb in labels:
        if lb.start < 0:
            continue
        here = [f for f in facts if lb.covers(f.char_offset)]
        if lb.is_trap:
            s.traps += 1
            # A fact of the trap's number that no other label of the clause explains.
            taken = [f for f in here if abs(f.value - lb.scaled) < 1e-6 and
                     not any(o.covers(f.char_offset) and o.says(f.metric, f.part, f.value, f.qualifier)
                             for o in labels)]
            s.traps_taken += bool(taken)
        else:
            s.labels += 1
            if any(lb.says(f.metric, f.part, f.value, f.qualifier) for f in here):
                s.found += 1
            else:
                s.missed_labels.append(f"{lb.quote} → {lb.metric}/{lb.part} = {lb.value:g} "
                                       f"(read: {[(f.metric, f.part, f.value) for f in here]})")
    for f in facts:
        covering = [lb for lb in labels if lb.start >= 0 and lb.covers(f.char_offset)]
        what = f"{f.metric}/{f.part} = {f.value:g} ({f.qualifier}) at {f.char_offset}: 「{f.sentence[:60]}」"
        if any(lb.says(f.metric, f.part, f.value, f.qualifier) for lb in covering):
            s.right += 1
        elif covering:
            s.wrong += 1
            s.wrong_facts.append(what)
        else:
            s.unlabelled += 1
            s.unlabelled_facts.append(what)
    return s


def label_stems() -> list[str]:
    return sorted(p.stem for p in LABELS.glob("*.csv"))


def parse(path: Path):
    from loaders.assembly.report import parse_source

    return parse_source(path.read_bytes())


def fact_scores() -> list[FactScore]:
    out = []
    for stem in label_stems():
        path = report_path(stem)
        parsed = parse(path) if path else None
        if parsed is None or parsed.status == "rejected":
            s = FactScore(stem)
            s.unplaced = [f"not read: {parsed.error if parsed else 'no report file'}"]
            out.append(s)
            continue
        out.append(score_facts(stem, parsed.normalised_text, parsed.facts))
    return out


# --- warnings through the warehouse ------------------------------------------------------------
@dataclass
class WarningScore:
    true: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        n = len(self.true) + len(self.false)
        return len(self.true) / n if n else 1.0

    @property
    def recall(self) -> float:
        n = len(self.true) + len(self.missed)
        return len(self.true) / n if n else 1.0


def build_warehouse(db: Path) -> None:
    """Ingest the labelled reports (real corpus and seeds), build, run the checks."""
    from xxgk.build import build
    from xxgk.checks.gx_duckdb import GX_PROJECT_ROOT
    from xxgk.checks.run import run_checks
    from xxgk.ingest import ingest

    src = db.parent / "reports"
    src.mkdir()
    for stem in label_stems():
        path = report_path(stem)
        if path:
            shutil.copy(path, src / path.name)
    ingest([src], db, workers=1, progress=False)
    assert build(db, target_dir=db.parent / "target", docs=False, quiet=True).success
    gx = db.parent / "expectations"
    shutil.copytree(GX_PROJECT_ROOT, gx, ignore=shutil.ignore_patterns("uncommitted"))
    old = os.environ.get("XXGK_GX_ROOT")
    os.environ["XXGK_GX_ROOT"] = str(gx)
    try:
        run_checks(db, data_docs=False, full=True)
    finally:
        if old is None:
            os.environ.pop("XXGK_GX_ROOT")
        else:
            os.environ["XXGK_GX_ROOT"] = old


def score_warnings(db: Path) -> WarningScore:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("""
            select r.source_path, f.row_key, f.actual, f.char_offset, f.message
            from dq.findings f join raw.reports r using (report_id)
            where f.check_id = 'narrative.mismatch'""").fetchall()
        texts = dict(con.execute("""
            select r.source_path, s.normalised_text from raw.reports r join raw.report_sources s using (report_id)
            where r.status <> 'rejected'""").fetchall())
    finally:
        con.close()
    score = WarningScore()
    labels = {Path(p).stem: read_labels(Path(p).stem, t) for p, t in texts.items()
              if (LABELS / f"{Path(p).stem}.csv").exists()}
    hit: set[tuple[str, int]] = set()
    for path, metric, stated, offset, message in rows:
        stem = Path(path).stem
        match = [(i, lb) for i, lb in enumerate(labels.get(stem, [])) if lb.covers(offset) and lb.metric == metric
                 and abs(lb.scaled - stated) < 1e-6]
        what = f"{stem}: {message[:150]}"
        if any(lb.agrees == "no" for _, lb in match):
            score.true.append(what)
            hit |= {(stem, i) for i, lb in match if lb.agrees == "no"}
        else:
            agrees = ",".join(sorted({lb.agrees for _, lb in match})) or "unlabelled"
            score.false.append(f"{what} [label agrees: {agrees}]")
    for stem in label_stems():
        for i, lb in enumerate(labels[stem] if stem in labels else read_labels(stem, "")):
            if lb.agrees == "no" and (stem, i) not in hit:
                score.missed.append(f"{stem}: 「{lb.quote}」 {lb.metric}/{lb.part} = {lb.value:g} — {lb.note[:110]}")
    return score


def main(argv: list[str]) -> int:
    facts = fact_scores()
    total = FactScore("all")
    print("| report | labels found | traps taken | facts right / wrong | unlabelled facts |")
    print("|---|---|---|---|---|")
    for s in facts:
        total += s
        print(f"| {s.file} | {s.found}/{s.labels} | {s.traps_taken}/{s.traps} | {s.right} / {s.wrong} | "
              f"{s.unlabelled} |" + (f" not scored: {s.unplaced[0][:80]}" if s.unplaced else ""))
    precision = total.right / max(total.facts, 1)
    print(f"| **all** | **{total.found}/{total.labels}** ({100 * total.found / max(total.labels, 1):.1f}% recall) "
          f"| {total.traps_taken}/{total.traps} | **{total.right} / {total.wrong}** ({100 * precision:.1f}% precise) "
          f"| {total.unlabelled} |")
    for s in facts:
        for what in s.missed_labels:
            print("MISSED", s.file, what)
        for what in s.wrong_facts:
            print("WRONG", s.file, what)
        for what in s.unlabelled_facts:
            print("UNLABELLED", s.file, what)
    if "--facts-only" in argv:
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        if "--db" in argv:
            db = Path(argv[argv.index("--db") + 1])
        else:
            db = Path(tmp) / "narrative.duckdb"
            build_warehouse(db)
        w = score_warnings(db)
    print(f"\nnarrative.mismatch: {len(w.true)} true, {len(w.false)} false, {len(w.missed)} missed — "
          f"precision {100 * w.precision:.0f}%, recall {100 * w.recall:.0f}%")
    for what in w.true:
        print("TRUE", what)
    for what in w.false:
        print("FALSE", what)
    for what in w.missed:
        print("MISSED", what)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
