"""What survives an upgrade: a warehouse an earlier release wrote, opened by this one, is migrated in the same
publish, its reports re-parsed from their bytes, its history of findings kept — and it ends up the very warehouse
this release builds fresh from the same folder, table by table.

The earlier releases' warehouses are built here, by those releases' own code (``git archive`` of the commit, run
with this checkout's virtualenv, whose packages are a superset of theirs): a committed fixture would be a binary
that nobody can regenerate or review, and would test one DuckDB file rather than what the release wrote.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

import duckdb
import pytest

from loaders.assembly.report import PARSER_VERSION
from tests.support.samples import RAW, SEEDS
from tests.support.warehouses import q, xxgk
from xxgk.migrations import SCHEMA_VERSION

# The pipeline end to end: dbt, GX, the command line (tests/conftest.py builds the samples once).
pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]
RELEASES = {
    "485e823": "main of 2026-11-24, the warehouse of the issue (meta.builds, dq without kind or first_seen_at)",
    "b9f016d": "main before agency identities and schema versions",
    "8663ed7": "main with glued digits read as a table and cheap nightly runs (issues 24 and 26): parser version 3",
}
# Columns that say when, or in which run, something happened: they differ between any two warehouses.
WHEN = {"ingested_at", "first_seen_at", "skipped_at", "run_id", "first_seen_run", "last_seen_run", "last_seen_at",
        "is_new"}
# Tables that are the history of this very warehouse (its runs, its GX validations), not what its reports say.
HISTORY = {("meta", "runs"), ("meta", "schema_version"), ("dq", "check_runs"), ("dq", "validations"),
           ("dq", "data_docs"), ("dq", "finding_history")}


def _folder(tmp: Path) -> Path:
    """The sample reports; one retitled with a space in its agency's name (the earlier parsers kept what follows
    it); two versions of one agency-year met by the same ingest; the real PDF (which the first release could not
    read)."""
    folder = tmp / "reports"
    folder.mkdir()
    for name in SEEDS:
        shutil.copy(RAW / name, folder / name)
    seed = (RAW / "000_a53dafdc1942ec52.txt").read_text("utf-8")
    (folder / "spaced.txt").write_text(seed.replace("杭州钱塘新区管理委员会2020", "杭州钱塘新区 管委会2020", 1)
                                       .replace("2020", "2021"), encoding="utf-8")
    yuhang = (RAW / "003_287cca442e0f5e9d.txt").read_text("utf-8")
    (folder / "yuhang_v2.txt").write_text(yuhang + "\n（本版更新了联系方式）\n", encoding="utf-8")
    shutil.copy(ROOT / "tests" / "fixtures" / "real" / "012.pdf", folder / "hongze.pdf")
    return folder


def _release_tree(commit: str, tmp: Path) -> Path:
    """The source tree of an earlier release, from this repository's history."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], capture_output=True)
    if archive.returncode != 0:
        pytest.skip(f"release {commit} is not in this clone's history: {archive.stderr.decode()[:200]}")
    tree = tmp / f"release-{commit}"
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(tree, filter="data")
    return tree


def _old_run(tree: Path, folder: Path, db: Path) -> None:
    """`xxgk run` as that release runs it: its code, its dbt project, its checks."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XXGK_")}
    done = subprocess.run([sys.executable, "-m", "xxgk.cli", "run", str(folder), "--db", str(db), "--out",
                           str(db.parent / "old-site"), "--quiet", "--no-docs"], cwd=tree,
                          env={**env, "PYTHONPATH": str(tree)}, capture_output=True, text=True, timeout=900)
    assert done.returncode in (0, 1), done.stderr[-3000:]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return _folder(tmp_path_factory.mktemp("folder"))


@pytest.fixture(scope="module")
def fresh(folder, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("fresh") / "warehouse.duckdb"
    done = xxgk("run", str(folder), "--db", str(db), "--out", str(db.parent / "site"), "--quiet", "--no-docs")
    assert done.returncode in (0, 1), done.stderr
    return db


@pytest.fixture(scope="module", params=sorted(RELEASES))
def release(request, folder, tmp_path_factory) -> tuple[str, Path]:
    """(commit, the warehouse that release wrote from the folder, never opened by this release)."""
    tmp = tmp_path_factory.mktemp(f"release-{request.param}")
    db = tmp / "warehouse.duckdb"
    _old_run(_release_tree(request.param, tmp), folder, db)
    return request.param, db


@pytest.fixture(scope="module")
def upgraded(release, folder, tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    """(the old warehouse, a copy upgraded by this release's `xxgk run` on the same folder, that run)."""
    commit, old = release
    db = tmp_path_factory.mktemp(f"upgraded-{commit}") / "warehouse.duckdb"
    shutil.copy(old, db)
    done = xxgk("run", str(folder), "--db", str(db), "--out", str(db.parent / "site"), "--no-docs")
    assert done.returncode in (0, 1), done.stderr[-3000:]
    return old, db, done


def _tables(db: Path) -> set[tuple[str, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return set(con.execute("select table_schema, table_name from information_schema.tables").fetchall())


def _rows(db: Path, schema: str, table: str) -> tuple[list[str], list[tuple]]:
    """A table's columns (in order) and rows, without the columns that say when."""
    with duckdb.connect(str(db), read_only=True) as con:
        columns = [c for (c,) in con.execute("select column_name from duckdb_columns() where schema_name = ? and "
                                             "table_name = ? order by column_index", [schema, table]).fetchall()]
        kept = [c for c in columns if c not in WHEN]
        return columns, con.execute(f'select {", ".join(f"{chr(34)}{c}{chr(34)}" for c in kept)} from '
                                    f'"{schema}"."{table}" order by all').fetchall()


def test_an_upgraded_warehouse_is_the_one_built_fresh_table_by_table(upgraded, fresh):
    _, db, _ = upgraded
    assert _tables(db) == _tables(fresh)  # nothing an older dbt project made is left, nothing is missing
    compared = 0
    for schema, table in sorted(_tables(fresh) - HISTORY):
        assert _rows(db, schema, table) == _rows(fresh, schema, table), f"{schema}.{table}"
        compared += 1
    assert compared > 50


def test_the_upgrade_is_said_and_recorded(upgraded):
    old, db, done = upgraded
    assert q(old, "select count(*) from duckdb_tables() where schema_name = 'meta' and table_name = 'schema_version'"
             ) == [(0,)]
    assert f"run: upgraded {db} to schema version {SCHEMA_VERSION}: " in done.stdout
    assert q(db, "select max(version) from meta.schema_version") == [(SCHEMA_VERSION,)]


def test_reports_an_older_parser_read_are_parsed_again_from_their_bytes(upgraded, folder):
    old, db, done = upgraded
    (n_old,), = q(old, "select count(*) from raw.reports")
    assert f"; {n_old} re-parsed from their stored bytes by parser version {PARSER_VERSION} (" in done.stdout
    assert "re-parse: 100%" in done.stderr  # the progress bar
    assert q(db, "select distinct parser_version from raw.reports") == [(PARSER_VERSION,)]
    # The spaced name the older parsers cut to what follows the space is whole now.
    assert q(db, "select agency, printed_agency from raw.reports where source_path like '%spaced.txt'") == [
        ("杭州钱塘新区管委会", "杭州钱塘新区 管委会")]


def test_the_history_of_findings_survives(upgraded):
    old, db, _ = upgraded
    # A check renamed since (reference.check_renames) keeps its findings' ids under its new name.
    now = dict(q(db, "select former_check_id, check_id from reference.check_renames"))
    before = {(finding, now.get(check, check), run) for finding, check, run in
              q(old, "select finding_id, check_id, first_seen_run from dq.finding_history")}
    after = set(q(db, "select finding_id, check_id, first_seen_run from dq.finding_history"))
    assert before and before <= after
    assert set(q(old, "select run_id, check_id from dq.check_runs")) <= set(q(db, "select run_id, check_id "
                                                                                   "from dq.check_runs"))


def test_the_same_ingest_decides_between_versions_as_it_does_fresh(upgraded, fresh):
    _, db, _ = upgraded
    sql = ("select source_path like '%yuhang_v2.txt', is_current, version_note like '%later in path order%' "
           "from marts.dim_report where agency like '%余杭区%' order by 1")
    assert q(db, sql) == q(fresh, sql) == [(False, False, True), (True, True, True)]


def test_commands_on_an_older_warehouse_say_what_to_do(release, tmp_path):
    """Before: check and run exited 6 ("first_seen_at" not found), dashboard 70 ("kind" not found)."""
    _, old = release
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(old, db)
    dashboard = xxgk("dashboard", "--db", str(db), "--out", str(tmp_path / "site"))
    assert dashboard.returncode == 2, dashboard.stderr
    assert "was written by an older xxgk (schema version 0; this one reads" in dashboard.stderr
    check = xxgk("check", "--db", str(db), "--no-docs")
    assert check.returncode == 2 and "its marts not built since: run `xxgk build` first" in check.stderr, check.stderr
    build = xxgk("build", "--db", str(db), "--no-docs", "--quiet")  # migrated: the marts rebuilt in full
    assert build.returncode == 0 and "rebuilt in full" in build.stdout, build.stderr
    # The checks and the dashboard of a migrated warehouse: `upgraded`'s run, compared table by table with `fresh`.


def test_reparse_parses_every_report_again_and_changes_nothing(fresh, folder, tmp_path):
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(fresh, db)
    done = xxgk("ingest", str(folder), "--db", str(db), "--reparse", "--quiet")
    assert done.returncode == 0, done.stderr
    (n,), = q(db, "select count(*) from raw.reports")
    assert f"{n} unchanged (already in the warehouse)" in done.stdout
    assert f"; {n} re-parsed from their stored bytes by parser version {PARSER_VERSION} ({n} of version " \
           f"{PARSER_VERSION})" in done.stdout
    for table in ("report_sources", "reports", "report_cells", "narrative_facts", "agency_names"):
        assert _rows(db, "raw", table) == _rows(fresh, "raw", table), table
    assert q(db, "select count(*) from meta.runs where stage = 'reparse'") == [(1,)]  # the next build starts over


@pytest.mark.parametrize("newer, command, words", [
    ("insert into meta.schema_version values (99, now(), 'a release to come')", "build",
     "was written by a newer xxgk (schema version 99; this one knows up to"),
    ("update raw.reports set parser_version = '99'", "ingest",
     "reports in this warehouse were read by a newer parser (version 99; this xxgk's is"),
])
def test_a_warehouse_a_newer_xxgk_wrote_is_not_downgraded(fresh, folder, tmp_path, newer, command, words):
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(fresh, db)
    with duckdb.connect(str(db)) as con:
        con.execute(newer)
    before = db.read_bytes()
    inputs = [str(folder)] if command == "ingest" else ["--no-docs"]
    done = xxgk(command, *inputs, "--db", str(db), "--quiet")
    assert done.returncode == 2 and words in done.stderr, done.stderr
    assert db.read_bytes() == before
