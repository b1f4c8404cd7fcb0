"""Readers during rebuilds, SIGKILLed builds, and hostile input: nothing corrupts, nothing hangs."""
from __future__ import annotations

import json
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from loaders.assembly.report import parse_report, parse_source
from synth.corpus import write_corpus
from tests.support.corpus import FUZZ, SEED_TEXTS, as_user, assert_well_formed, corpus
from tests.support.samples import CARRIED_FORWARD_TOTAL, RAW, SEED_003_NEXT_YEAR, SEEDS
from tests.support.warehouses import BUILT, copy_of, table_rows, xxgk
from xxgk import workers as worker_pool
from xxgk.build import build
from xxgk.checks.run import run_checks
from xxgk.dbt import PROJECT_DIR
from xxgk.ingest import ingest
from xxgk.warehouse import WarehouseChanged, connect, open_published, publishing

STATE_SQL = ("select (select count(*) from raw.reports), (select count(*) from raw.report_cells), "
             "(select count(*) from marts.dim_report), (select count(*) from dq.findings), "
             "(select max(run_id) from dq.check_runs)")
COUNTS_SQL = ("select (select count(*) from raw.reports), (select count(*) from raw.report_cells), "
              "(select count(*) from raw.narrative_facts), (select count(*) from raw.report_sources), "
              "(select count(distinct report_id) from raw.reports)")


def state(db: Path, sql: str = STATE_SQL) -> tuple:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchone()


READER = """
import duckdb, json, sys, os, time
db, mode, stop = sys.argv[1], sys.argv[2], sys.argv[3]
sql = sys.argv[4]
con = duckdb.connect(db, read_only=True) if mode == "held" else None
while not os.path.exists(stop):
    try:
        c = con or duckdb.connect(db, read_only=True)
        print(json.dumps(["ok", c.execute(sql).fetchone()]), flush=True)
        if con is None:
            c.close()
    except Exception as exc:
        print(json.dumps(["error", str(exc)]), flush=True)
    time.sleep(0.05)
"""


@pytest.mark.e2e
def test_readers_see_the_old_or_the_new_warehouse_never_a_mix(built, tmp_path):
    db = copy_of(built, tmp_path / "warehouse.duckdb")  # the samples, checked
    old = state(db)
    later = tmp_path / "later"  # the next year of seed 003: every stage has something new to do
    later.mkdir()
    (later / "2020.txt").write_text(SEED_003_NEXT_YEAR, encoding="utf-8")
    stop = tmp_path / "stop"
    readers = [subprocess.Popen([sys.executable, "-c", READER, str(db), mode, str(stop), STATE_SQL],
                                stdout=subprocess.PIPE, text=True) for mode in ("held", "reconnect")]
    time.sleep(1.0)
    rebuild = xxgk("run", str(RAW), str(later), "--db", str(db), "--quiet", "--no-docs", "--out",
                   str(tmp_path / "site"))
    assert rebuild.returncode in (0, 1), rebuild.stderr
    time.sleep(1.0)
    stop.touch()
    new = state(db)
    assert new != old and new[0] == len(SEEDS) + 1
    seen = []
    for reader in readers:
        out, _ = reader.communicate(timeout=60)
        results = [json.loads(line) for line in out.splitlines()]
        assert results and all(kind == "ok" for kind, _ in results), results[:3]
        seen.append([tuple(r) for _, r in results])
    held, reconnect = seen
    assert set(held) == {old}  # a held connection keeps reading the file it opened
    assert set(reconnect) <= {old, new} and reconnect[0] == old and reconnect[-1] == new


@pytest.mark.e2e
def test_writing_while_an_analyst_holds_a_read_write_session_is_refused_clearly(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    ingest([RAW], db, progress=False)
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(db)!r}); "
                               "print('ready', flush=True); time.sleep(30)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        done = xxgk("ingest", str(RAW), "--db", str(db), "--quiet")
    finally:
        holder.kill()
    assert done.returncode == 3
    assert f"{db} is open for writing by " in done.stderr and f"(PID {holder.pid})" in done.stderr
    assert "duckdb -readonly" in done.stderr and "Traceback" not in done.stderr


def ingest_process(files: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "xxgk.cli", "ingest", str(files), "--db", str(db), "--quiet",
                             "--workers", "2"], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.e2e
def test_sigkill_at_random_points_leaves_the_published_warehouse_as_it_was(tmp_path):
    db, scratch = tmp_path / "warehouse.duckdb", tmp_path / "scratch.duckdb"
    ingest([RAW], db, progress=False)
    ingest([RAW], scratch, progress=False)
    started = time.perf_counter()
    assert ingest_process(corpus(tmp_path / "timing", 400, "t"), scratch).wait() == 0
    duration = time.perf_counter() - started  # a whole run, start-up to publish, on this machine now
    rng = random.Random(20261123)
    before, killed_midway, batches = state(db, COUNTS_SQL), 0, []
    # Until three runs are killed mid-run: a run the machine finished before its kill (its load fell since the
    # timing run) says a whole run is shorter now.
    while killed_midway < 3 and len(batches) < 10:
        batches.append(corpus(tmp_path / f"incoming{len(batches)}", 400, f"{len(batches)}-"))
        proc = ingest_process(batches[-1], db)
        time.sleep(duration * rng.uniform(0.15, 0.85))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            after = state(db, COUNTS_SQL)
            if after == before:  # nothing of the killed run is visible
                killed_midway += 1
                continue
        # It published first (the kill may land while the process exits): then everything, never a part.
        after = state(db, COUNTS_SQL)
        assert after[0] == after[4] == before[0] + 400
        before = after
        duration *= 0.7
    print(f"SIGKILL: {killed_midway} of {len(batches)} ingest runs killed mid-run (a whole run estimated at {duration:.1f} s)")
    assert killed_midway >= 3
    assert xxgk("ingest", *map(str, batches), "--db", str(db), "--quiet").returncode == 0
    clean = tmp_path / "clean.duckdb"
    ingest([RAW, *batches], clean, progress=False)
    after = state(db, COUNTS_SQL)
    assert after == state(clean, COUNTS_SQL)
    assert after[0] == after[4] == len(SEEDS) + len(batches) * 400  # one row per report, no duplicates
    assert not list(tmp_path.glob(".warehouse.duckdb.work*"))  # killed runs' work files were cleaned up


# --- fuzzing ----------------------------------------------------------------------------------------
@FUZZ
@given(st.text(max_size=3000))
def test_fuzz_any_text(text):
    assert_well_formed(parse_report(text))


@FUZZ
@given(st.binary(max_size=3000))
def test_fuzz_any_bytes(data):
    assert_well_formed(parse_source(data))


@FUZZ
@given(seed=st.sampled_from(SEED_TEXTS), cut=st.floats(0, 1))
def test_fuzz_truncated_seed(seed, cut):
    assert_well_formed(parse_report(seed[: int(len(seed) * cut)]))


@FUZZ
@given(seed=st.sampled_from(SEED_TEXTS), flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=30))
def test_fuzz_byte_flips(seed, flips):
    data = bytearray(seed.encode("utf-8"))
    for where, byte in flips:
        data[int(where * (len(data) - 1))] = byte
    assert_well_formed(parse_source(bytes(data)))


@FUZZ
@given(seed=st.sampled_from(SEED_TEXTS), rnd=st.randoms(use_true_random=False))
def test_fuzz_shuffled_lines(seed, rnd):
    lines = seed.split("\n")
    rnd.shuffle(lines)
    assert_well_formed(parse_report("\n".join(lines)))


@FUZZ
@given(seed=st.sampled_from(SEED_TEXTS), digits=st.integers(15, 400))
def test_fuzz_huge_numbers(seed, digits):
    r = parse_report(seed.replace("\t0\n", "\t" + "9" * digits + "\n", 3))
    assert_well_formed(r)
    assert all(c.value is None or c.value == c.value for c in r.cells)  # no NaN


def test_doubled_tables_give_no_wrong_number():
    seed = SEED_TEXTS[3]
    tables = seed[seed.index("    三、收到和处理"): seed.index("    五、存在")]
    original = {(c.table_id, c.row_key, c.col_key): c.value for c in parse_report(seed).cells}
    r = parse_report(seed.replace(tables, tables + tables))
    assert_well_formed(r)
    # The second copy falls into table 4's section: 30 values for 15 cells are left unresolved.
    assert r.status == "partial" and "t4 row 'all': 30 value cell(s) for 15 columns" in r.error
    for c in r.cells:
        assert c.value is None if c.table_id == "t4" else c.value == original[(c.table_id, c.row_key, c.col_key)]


@pytest.mark.parametrize("name, text, expected_error", [
    ("repetition bomb", "\t0\n" * 1_000_000, "exceeds the 2000000 limit"),
    ("deeply nested html", "<html><body>" + "<div>" * 50_000 + "x" + "</div>" * 50_000 + "</body></html>",
     "not an annual report"),
    ("enormous table section", SEED_TEXTS[3].replace("    四、因政府", "\t0\n" * 6000 + "    四、因政府"),
     "is not a table (limit 5000)"),
])
def test_hostile_shapes_return_quickly_with_a_specific_error(name, text, expected_error):
    started = time.perf_counter()
    r = parse_source(text.encode("utf-8"))
    assert time.perf_counter() - started < 15
    assert expected_error in (r.error or "")


MEMORY_PROBE = """
import json, sys
import sqlalchemy
from xxgk import warehouse
from xxgk.dbt import run as dbt
from xxgk.checks.gx_duckdb import warehouse_url

db = sys.argv[1]
setting = "select current_setting('memory_limit')"
with warehouse.connect(db) as con:
    loader = con.execute(setting).fetchone()[0]
with warehouse.connect(db, read_only=True) as con:
    reader = con.execute(setting).fetchone()[0]
engine = sqlalchemy.create_engine(warehouse_url(db), connect_args={"read_only": True})
with engine.connect() as con:
    gx = con.execute(sqlalchemy.text(setting)).scalar()
engine.dispose()
shown = dbt(["show", "--inline", setting, "--output", "json", "--log-format", "json"], db, sys.argv[2], quiet=True)
print(json.dumps({"loader": loader, "reader": reader, "gx": gx, "dbt": shown.stdout}))
"""


@pytest.mark.e2e
def test_one_memory_setting_bounds_every_duckdb_connection(tmp_path):
    """XXGK_DUCKDB_MEMORY reaches the loaders' connections, GX's engine and dbt's profile alike."""
    db = tmp_path / "w.duckdb"
    env = {**os.environ, "XXGK_DUCKDB_MEMORY": "1GB"}
    done = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(db), str(tmp_path / "target")], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    # DuckDB reports 1GB (10^9 bytes) in binary units.
    assert (seen["loader"], seen["reader"], seen["gx"]) == ("953.6 MiB",) * 3
    assert "953.6 MiB" in seen["dbt"]


# === Round two: what a hostile and careless user broke =============================================
# Each test below reproduces what broke, and is named for the behaviour that holds now.

def _copy_seeds(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in SEEDS:
        shutil.copy(RAW / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def built(samples) -> Path:
    """The seeds ingested, built and checked (conftest): copied by the tests that change it."""
    return samples


# --- the same folder gives the same numbers whatever --workers --------------------------------
def versions_across_chunks(tmp: Path, groups: int = 3, per_chunk: int = 20) -> Path:
    """A synthetic corpus in which ``groups`` agency-years have a second version, as complete as the first but
    carrying forward 3 more applications; each original is the last file of its chunk and its other version the
    first of the next, so that with two workers the other version is parsed first and with one, last."""
    corpus = tmp / "synth"
    write_corpus(groups * 2 * per_chunk, seed=7, out=corpus, defect_rate=0.0)
    files = sorted(f for f in corpus.rglob("*.*") if f.name != "truth.csv")
    originals = [f for f in files if f.suffix == ".txt" and CARRIED_FORWARD_TOTAL.search(f.read_text("utf-8"))][:groups]
    assert len(originals) == groups
    fillers = [f for f in files if f not in originals]
    folder = tmp / "in"
    folder.mkdir()
    for g, original in enumerate(originals):
        text = original.read_text("utf-8")
        other = CARRIED_FORWARD_TOTAL.sub(lambda m: m[1] + str(int(m[2]) + 3), text, count=1)
        first = [fillers.pop() for _ in range(per_chunk - 1)] + [original]
        for i, f in enumerate(first):
            shutil.copy(f, folder / f"{2 * g:03d}_{i:02d}_{f.name}")
        (folder / f"{2 * g + 1:03d}_00_other_{original.name}").write_text(other, encoding="utf-8")
        for i in range(1, per_chunk):
            f = fillers.pop()
            shutil.copy(f, folder / f"{2 * g + 1:03d}_{i:02d}_{f.name}")
    return folder


FINDINGS_SQL = ("select f.check_id, f.severity, r.source_path, f.table_id, f.row_key, f.col_key, f.expected, "
                "f.actual, f.message from dq.findings f left join marts.dim_report r using (report_id) order by all")


@pytest.mark.e2e
def test_current_version_is_decided_by_the_files_not_by_workers_or_timing(tmp_path, monkeypatch):
    folder = versions_across_chunks(tmp_path)
    monkeypatch.setattr(worker_pool, "CHUNK_FILES", 20)
    dbs = {}
    for workers in (1, 2):
        db = dbs[workers] = tmp_path / f"workers{workers}" / "warehouse.duckdb"
        ingest([folder], db, workers=workers, progress=False)
        assert build(db, docs=False, quiet=True).success
        run_checks(db, data_docs=False)
    for table in BUILT:
        assert table_rows(dbs[1], table) == table_rows(dbs[2], table), table
    with duckdb.connect(str(dbs[1]), read_only=True) as a, duckdb.connect(str(dbs[2]), read_only=True) as b:
        assert a.execute(FINDINGS_SQL).fetchall() == b.execute(FINDINGS_SQL).fetchall()
        # The versions disagree on carried_forward: a warning on each current version, saying where and why.
        conflicts = a.execute("select message from dq.findings where check_id = 'structure.conflicting_versions' "
                              "and severity = 'warning' and row_key = 'carried_forward' and col_key = 'total'"
                              ).fetchall()
        assert len(conflicts) == 3
        assert all("first seen in the same ingest, later in path order" in m for (m,) in conflicts), conflicts
        # Met by one ingest, neither printed as newer: the file later in path order is current, in both
        # warehouses, whichever worker parsed it first.
        chosen = a.execute("""
            select bool_and(c.source_path > o.source_path and c.source_path like '%_00_other_%') from marts.dim_report c
            join marts.dim_report o on o.agency = c.agency and o.year = c.year and not o.is_current
            where c.is_current""").fetchone()[0]
        assert chosen is True


# --- publishing never overwrites a warehouse written during the build ------------------------
ANALYST = """
import duckdb, sys, time
db, keep_open = sys.argv[1], sys.argv[2] == "open"
for attempt in range(600):  # the build holds a read lock while it copies the file
    try:
        con = duckdb.connect(db)
        break
    except duckdb.IOException:
        time.sleep(0.1)
con.execute("create table main.analyst_notes as select 42 as answer")
print("written", flush=True)
if keep_open:
    sys.stdin.read()
con.close()
"""


@pytest.mark.parametrize("session", ["closed", "open"])
def test_a_warehouse_written_during_the_build_is_not_overwritten(tmp_path, session):
    db = tmp_path / "warehouse.duckdb"
    ingest([RAW], db, progress=False)
    analyst = None
    try:
        with pytest.raises(WarehouseChanged) as refused:
            with publishing(db) as work:
                ingest([corpus(tmp_path / "new", 3)], work, progress=False)
                analyst = subprocess.Popen([sys.executable, "-c", ANALYST, str(db), session],
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                assert analyst.stdout.readline().strip() == "written"
                if session == "closed":
                    assert analyst.wait(timeout=60) == 0
    finally:
        if analyst is not None and analyst.poll() is None:
            analyst.communicate("", timeout=60)  # the analyst closes the session
    message = str(refused.value)
    assert "nothing was published" in message
    if session == "open":
        assert f"(PID {analyst.pid})" in message
    assert state(db, "select (select answer from main.analyst_notes), (select count(*) from raw.reports)") == (
        42, len(SEEDS))  # the analyst's table is there; the build's three reports were not published
    assert not list(tmp_path.glob(".warehouse.duckdb.work*"))


@pytest.mark.e2e
def test_xxgk_build_refuses_to_publish_over_a_dbeaver_session(built, tmp_path):
    db = copy_of(built, tmp_path / "warehouse.duckdb")
    proc = subprocess.Popen([sys.executable, "-m", "xxgk.cli", "build", "--db", str(db), "--quiet", "--no-docs",
                             "--full-refresh"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".warehouse.duckdb.work*")) and time.monotonic() < deadline:
        time.sleep(0.02)
    analyst = subprocess.run([sys.executable, "-c", ANALYST, str(db), "closed"], capture_output=True, text=True,
                             timeout=120)
    out, err = proc.communicate(timeout=300)
    assert analyst.stdout.strip() == "written"
    assert proc.returncode == 3, err
    assert "was written by another process while this build ran" in err and "Traceback" not in err
    assert state(db, "select answer from main.analyst_notes") == (42,)


# --- identities a check must catch ------------
SEED = {name[:3]: (RAW / name).read_text("utf-8") for name in SEEDS}


@pytest.fixture(scope="module")
def identities(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("identities")
    raw = d / "raw"
    raw.mkdir()
    files = {
        # a related-reading link above the body; two reports in one file
        "link.txt": SEED["004"].replace("一、总体情况", "相关阅读：嘉兴市南湖区2019年度政府信息公开工作年度报告\n一、总体情况", 1),
        "two_reports.txt": SEED["001"] + "\n" + SEED["000"],
        # one agency, two years, its name in 2019 full of invisible characters
        "yuhang_2019.txt": SEED["003"].replace("余杭区人民政府办公室2019", "余杭区\u200b人民\x00政府办公室\u202e2019", 1),
        "yuhang_2020.txt": SEED["003"].replace("余杭区人民政府办公室2019", "余杭区人民政府办公室2020", 1),
        # years no report can have
        "year_2099.txt": SEED["002"].replace("2022", "2099", 1),
        "year_2008.txt": SEED["000"].replace("2020", "2008", 1),
        "year_1999.txt": SEED["000"].replace("2020", "1999", 1),
    }
    for name, text in files.items():
        (raw / name).write_text(text, encoding="utf-8")
    db = d / "warehouse.duckdb"
    ingest([raw], db, progress=False)
    assert build(db, docs=False, quiet=True).success
    run_checks(db, data_docs=False)
    return db


def findings_of(db: Path, file: str) -> set[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return set(con.execute("select f.check_id, f.severity from dq.findings f join marts.dim_report r "
                               "using (report_id) where r.source_path like ?", [f"%/{file}"]).fetchall())


@pytest.mark.e2e
def test_a_link_to_another_report_does_not_give_the_identity(identities):
    assert state(identities, "select agency, year, status from marts.dim_report where source_path like '%/link.txt'"
                 ) == ("嘉兴港区", 2020, "loaded")


@pytest.mark.e2e
def test_a_second_report_in_the_same_file_is_an_error_finding(identities):
    assert ("structure.several_reports_in_file", "error") in findings_of(identities, "two_reports.txt")
    with duckdb.connect(str(identities), read_only=True) as con:
        (message,) = con.execute("select message from dq.findings where check_id = 'structure.several_reports_in_file'"
                                 ).fetchone()
    assert "杭州钱塘新区管理委员会 2020" in message and "split the file" in message


@pytest.mark.e2e
def test_invisible_characters_do_not_split_an_agency(identities):
    with duckdb.connect(str(identities), read_only=True) as con:
        assert con.execute("select agency, n_reports, first_year, last_year from marts.dim_agency "
                           "where agency like '%余杭%'").fetchall() == [("余杭区人民政府办公室", 2, 2019, 2020)]
        # its cross-year checks run: the 2019 → 2020 pair is formed
        assert con.execute("select count(*) from intermediate.int_identity_across_years i join marts.dim_report r "
                           "using (report_id) where r.agency = '余杭区人民政府办公室' and i.year = 2020"
                           ).fetchone()[0] > 0
        # the raw title keeps what was printed
        assert con.execute("select title from raw.reports where source_path like '%/yuhang_2019.txt'").fetchone() == (
            "余杭区\u200b人民\x00政府办公室\u202e2019年度政府信息公开工作年度报告",)


@pytest.mark.e2e
@pytest.mark.parametrize("file, expected", [
    ("year_2099.txt", {("structure.implausible_year", "error")}),  # 2021 template: only the year is wrong
    ("year_2008.txt", {("structure.template_year_mismatch", "error")}),
    ("year_1999.txt", {("structure.implausible_year", "error"), ("structure.template_year_mismatch", "error")}),
])
def test_an_implausible_year_is_an_error(identities, file, expected):
    got = findings_of(identities, file)
    assert {f for f in got if f[0] in ("structure.implausible_year", "structure.template_year_mismatch")} == expected
    with duckdb.connect(str(identities), read_only=True) as con:  # so the score is not 100
        assert con.execute("select count(*) from dq.findings f join marts.fct_agency_year a using (report_id) "
                           "join marts.dim_report r using (report_id) where f.severity = 'error' "
                           "and r.source_path like ?", [f"%/{file}"]).fetchone()[0] >= 1


# --- our own output is never input ----------------------------------------------------------
@pytest.mark.e2e
def test_out_inside_an_input_folder_is_refused_before_anything_runs(tmp_path):
    raw = _copy_seeds(tmp_path / "raw")
    db = tmp_path / "warehouse.duckdb"
    done = xxgk("run", str(raw), "--db", str(db), "--quiet", "--no-docs", "--out", str(raw / "site"))
    assert done.returncode == 2 and "overlaps the input" in done.stderr and "Traceback" not in done.stderr
    assert not db.exists()


@pytest.mark.e2e
@pytest.mark.parametrize("marker", ["marker", "pages written before the marker existed"])
def test_a_dashboard_folder_inside_an_input_folder_is_skipped(built, tmp_path, marker):
    raw = _copy_seeds(tmp_path / "raw")
    db = copy_of(built, tmp_path / "warehouse.duckdb")
    site = raw / "site"
    assert xxgk("dashboard", "--db", str(db), "--out", str(site)).returncode == 0
    assert (site / "reports").is_dir() and (site / ".xxgk-output").exists()
    if marker != "marker":
        (site / ".xxgk-output").unlink()
    for _ in range(2):  # and it does not grow run after run
        done = xxgk("ingest", str(raw), "--db", str(db), "--quiet")
        assert done.returncode == 0, done.stderr
        assert "0 loaded, 0 partial, 0 rejected, 5 unchanged" in done.stdout
        assert f"skipped: {site}: xxgk's own output (a dashboard folder)" in done.stderr
    assert state(db, "select (select count(*) from raw.reports), (select count(*) from raw.skipped_files "
                     "where reason like 'xxgk''s own output%')") == (len(SEEDS), 1)


@pytest.mark.e2e
def test_the_warehouse_inside_an_input_folder_is_never_read(tmp_path):
    raw = _copy_seeds(tmp_path / "raw")
    db = raw / "warehouse.duckdb"
    for _ in range(2):
        done = xxgk("ingest", str(raw), "--db", str(db), "--quiet")
        assert done.returncode == 0, done.stderr
    assert "0 loaded, 0 partial, 0 rejected, 5 unchanged" in done.stdout
    assert f"skipped: {db}: the warehouse's own file: never read as input" in done.stderr
    assert f"skipped: {raw}/.warehouse.duckdb.lock: the warehouse's own file" in done.stderr


# --- size checked before reading; memory bounded by bytes ----------------------------------
# The ingest's own peak is VmHWM, which starts again at exec (ru_maxrss would count the forked pytest's pages);
# its workers' (forked, not exec'd) is RUSAGE_CHILDREN's.
MEMORY_SCRIPT = ("import re, resource, sys; from xxgk.ingest import ingest; "
                 "s = ingest([sys.argv[1]], sys.argv[2], progress=False, workers=int(sys.argv[3])); print(s.line()); "
                 "hwm = re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read()).group(1); "
                 "print(hwm, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def sparse(path: Path, size: int, head: bytes = b"") -> None:
    """A file of ``size`` bytes that takes no disk space (zeros after ``head``)."""
    with open(path, "wb") as fh:
        fh.write(head)
        fh.truncate(size)


def _ingest_measured(folder: Path, db: Path, workers: int, duckdb_memory: str) -> tuple[str, int, int]:
    """(summary line, peak RSS of the ingest, peak RSS of its largest worker) in KiB."""
    done = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(folder), str(db), str(workers)],
                          capture_output=True, text=True, env={**os.environ, "XXGK_DUCKDB_MEMORY": duckdb_memory},
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    line, peaks = done.stdout.strip().splitlines()[-2:]
    own, children = map(int, peaks.split())
    return line, own, children


@pytest.mark.parametrize("size", [200 * 1024 ** 2, 2_500 * 1024 ** 2], ids=["200 MB", "2.5 GB"])
def test_a_file_too_large_for_a_report_is_sized_not_read(tmp_path, size):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(RAW / "003_287cca442e0f5e9d.txt", folder / "real.txt")
    sparse(folder / "huge.txt", size)
    db = tmp_path / "w.duckdb"
    line, peak, _ = _ingest_measured(folder, db, workers=1, duckdb_memory="256MB")
    assert line.startswith("1 loaded, 0 partial, 0 rejected, 0 unchanged (already in the warehouse), 1 skipped")
    assert peak < 600_000, f"peak RSS {peak // 1024} MiB"  # never read: the report beside it is all there is
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select agency from raw.reports").fetchall() == [("余杭区人民政府办公室",)]
        assert con.execute("select size_bytes, reason from raw.skipped_files").fetchall() == [(
            size, f"too large for one report: {size} bytes, over the {20 * 1024 * 1024}-byte limit (several "
                  "reports, or not a report?); not read")]


@pytest.mark.slow
def test_memory_per_chunk_is_bounded_by_bytes_not_by_file_count(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(RAW / "003_287cca442e0f5e9d.txt", folder / "real.txt")
    for i in range(30):  # 30 files of 18 MB (each under the limit, all distinct): one chunk of 540 MB by count
        sparse(folder / f"f{i:02d}.txt", 18 * 1024 ** 2, b"file %d\n" % i)
    # Two workers, so that what a worker holds (a chunk: read, hashed, parsed, as Arrow) is measured apart from
    # the writer, whose DuckDB keeps stored bytes in its own cache (bounded by XXGK_DUCKDB_MEMORY).
    line, _, worker_peak = _ingest_measured(folder, tmp_path / "w.duckdb", workers=2, duckdb_memory="2GB")
    assert line.startswith("1 loaded, 0 partial, 30 rejected, 0 unchanged")
    assert worker_peak < 700_000, f"a worker's peak RSS {worker_peak // 1024} MiB"
    print(f"30 files of 18 MB: a worker's peak RSS {worker_peak // 1024} MiB")


# --- only regular files are read; every path passed over is listed with why ----------------
def _unix_socket(path: Path) -> None:
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    s.close()


HOSTILE_PATHS = {
    "named pipe": (lambda d: os.mkfifo(d / "pipe.txt"), "pipe.txt", "not a regular file (named pipe): not read"),
    "socket": (lambda d: _unix_socket(d / "sock.txt"), "sock.txt", "not a regular file (socket): not read"),
    "symlink loop": (lambda d: (d / "loop.txt").symlink_to("loop.txt"), "loop.txt", "symbolic link loop"),
    "broken symlink": (lambda d: (d / "gone.txt").symlink_to("nowhere.txt"), "gone.txt", "broken symbolic link"),
    "symlink out of the folder": (lambda d: (d / "passwd.txt").symlink_to("/etc/passwd"), "passwd.txt",
                                  "symbolic link to /etc/passwd, outside the folder given: not followed"),
    "symlink to a folder": (lambda d: (d / "again").symlink_to(d), "again",
                            "symbolic link to a folder: not followed (its files are read where they are)"),
    "unreadable folder": (lambda d: ((d / "locked").mkdir(), (d / "locked" / "r.txt").write_text("x"),
                                     (d / "locked").chmod(0)), "locked", "folder cannot be read: "
                                                                        "cannot be read: Permission denied"),
    "unsupported type": (lambda d: (d / "budget.xlsx").write_bytes(b"PK"), "budget.xlsx",
                         "unsupported type (.xlsx); reports are read from .doc, .docx, .htm, .html, .jpeg, "
                         ".jpg, .md, .pdf, .png, .tif, .tiff, .txt, .wps"),
    "no extension": (lambda d: (d / "README").write_text("x"), "README",
                     "unsupported type (no extension); reports are read from .doc, .docx, .htm, .html, .jpeg, "
                     ".jpg, .md, .pdf, .png, .tif, .tiff, .txt, .wps"),
}


@pytest.mark.e2e
@pytest.mark.parametrize("kind", HOSTILE_PATHS)
def test_a_hostile_path_is_skipped_and_listed_never_a_hang_or_a_traceback(tmp_path, kind):
    make, name, reason = HOSTILE_PATHS[kind]
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(RAW / "003_287cca442e0f5e9d.txt", folder / "real.txt")
    make(folder)
    db = tmp_path / "w.duckdb"
    tmp_path.chmod(0o777)
    try:
        done = subprocess.run(as_user([sys.executable, "-m", "xxgk.cli", "ingest", str(folder), "--db", str(db),
                                        "--quiet"]), capture_output=True, text=True, timeout=120)
    finally:
        if (folder / "locked").exists():
            (folder / "locked").chmod(0o755)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "1 loaded, 0 partial, 0 rejected, 0 unchanged (already in the warehouse), 1 skipped" in done.stdout
    assert f"skipped: {folder / name}: {reason}" in done.stderr
    assert state(db, "select path, reason from raw.skipped_files") == (str(folder / name), reason)


@pytest.mark.e2e
def test_a_file_name_that_is_not_utf8_is_read_and_shown_escaped(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    name = os.fsencode(folder) + b"/\xb1\xa8\xb8\xe6.txt"  # 报告.txt in GBK, as zip files from Windows unpack
    with open(name, "wb") as fh:
        fh.write((RAW / "003_287cca442e0f5e9d.txt").read_bytes())
    db = tmp_path / "w.duckdb"
    done = xxgk("ingest", str(folder), "--db", str(db), "--quiet")
    assert done.returncode == 0 and "1 loaded" in done.stdout, done.stderr
    assert state(db, "select source_path, agency from raw.reports") == (
        f"{folder}/\\xb1\\xa8\\xb8\\xe6.txt", "余杭区人民政府办公室")


# --- a failed stage keeps the stages before it; data tests never look a model up -----------
@pytest.mark.e2e
def test_data_tests_read_new_reports_without_looking_up_a_model_being_rebuilt(built, tmp_path):
    db = copy_of(built, tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(db)) as con:  # the moment another dbt thread has it renamed away while rebuilding it
        con.execute("drop view staging.stg_reports")
    # Its tests that do not depend on stg_reports (the relationships test does, and dbt orders it after).
    done = subprocess.run([str(Path(sys.executable).parent / "dbt"), "test", "--select", "stg_report_cells",
                           "--exclude", "test_name:relationships",
                           "--project-dir", str(PROJECT_DIR),
                           "--profiles-dir", str(PROJECT_DIR), "--target-path", str(tmp_path / "target")],
                          capture_output=True, text=True, env={**os.environ, "XXGK_DB": str(db)}, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    compiled = "\n".join(p.read_text() for p in (tmp_path / "target" / "compiled").rglob("*.sql"))
    assert '"raw"."reports"' in compiled and "None" not in compiled


def _broken_dbt_project(tmp: Path) -> dict:
    project = tmp / "dbt_project"
    shutil.copytree(PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    (project / "models" / "marts" / "fct_agency_year.sql").write_text("select no_such_column from nowhere")
    return {"XXGK_DBT_PROJECT": str(project)}


def _broken_gx_project(tmp: Path) -> dict:
    (tmp / "no_gx").mkdir()
    return {"XXGK_GX_ROOT": str(tmp / "no_gx")}


@pytest.mark.e2e
@pytest.mark.parametrize("stage, breaks, kept, reports_built", [
    ("build", _broken_dbt_project, "the ingest before it was published", 0),
    ("check", _broken_gx_project, "the ingest and build before it were published", len(SEEDS)),
])
def test_a_failed_stage_keeps_the_stages_before_it(tmp_path, stage, breaks, kept, reports_built):
    db = tmp_path / "warehouse.duckdb"
    done = xxgk("run", str(RAW), "--db", str(db), "--quiet", "--no-docs", "--out", str(tmp_path / "site"),
                env={**os.environ, **breaks(tmp_path)})
    assert done.returncode == 6, done.stderr
    assert kept in done.stderr and "Traceback" not in done.stderr
    if stage == "build":
        assert "build failed: " in done.stderr and "fct_agency_year" in done.stderr
    assert state(db, "select count(*) from raw.reports") == (len(SEEDS),)
    with duckdb.connect(str(db), read_only=True) as con:
        built_reports = con.execute("select count(*) from duckdb_tables() where schema_name = 'marts' and "
                                    "table_name = 'dim_report'").fetchone()[0] and \
            con.execute("select count(*) from marts.dim_report").fetchone()[0]
    assert built_reports == reports_built  # a failed build publishes none of its half-written tables
    assert not list(tmp_path.glob(".warehouse.duckdb.work*"))


# --- disk full: one message, nothing left behind ------------------------------------------
def _limit_file_size(limit: int):
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


# 2,300 files: the first 2,000 are written by the writer thread while the rest are parsed.
@pytest.mark.e2e
@pytest.mark.parametrize("where, n_files, workers", [("copying the warehouse", 300, 1),
                                                     ("writing the new reports", 300, 1),
                                                     ("writing a batch while the next is parsed", 2300, 2)])
def test_no_room_to_write_is_one_message_and_leaves_nothing_behind(tmp_path, where, n_files, workers):
    db = tmp_path / "warehouse.duckdb"
    ingest([RAW], db, progress=False)
    before, size = state(db, COUNTS_SQL), db.stat().st_size
    limit = size // 2 if where == "copying the warehouse" else size + 300_000
    new = corpus(tmp_path / "new", n_files)
    # A file-size limit fails writes as a full disk does (EFBIG instead of ENOSPC), without root or a mount.
    done = subprocess.run([sys.executable, "-m", "xxgk.cli", "ingest", str(new), "--db", str(db), "--quiet",
                           "--workers", str(workers)], capture_output=True, text=True,
                          preexec_fn=_limit_file_size(limit), timeout=300)
    assert done.returncode == 5, done.stderr
    assert "no room to write (" in done.stderr and "File too large" in done.stderr and "Nothing was published" in done.stderr
    assert "Traceback" not in done.stderr and "cannot rollback" not in done.stderr
    assert not list(tmp_path.glob(".warehouse.duckdb.work*"))
    assert state(db, COUNTS_SQL) == before


@pytest.mark.e2e
def test_a_full_file_system_is_one_message_and_leaves_nothing_behind(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("needs root and tmpfs to fill a real file system (the file-size-limit test covers the rest)")
    try:
        db = mount / "warehouse.duckdb"
        ingest([RAW], db, progress=False)
        before = state(db, COUNTS_SQL)
        done = xxgk("ingest", str(corpus(tmp_path / "new", 300)), "--db", str(db), "--quiet", "--workers", "1",
                    timeout=300)
        assert done.returncode == 5, done.stderr
        assert "no room to write (" in done.stderr and "Traceback" not in done.stderr
        assert not list(mount.glob(".warehouse.duckdb.work*"))
        assert state(db, COUNTS_SQL) == before
    finally:
        subprocess.run(["umount", str(mount)], check=True)


# --- messages and distinct exit codes, not tracebacks ---------------------------------------
def _truncated(built: Path, tmp: Path) -> Path:
    db = copy_of(built, tmp / "warehouse.duckdb")
    with open(db, "r+b") as fh:
        fh.truncate(db.stat().st_size // 2)
    return db


def _not_duckdb(built: Path, tmp: Path) -> Path:
    db = tmp / "warehouse.duckdb"
    db.write_text("id,name\n1,not a warehouse\n")
    return db


def _read_only_folder(built: Path, tmp: Path) -> Path:
    folder = tmp / "readonly"
    folder.mkdir()
    folder.chmod(0o555)
    tmp.chmod(0o777)
    return folder / "warehouse.duckdb"


def _ingested_only(built: Path, tmp: Path) -> Path:
    db = tmp / "warehouse.duckdb"
    ingest([RAW], db, progress=False)
    return db


CARELESS = {
    # name: (make the --db, command, expected exit code, expected words)
    "--out is an existing file": (lambda b, t: t / "warehouse.duckdb",
                                  lambda db, t: ["run", str(RAW), "--out", str(t / "notes.txt")], 2,
                                  "is a file, not a folder"),
    "read-only --db location": (_read_only_folder, lambda db, t: ["ingest", str(RAW)], 5, "cannot write in "),
    "truncated warehouse": (_truncated, lambda db, t: ["build"], 4, "retrying will not help"),
    "not a DuckDB file": (_not_duckdb, lambda db, t: ["ingest", str(RAW)], 4,
                          "is not a readable DuckDB warehouse"),
    "check before build": (_ingested_only, lambda db, t: ["check"], 2, "run `xxgk build` first"),
    "dashboard before build": (_ingested_only, lambda db, t: ["dashboard", "--out", str(t / "site")], 2,
                               "run `xxgk build` first"),
}


@pytest.mark.e2e
@pytest.mark.parametrize("case", CARELESS)
def test_a_careless_command_gets_a_message_and_its_own_exit_code(built, tmp_path, case):
    make, command, code, words = CARELESS[case]
    (tmp_path / "notes.txt").write_text("not a folder")
    db = make(built, tmp_path)
    argv = [sys.executable, "-m", "xxgk.cli", *command(db, tmp_path), "--db", str(db), "--quiet"] \
        if case not in ("check before build", "dashboard before build") else \
        [sys.executable, "-m", "xxgk.cli", *command(db, tmp_path), "--db", str(db)]
    if case == "read-only --db location":
        argv = as_user(argv)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert done.returncode == code, done.stderr
    assert words in done.stderr and "Traceback" not in done.stderr
    assert ".work" not in done.stderr and "open for writing" not in done.stderr
    assert f"xxgk {command(db, tmp_path)[0]}: " in done.stderr


def test_a_warehouse_whose_checkpoint_cut_its_free_blocks_is_whole(tmp_path):
    """A checkpoint after a large table is replaced cuts the free blocks off the end of the file, while the header
    still counts them: the file is shorter than its total blocks, yet whole. It must open and publish (a million-
    report build was refused as "truncated"); a file cut short of the blocks it uses is still refused."""
    from xxgk.warehouse import publishing

    db = tmp_path / "warehouse.duckdb"
    with connect(db) as con:
        con.execute("create table kept as select range as i, md5(cast(range as varchar)) as s from range(100000)")
        con.execute("checkpoint")
        con.execute("create table replaced as select range as i, md5(cast(range as varchar)) as s from range(1000000)")
        con.execute("checkpoint")
        con.execute("drop table replaced")
        con.execute("checkpoint")
    with connect(db, read_only=True) as con:
        block_size, total = con.execute("select block_size, total_blocks from pragma_database_size()").fetchone()
    assert db.stat().st_size < 3 * 4096 + total * block_size  # the state that was misread
    open_published(db).close()
    with publishing(db) as work, connect(work) as con:
        con.execute("create table added as select 1 as i")
    with open_published(db) as con:
        assert con.execute("select count(*) from kept").fetchone() == (100000,)
    with open(db, "r+b") as fh:
        fh.truncate(db.stat().st_size // 2)
    with pytest.raises(Exception, match="is truncated"):
        open_published(db)


# --- children die with xxgk; file names cannot drive the terminal ----------------------------
def _descendants(pid: int) -> dict[int, str]:
    """The processes descending from ``pid``, each with its name and command line (dbt runs in a fork of xxgk's
    tool server: a grandchild, named dbt)."""
    parents, named = {}, {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
            cmdline = (status.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        child = int(status.parent.name)
        parents[child], named[child] = int(fields["PPid"]), f"{fields['Name']} {cmdline}"
    found, frontier = {}, {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier and child not in found}
        found.update((child, named[child]) for child in frontier)
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except OSError:
        return False


@pytest.mark.e2e
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's parent-death signal is Linux's")
@pytest.mark.parametrize("command, child", [("build", "dbt"), ("check", "xxgk.checks.validate")])
def test_sigkill_of_xxgk_kills_its_dbt_and_gx_children(built, tmp_path, command, child):
    db = copy_of(built, tmp_path / "warehouse.duckdb")
    proc = subprocess.Popen([sys.executable, "-m", "xxgk.cli", command, "--db", str(db), "--no-docs", "--full"
                             if command == "check" else "--full-refresh"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pid = None
    try:
        deadline = time.monotonic() + 120
        while pid is None and time.monotonic() < deadline and proc.poll() is None:
            pid = next((p for p, cmd in _descendants(proc.pid).items() if child in cmd.split()), None)
            time.sleep(0.02)
        assert pid is not None, f"no {child} child seen"
        # Stopped, the child cannot finish its work and exit by itself in the meantime: only a SIGKILL ends it.
        os.kill(pid, signal.SIGSTOP)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 30  # bounded, against a hang: the kernel kills it at once
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(pid), f"{child} (PID {pid}) outlived the killed xxgk"
    finally:
        if pid is not None and _alive(pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.e2e
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's parent-death signal is Linux's")
def test_ctrl_c_during_a_build_is_one_message_and_leaves_no_dbt(built, tmp_path):
    db = copy_of(built, tmp_path / "warehouse.duckdb")
    proc = subprocess.Popen([sys.executable, "-m", "xxgk.cli", "build", "--db", str(db), "--no-docs", "--full-refresh",
                             "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # its own process group, as a terminal's foreground job
    deadline, dbt = time.monotonic() + 120, None
    while dbt is None and time.monotonic() < deadline and proc.poll() is None:
        dbt = next((p for p, cmd in _descendants(proc.pid).items() if "dbt" in cmd.split()), None)
        time.sleep(0.02)
    assert dbt is not None, "no dbt child seen"
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the whole group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert err.strip().splitlines()[-1] == "xxgk build: interrupted; the published warehouse was left as it was"
    deadline = time.monotonic() + 30
    while _alive(dbt) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(dbt)


@pytest.mark.e2e
@pytest.mark.parametrize("name, shown", [
    ("\x1b[2J\x1b[31mred.txt", "\\x1b[2J\\x1b[31mred.txt"),
    ("title\x1b]0;pwned\x07.txt", "title\\x1b]0;pwned\\x07.txt"),
    ("\u202etxt.exe.txt", "\\u202etxt.exe.txt"),
    ("two\nlines.txt", "two\\nlines.txt"),
])
def test_control_characters_in_file_names_are_printed_escaped(tmp_path, name, shown):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_bytes(b"")  # an empty file: rejected, and named on stderr
    done = xxgk("ingest", str(folder), "--db", str(tmp_path / "w.duckdb"), "--quiet")
    assert done.returncode == 0
    assert f"rejected: {folder}/{shown}: empty file" in done.stderr
    assert "\x1b" not in done.stderr + done.stdout and "\u202e" not in done.stderr
