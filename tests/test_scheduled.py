"""What a scheduler and a reviewer run: `make run` on a fresh warehouse, a nightly rerun with nothing new, reviews that
survive re-checks, outputs beside each warehouse, exports, and every command's flags. Real commands, real files."""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.support.samples import RAW, SEED_003_NEXT_YEAR
from tests.support.warehouses import q, xxgk
from xxgk.dbt import PROJECT_DIR

# The pipeline end to end: dbt, GX, the command line (tests/conftest.py builds the samples once).
pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]
I1_NATURAL_PERSON = ("select finding_id from dq.findings where check_id = 'identity.I1' "
                     "and col_key = 'natural_person'")


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """`make run` as the README says, into a warehouse of its own (the sample reports hold two new errors)."""
    db = tmp_path_factory.mktemp("make") / "w.duckdb"
    # As typed in a shell: not as a sub-make of `make test`, which would add make's "Leaving directory" lines.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    done = subprocess.run(["make", "run", f"DB={db}"], cwd=ROOT, capture_output=True, text=True, env=env)
    return db, done


def test_make_run_exits_0_and_ends_with_a_short_summary(made):
    db, done = made
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    assert lines[-5] == "reports: 5 loaded, 0 partial, 0 rejected (5 new in this run)"
    # could not read: nothing, but 嘉兴港区's blank cells the printed ones determine (derived: info)
    assert lines[-4] == ("findings: report 2 error (2 new in this run), 9 warning, 0 info; could not read 0 warning, "
                         "1 info (0 cells not read); 0 dismissed by reviewers")
    assert lines[-3] == f"dashboard: 5 report pages, 12 of 12 findings listed → {db}.site/index.html"
    assert lines[-2] == f"log (dbt, GX): {db}.log"
    assert lines[-1].startswith("exit 1: report errors new since the last run") and "alert" in lines[-1]
    assert len(lines) <= 12 and "Running with dbt" not in done.stdout + done.stderr  # dbt's log is not shown
    log = Path(f"{db}.log").read_text("utf-8")
    assert "Running with dbt" in log and "=== exit 0" in log and "Calculating Metrics" in log  # dbt's and GX's
    assert (Path(f"{db}.site") / "index.html").exists() and (Path(f"{db}.dbt") / "build" / "static_index.html").exists()
    # Every stage of the run recorded itself, the dashboard too (written from the warehouse it published).
    assert q(db, "select stage from meta.runs order by finished_at") == [("ingest",), ("build",), ("check",),
                                                                        ("dashboard",)]


def test_a_run_parses_the_dbt_project_at_most_once(made):
    """The build parses the whole project (unless a warehouse of the same name left its parse: see test_dbt); its
    docs and the check stage's dbt start from that parse (same vars, same warehouse), re-reading only what changed:
    nothing."""
    db, _ = made
    commands = [c for c in Path(f"{db}.log").read_text("utf-8").split("\n=== 20")[1:] if "/dbt " in c.splitlines()[0]]
    assert [c.splitlines()[0].split("/dbt ")[1].split()[:2] for c in commands] == [
        ["build", "--vars"], ["docs", "generate"], ["build", "--select"]]
    assert ["Starting full parse" in c for c in commands][1:] == [False, False]


def test_a_run_with_nothing_new_writes_nothing_and_says_so(made):
    db, _ = made
    before = db.stat()
    runs = q(db, "select stage, count(*) from meta.runs group by 1 order by 1")
    done = xxgk("run", str(RAW), "--db", str(db))
    assert done.returncode == 0, done.stderr  # no error is new
    assert "nothing new since the last run (no report ingested, the dbt project unchanged): build and check skipped" \
        in done.stdout
    assert "report 2 error (0 new in this run)" in done.stdout
    after = db.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # not even copied
    assert q(db, "select stage, count(*) from meta.runs group by 1 order by 1") == runs


def test_verbose_shows_the_tools_output(made):
    db, _ = made
    done = xxgk("build", "--db", str(db), "--no-docs", "--verbose")
    assert done.returncode == 0 and "Running with dbt" in done.stdout and "Completed successfully" in done.stdout


def test_a_dismissed_finding_stays_dismissed_when_its_report_is_checked_again(made, tmp_path):
    db, _ = made
    (finding,) = q(db, I1_NATURAL_PERSON)[0]
    (score,) = q(db, "select score from marts.fct_report_quality where agency = '余杭区人民政府办公室'")[0]
    assert xxgk("review", finding[:8], "--dismiss", "--db", str(db)).returncode == 2  # a decision says why
    done = xxgk("review", finding[:8], "--dismiss", "--note", "a test: the form counts this row twice", "--by", "t",
                "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert f"dismissed: {finding[:12]} error identity.I1" in done.stdout
    (dismissed,) = q(db, "select score from marts.fct_report_quality where agency = '余杭区人民政府办公室'")[0]
    assert "score of report" in done.stdout and f"{score} → {dismissed}" in done.stdout and dismissed > score
    # The next year's report of the same agency puts every report of it back in the check's scope.
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "2020.txt").write_text(SEED_003_NEXT_YEAR, encoding="utf-8")
    done = xxgk("run", str(RAW), str(extra), "--db", str(db), "--quiet")
    assert done.returncode in (0, 1), done.stderr
    (scope,) = q(db, "select count(*) from dq.check_scope where report_id in (select report_id from dq.findings "
                     "where finding_id = ?)", finding)[0]
    assert scope == 1  # its report was checked again, and found the same
    assert q(db, "select decision, note, reviewer, recorded_in from dq.finding_reviews where finding_id = ? "
                 "and is_current", finding) == [("dismissed", "a test: the form counts this row twice", "t",
                                                 "xxgk review")]
    assert q(db, "select score from marts.fct_report_quality where agency = '余杭区人民政府办公室' and year = 2019") \
        == [(dismissed,)]
    site = Path(f"{db}.site")
    row = next(line for line in (site / "findings.html").read_text("utf-8").splitlines() if f'data-id="{finding}"' in line)
    assert "dismissed" in row
    # Confirmed again: the history keeps both decisions, the latest counts.
    assert xxgk("review", finding, "--confirm", "--note", "on second thought", "--db", str(db)).returncode == 0
    shown = xxgk("review", finding, "--db", str(db))
    assert shown.returncode == 0 and shown.stdout.count(" by ") == 2 and "confirmed by" in shown.stdout
    assert q(db, "select score from marts.fct_report_quality where agency = '余杭区人民政府办公室' and year = 2019") \
        == [(score,)]


def test_a_decision_in_the_repositorys_file_counts_without_a_full_rebuild(made, tmp_path):
    db, _ = made
    project = tmp_path / "dbt_project"
    shutil.copytree(PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    (finding,) = q(db, "select finding_id from dq.findings where check_id = 'identity.I1' "
                       "and col_key = 'commercial_enterprise'")[0]
    with open(project / "seeds" / "reviewed_findings.csv", "a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow([finding, "dismissed", "kept in the repository", "team", "2026-01-05 10:00:00"])
    env = {**os.environ, "XXGK_DBT_PROJECT": str(project)}
    done = xxgk("run", str(RAW), "--db", str(db), "--quiet", env=env)
    assert done.returncode == 0, done.stderr
    assert q(db, "select is_full from meta.runs where stage = 'build' order by finished_at desc limit 1") == [(False,)]
    assert q(db, "select decision, recorded_in from dq.finding_reviews where finding_id = ? and is_current",
             finding) == [("dismissed", "repository")]
    again = xxgk("run", str(RAW), "--db", str(db), "--quiet", env=env)
    assert "nothing new since the last run" in again.stdout  # loaded once


def test_two_warehouses_keep_their_own_pages(made):
    db, _ = made
    other = db.with_name("other.duckdb")
    before = (Path(f"{db}.site") / "index.html").stat().st_mtime_ns
    done = xxgk("run", str(RAW / "001_09edeb7c8eff9db0.txt"), "--db", str(other), "--quiet")
    assert done.returncode in (0, 1), done.stderr
    mine, theirs = (Path(f"{w}.site") / "index.html" for w in (db, other))
    assert mine.stat().st_mtime_ns == before
    assert "余杭区人民政府办公室" in mine.read_text("utf-8") and "余杭区人民政府办公室" not in theirs.read_text("utf-8")
    for w in (db, other):
        docs = Path(f"{w}.dbt") / "build" / "static_index.html"
        assert docs.exists() and (Path(f"{w}.site") / "dbt-docs.html").read_bytes() == docs.read_bytes()


def test_a_warehouse_inside_its_input_folder_never_reads_what_it_wrote(tmp_path):
    shutil.copy(RAW / "001_09edeb7c8eff9db0.txt", tmp_path)
    db = tmp_path / "w.duckdb"
    assert xxgk("run", str(tmp_path), "--db", str(db), "--quiet", "--no-docs").returncode == 0
    again = xxgk("run", str(tmp_path), "--db", str(db), "--quiet", "--no-docs")
    assert again.returncode == 0 and "nothing new since the last run" in again.stdout, again.stdout + again.stderr
    # (and the work copy the first run was written to)
    assert dict(q(db, "select path, reason from raw.skipped_files where path not like '%.work'")) == {
        str(db): "the warehouse's own file: never read as input",
        f"{db}.log": "the warehouse's own file: never read as input",
        f"{db}.site": "xxgk's own output (a dashboard folder): never read as input",
        f"{db}.dbt": "xxgk's own output (a dashboard folder): never read as input",
        str(tmp_path / ".w.duckdb.lock"): "the warehouse's own file: never read as input"}


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_writes_the_marts_and_the_findings(made, tmp_path, fmt):
    db, _ = made
    done = xxgk("export", "--db", str(db), "--format", fmt, "--out", str(tmp_path / "out"), "--quiet")
    assert done.returncode == 0, done.stderr
    files = {p.name for p in (tmp_path / "out").iterdir()}
    assert {f"marts.fct_agency_year.{fmt}", f"marts.fct_report_quality.{fmt}", f"dq.findings.{fmt}",
            f"dq.finding_reviews.{fmt}"} <= files
    path = tmp_path / "out" / f"dq.findings.{fmt}"
    if fmt == "csv":
        assert path.read_bytes().startswith("\ufeff".encode())  # Excel and WPS then read UTF-8
        rows = list(csv.DictReader(open(path, encoding="utf-8-sig")))
    else:
        with duckdb.connect() as con:
            rows = con.execute(f"select * from read_parquet('{path}')").fetchall()
    assert len(rows) == q(db, "select count(*) from dq.findings")[0][0]


COMMANDS = {"ingest": [], "build": [], "check": [], "dashboard": [], "run": [], "review": ["abcdef"], "export": []}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_takes_quiet_and_a_bad_flag_prints_its_own_usage(command, tmp_path):
    bad = xxgk(command, *COMMANDS[command], "--no-such-flag")
    assert bad.returncode == 2 and bad.stderr.startswith(f"usage: xxgk {command} ")
    assert "unrecognized arguments: --no-such-flag" in bad.stderr
    args = [*COMMANDS[command], "--quiet", "--db", str(tmp_path / "none.duckdb")]
    done = xxgk(command, *args, cwd=tmp_path)
    assert "unrecognized arguments" not in done.stderr and "usage:" not in done.stderr, done.stderr
