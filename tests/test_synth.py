"""The synthetic corpus: realistic shapes, and every injected defect found with no false errors."""
from __future__ import annotations

import csv
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from synth.corpus import evaluate, generate, write_corpus
from xxgk.build import build
from xxgk.checks.run import run_checks
from xxgk.dbt import PROJECT_DIR
from xxgk.ingest import ingest

N = 300


def renamed(truth: Path) -> Path:
    """The ground truth with each check id it names by a former name (seeds/check_renames.csv) as it is now: the
    generator still writes the ids of before the extraction.* checks."""
    with open(PROJECT_DIR / "seeds" / "check_renames.csv", encoding="utf-8", newline="") as f:
        now = {r["former_check_id"]: r["check_id"] for r in csv.DictReader(f)}
    with open(truth, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    out = truth.with_name("truth_renamed.csv")
    with open(out, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**r, "check_id": now.get(r["check_id"], r["check_id"])} for r in rows)
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("synth")
    n, truth = write_corpus(N, seed=20261123, out=d / "raw", defect_rate=0.15)
    assert n == N
    db = d / "warehouse.duckdb"
    summary = ingest([d / "raw"], db, progress=False)
    assert summary.counts["rejected"] == 0
    assert build(db, docs=False, quiet=True).success
    run_checks(db, data_docs=False)
    return db, truth


@pytest.mark.e2e
def test_every_injected_defect_is_found_and_clean_reports_have_no_errors(corpus):
    db, truth = corpus
    result = evaluate(db, renamed(truth))
    assert result["missed"] == []
    for defect in ("identity", "carry_over", "template"):
        hit, total = map(int, result["recall"][defect].split("/"))
        assert hit == total > 0, (defect, result["recall"])
    assert result["precision"] >= 0.999 and result["false_errors"] == []
    assert result["clean_reports_with_errors"] == 0 and result["clean_reports"] > 200


@pytest.mark.e2e
def test_corpus_has_the_shapes_of_real_reports(corpus):
    db, truth = corpus
    files = [p for p in truth.parent.rglob("*") if p.suffix in (".txt", ".html", ".md")]
    assert Counter(p.suffix for p in files).keys() == {".txt", ".html", ".md"}
    texts = [p.read_text("utf-8") for p in files]
    assert any("錢" in t or "區" in t or "縣" in t or "開" in t for t in texts)  # traditional script
    assert any("rowspan" in t and "</span><span" in t for t in texts)  # merged cells, span-split numbers
    assert any("\t" not in t and ".txt" for t in texts)  # one-cell-per-line dumps
    with open(truth, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    per_agency = Counter(r["agency"] for r in rows if r["defect"] in ("none", "identity", "carry_over", "template",
                                                                          "narrative", "blank", "glued"))
    assert max(per_agency.values()) >= 3  # consecutive years per agency, so cross-year checks have work


def test_generation_is_deterministic_and_identities_hold_when_clean():
    a, b = generate(60, seed=5, defect_rate=0), generate(60, seed=5, defect_rate=0)
    assert [(r.agency, r.year, r.t3) for r in a] == [(r.agency, r.year, r.t3) for r in b]
    by_agency: dict[str, list] = {}
    for r in a:
        cols = [c for c in r.t3["new_received"]]
        for c in cols:
            assert r.t3["new_received"][c] + r.t3["carried_over"][c] == \
                r.t3["total_processed"][c] + r.t3["carried_forward"][c]
        by_agency.setdefault(r.agency, []).append(r)
    for reports in by_agency.values():
        for prev, cur in zip(reports, reports[1:]):
            assert cur.year == prev.year + 1
            assert cur.t3["carried_over"] == prev.t3["carried_forward"]


@pytest.mark.slow
def test_carry_over_defects_are_placed_where_last_year_printed_a_number():
    """A column left blank last year cannot be checked across years; the truth must not expect it."""
    reports = generate(10_000, seed=7, defect_rate=1.0)
    expected = 0
    for prev, cur in zip(reports, reports[1:]):
        if cur.agency != prev.agency:
            continue
        for t in cur.truth:
            if t["defect"] == "carry_over":
                expected += 1
                assert prev.t3["carried_forward"][t["col_key"]] is not None, (cur.agency, cur.year, t["col_key"])
    assert expected > 100


@pytest.mark.parametrize("args, code, says", [
    (["--n", "2", "--seed", "1", "--shapes", "tab"], 0, "synth: 2 reports → "),
    (["--n", "1", "--no-such-flag"], 2, "usage: python -m synth "),
    (["--n", "1", "--shapes", "pdf"], 2, "--shapes: "),
])
def test_the_generator_runs_as_its_own_command(tmp_path, args, code, says):
    """``python -m synth`` (not an xxgk command: the product does not ship the generator)."""
    done = subprocess.run([sys.executable, "-m", "synth", *args, "--out", str(tmp_path / "c")], capture_output=True,
                          text=True, timeout=120, cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == code and says in done.stdout + done.stderr, done.stderr
