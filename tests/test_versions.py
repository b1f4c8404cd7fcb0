"""Which content is current for an agency-year: the evidence (a later signing date, a 更正/修订 mark, the later first
sight), an analyst's pin, never the content hash; `xxgk versions` says why, `xxgk forget` removes a source."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from synth.corpus import write_corpus
from tests.support.samples import CARRIED_FORWARD_TOTAL
from tests.support.warehouses import q, xxgk

# The pipeline end to end: the command line, dbt, GX.
pytestmark = pytest.mark.e2e

PAIRS = 4  # agency-years per kind of evidence: the hash would pick the correction about half the time
EVIDENCE = ("signing date", "correction mark", "first seen later", "same ingest, later path")
TITLE_YEAR = re.compile(r"(\d{4})\s*年度")


def _signed(text: str, date: str) -> str:
    return text.rstrip("\n") + f"\n\n{date}\n"


def _pairs(tmp: Path) -> list[tuple[str, str, str]]:
    """(name, original, correction) of synthetic reports: the original carries 3 more applications forward than
    its table adds up to (identity I1 fails), the correction prints the right figure."""
    corpus = tmp / "synth"
    write_corpus(120, seed=11, out=corpus, defect_rate=0.0)
    found = []
    for f in sorted(corpus.rglob("*.txt")):
        text = f.read_text("utf-8")
        if CARRIED_FORWARD_TOTAL.search(text) and TITLE_YEAR.search(text):
            wrong = CARRIED_FORWARD_TOTAL.sub(lambda m: m[1] + str(int(m[2]) + 3), text, count=1)
            found.append((f.stem, wrong, text))
    assert len(found) >= PAIRS * len(EVIDENCE)
    return found[: PAIRS * len(EVIDENCE)]


@pytest.fixture(scope="module")
def versions_db(tmp_path_factory) -> tuple[Path, Path, dict[str, list[tuple[str, str]]]]:
    """One warehouse holding, per kind of evidence, PAIRS agency-years with an original and its correction; the
    'first seen later' corrections come in a second ingest, from file names that sort first."""
    d = tmp_path_factory.mktemp("versions")
    first, later = d / "in", d / "later"
    first.mkdir(), later.mkdir()
    made: dict[str, list[tuple[str, str]]] = {e: [] for e in EVIDENCE}  # evidence → (original path, correction path)
    for k, (name, original, correction) in enumerate(_pairs(d)):
        evidence = EVIDENCE[k // PAIRS]
        year = int(TITLE_YEAR.search(original)[1])
        folder, corrected_name = first, f"{name}_b.txt"
        if evidence == "signing date":
            original, correction = _signed(original, f"{year + 1}年1月20日"), _signed(correction, f"{year + 1}年3月2日")
        elif evidence == "correction mark":
            head, _, rest = correction.partition("\n")
            correction = f"{head}（更正）\n{rest}"
        elif evidence == "first seen later":
            folder, corrected_name = later, f"{name}_0.txt"  # sorts before the original: only the time decides
        (first / f"{name}_a.txt").write_text(original, encoding="utf-8")
        (folder / corrected_name).write_text(correction, encoding="utf-8")
        made[evidence].append((str(first / f"{name}_a.txt"), str(folder / corrected_name)))
    db = d / "warehouse.duckdb"
    done = xxgk("ingest", str(first), "--db", str(db), "--quiet")
    assert done.returncode == 0, done.stderr
    # Built once both ingests are in: versions met across incremental builds are tests/test_incremental.py's.
    done = xxgk("run", str(later), "--db", str(db), "--out", str(d / "site"), "--quiet", "--no-docs")
    assert done.returncode in (0, 1), done.stderr
    return db, d, made


@pytest.mark.parametrize("evidence, note", [
    ("signing date", "the later signing date printed ("),
    ("correction mark", "it is printed as a correction (（更正）)"),
    ("first seen later", "first seen later, by a later ingest"),
    ("same ingest, later path", "first seen in the same ingest, later in path order ("),
])
def test_the_correction_is_current_by_evidence_never_by_the_hash(versions_db, evidence, note):
    db, _, made = versions_db
    for original, correction in made[evidence]:
        (current, why), = q(db, "select c.source_path, c.version_note from marts.dim_report c join marts.dim_report o "
                                "using (agency, year) where c.is_current and o.source_path = ?", original)
        assert current == correction, (evidence, why)
        assert note in why
        # The facts and the score follow the correction: its table adds up, so no error stays on the agency-year.
        assert q(db, "select errors from marts.fct_report_quality where report_id = "
                     "(select report_id from marts.dim_report where source_path = ?)", correction) == [(0,)]


def test_xxgk_versions_lists_the_versions_and_why(versions_db):
    db, _, made = versions_db
    original, correction = made["correction mark"][0]
    (agency, year), = q(db, "select agency, year from marts.dim_report where source_path = ?", original)
    done = xxgk("versions", "--db", str(db), "--agency", agency, "--year", str(year))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"{agency} {year}: 2 versions"
    assert lines[1].startswith("  * ") and f"  {correction}  (" in lines[1] and "（更正）" in lines[1]
    assert "over " in lines[2] and lines[2].endswith("it is printed as a correction (（更正）)")
    assert lines[3].startswith("    ") and f"  {original}  (" in lines[3]
    assert lines[4].strip().startswith("superseded by ")
    everything = xxgk("versions", "--db", str(db))
    assert everything.stdout.count(": 2 versions") == PAIRS * len(EVIDENCE)


def _project_with(tmp: Path, seed: str, row: str) -> dict[str, str]:
    project = tmp / "dbt_project"
    shutil.copytree(Path(__file__).resolve().parents[1] / "dbt_project", project,
                    ignore=shutil.ignore_patterns("target", "logs"))
    with open(project / "seeds" / seed, "a", encoding="utf-8") as f:
        f.write(row + "\n")
    return {**os.environ, "XXGK_DBT_PROJECT": str(project), "XXGK_VOCABULARY": str(project / "seeds")}


def test_an_analysts_pin_makes_a_version_current(versions_db, tmp_path):
    db, _, made = versions_db
    pinned = tmp_path / "warehouse.duckdb"
    shutil.copy(db, pinned)
    original, _ = made["signing date"][0]
    (report_id,), = q(pinned, "select report_id from marts.dim_report where source_path = ?", original)
    env = _project_with(tmp_path, "version_pins.csv", f"{report_id},the agency says the first was right")
    done = subprocess.run([sys.executable, "-m", "xxgk.cli", "build", "--db", str(pinned), "--quiet", "--no-docs"],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    (current, why), = q(pinned, "select is_current, version_note from marts.dim_report where report_id = ?", report_id)
    assert current and why.endswith("pinned by an analyst (version_pins: the agency says the first was right)")


@pytest.fixture
def forgotten(versions_db, tmp_path) -> tuple[Path, str, str, str, subprocess.CompletedProcess]:
    """A copy of the warehouse in which one correction was forgotten, by its path."""
    db, _, made = versions_db
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(db, copy)
    original, correction = made["same ingest, later path"][0]
    (report_id,), = q(copy, "select report_id from marts.dim_report where source_path = ?", correction)
    done = xxgk("forget", correction, "--db", str(copy), "--reason", "published by mistake", "--quiet", "--no-docs")
    return copy, original, correction, report_id, done


def test_forget_removes_a_source_and_the_marts_and_findings_follow(forgotten):
    db, original, correction, report_id, done = forgotten
    assert done.returncode in (0, 1), done.stderr
    assert f"forgotten: {report_id} {correction} (kept in meta.forgotten)" in done.stdout
    for table in ("report_sources", "reports", "report_cells", "narrative_facts"):
        assert q(db, f"select count(*) from raw.{table} where report_id = ?", report_id) == [(0,)], table
    assert q(db, "select source_path, reason, raw_bytes = ? from meta.forgotten", Path(correction).read_bytes()) == [
        (correction, "published by mistake", True)]
    assert q(db, "select c.source_path, c.version_note from marts.dim_report c join marts.dim_report o "
                 "using (agency, year) where o.source_path = ?", original) == [
        (original, "only report for this agency and year")]
    assert q(db, "select count(*) from dq.findings where report_id = ?", report_id) == [(0,)]
    assert q(db, "select count(*) > 0 from dq.finding_history where report_id = ?", report_id) == [(True,)]
    assert q(db, "select count(*) from marts.fct_agency_year where report_id = ?", report_id) == [(0,)]


def test_a_forgotten_source_is_not_read_again(forgotten):
    db, _, correction, report_id, _ = forgotten
    done = xxgk("ingest", str(Path(correction).parent), "--db", str(db), "--quiet")
    assert done.returncode == 0, done.stderr
    assert f"skipped: {correction}: forgotten by `xxgk forget` on " in done.stderr
    assert q(db, "select count(*) from raw.reports where report_id = ?", report_id) == [(0,)]


@pytest.mark.parametrize("target", ["0123456789abcdef", "no/such/file.txt"])
def test_forgetting_what_is_not_there_changes_nothing(versions_db, tmp_path, target):
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(versions_db[0], db)
    before = db.read_bytes()
    done = xxgk("forget", target, "--db", str(db))
    assert done.returncode == 2 and f"nothing in the warehouse is {target}" in done.stderr, done.stderr
    assert db.read_bytes() == before
