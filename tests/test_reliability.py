"""Readers during rebuilds, SIGKILLed builds, and hostile input: nothing corrupts, nothing hangs."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from loaders.ingest import ingest
from loaders.report import parse_report, parse_source
from tests.test_checks import gx_project_copy  # noqa: F401 (fixture: GX results go to a temp copy)
from tests.test_seeds import RAW, SEEDS

SEED_TEXTS = [(RAW / name).read_text("utf-8") for name in sorted(SEEDS)]
STATE_SQL = ("select (select count(*) from raw.reports), (select count(*) from raw.report_cells), "
             "(select count(*) from marts.dim_report), (select count(*) from dq.findings), "
             "(select max(run_id) from dq.check_runs)")
COUNTS_SQL = ("select (select count(*) from raw.reports), (select count(*) from raw.report_cells), "
              "(select count(*) from raw.narrative_facts), (select count(*) from raw.report_sources), "
              "(select count(distinct report_id) from raw.reports)")


def xxgk(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xxgk.cli", *args], capture_output=True, text=True, **kw)


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


def test_readers_see_the_old_or_the_new_warehouse_never_a_mix(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in sorted(SEEDS)[:2]:
        (raw / name).write_text((RAW / name).read_text("utf-8"), encoding="utf-8")
    db = tmp_path / "warehouse.duckdb"
    assert xxgk("run", str(raw), "--db", str(db), "--quiet", "--no-docs", "--out", str(tmp_path / "site")).returncode \
        in (0, 1)
    old = state(db)
    for name in sorted(SEEDS)[2:]:
        (raw / name).write_text((RAW / name).read_text("utf-8"), encoding="utf-8")
    stop = tmp_path / "stop"
    readers = [subprocess.Popen([sys.executable, "-c", READER, str(db), mode, str(stop), STATE_SQL],
                                stdout=subprocess.PIPE, text=True) for mode in ("held", "reconnect")]
    time.sleep(1.0)
    rebuild = xxgk("run", str(raw), "--db", str(db), "--quiet", "--no-docs", "--out", str(tmp_path / "site"))
    assert rebuild.returncode in (0, 1), rebuild.stderr
    time.sleep(1.0)
    stop.touch()
    new = state(db)
    assert new != old and new[0] == len(SEEDS)
    seen = []
    for reader in readers:
        out, _ = reader.communicate(timeout=60)
        results = [json.loads(line) for line in out.splitlines()]
        assert results and all(kind == "ok" for kind, _ in results), results[:3]
        seen.append([tuple(r) for _, r in results])
    held, reconnect = seen
    assert set(held) == {old}  # a held connection keeps reading the file it opened
    assert set(reconnect) <= {old, new} and reconnect[0] == old and reconnect[-1] == new


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


def corpus(d: Path, n: int, tag: str = "") -> Path:
    """n distinct files (each a seed with its own trailing note) so every one is a new report."""
    d.mkdir()
    for i in range(n):
        (d / f"r{i:04d}.txt").write_text(SEED_TEXTS[i % len(SEED_TEXTS)] + f"\n附注 {tag}{i}\n", encoding="utf-8")
    return d


def ingest_process(files: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "xxgk.cli", "ingest", str(files), "--db", str(db), "--quiet",
                             "--workers", "2"], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_sigkill_at_random_points_leaves_the_published_warehouse_as_it_was(tmp_path):
    db, scratch = tmp_path / "warehouse.duckdb", tmp_path / "scratch.duckdb"
    ingest([RAW], db, progress=False)
    ingest([RAW], scratch, progress=False)
    started = time.perf_counter()
    assert ingest_process(corpus(tmp_path / "timing", 400, "t"), scratch).wait() == 0
    duration = time.perf_counter() - started  # a whole run, start-up to publish, on this machine now
    rng = random.Random(20261123)
    before, killed_midway, batches = state(db, COUNTS_SQL), 0, []
    for attempt in range(5):
        batches.append(corpus(tmp_path / f"incoming{attempt}", 400, f"{attempt}-"))
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
    print(f"SIGKILL: {killed_midway} of 5 ingest runs killed mid-run (a whole run takes {duration:.1f} s)")
    assert killed_midway >= 3
    assert xxgk("ingest", *map(str, batches), "--db", str(db), "--quiet").returncode == 0
    clean = tmp_path / "clean.duckdb"
    ingest([RAW, *batches], clean, progress=False)
    after = state(db, COUNTS_SQL)
    assert after == state(clean, COUNTS_SQL)
    assert after[0] == after[4] == len(SEEDS) + 5 * 400  # one row per report, no duplicates
    assert not list(tmp_path.glob(".warehouse.duckdb.work-*"))  # killed runs' work files were cleaned up


# --- fuzzing ----------------------------------------------------------------------------------------
def assert_well_formed(r) -> None:
    """What every parse result must satisfy, whatever the input."""
    assert r.status in ("loaded", "partial", "rejected")
    assert (r.status == "loaded") == (r.error is None)
    for c in r.cells:
        assert c.table_id in ("t2", "t3", "t4")
        if c.unresolved or c.value_kind != "number":
            assert c.value is None or c.value_kind == "number" and not c.unresolved
        if c.char_offset >= 0:
            assert r.normalised_text[c.char_offset: c.char_offset + len(c.raw_text)] == c.raw_text or " | " in c.raw_text
    keys = [(c.table_id, c.row_key, c.col_key) for c in r.cells]
    assert len(keys) == len(set(keys))


FUZZ = settings(max_examples=int(os.environ.get("XXGK_FUZZ_EXAMPLES", "60")), deadline=5000,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


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


def test_a_200_mb_file_is_rejected_kept_and_bounded_in_memory(tmp_path):
    big = tmp_path / "in" / "huge.txt"
    big.parent.mkdir()
    with open(big, "wb") as fh:
        block = ("二、主动公开政府信息情况\n" + "\t规章\n\t0\n" * 10_000).encode("utf-8")
        while fh.tell() < 200 * 1024 * 1024:
            fh.write(block)
    size = big.stat().st_size
    script = (f"import resource, duckdb; from loaders.ingest import ingest; "
              f"s = ingest([{str(big.parent)!r}], {str(tmp_path / 'w.duckdb')!r}, progress=False); "
              f"print(dict(s.counts), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - started
    counts, peak_kib = done.stdout.strip().splitlines()[-1].split("} ")
    assert counts + "}" == "{'rejected': 1}"
    assert int(peak_kib) < 1_500_000 and elapsed < 120  # about 3× the file, and no parsing at all
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert con.execute("select octet_length(raw_bytes), error from raw.report_sources join raw.reports "
                           "using (report_id)").fetchone() == (
            size, f"file of {size} bytes exceeds the {20 * 1024 * 1024}-byte limit for one report "
                  "(is it several reports, or not a report?)")
    print(f"200 MB file: {elapsed:.1f} s, peak RSS {int(peak_kib) / 1024:.0f} MiB")


MEMORY_PROBE = """
import json, sys
import sqlalchemy
from loaders import store
from xxgk.build import dbt
from xxgk.checks.gx_duckdb import warehouse_url

db = sys.argv[1]
setting = "select current_setting('memory_limit')"
with store.connect(db) as con:
    loader = con.execute(setting).fetchone()[0]
with store.connect(db, read_only=True) as con:
    reader = con.execute(setting).fetchone()[0]
engine = sqlalchemy.create_engine(warehouse_url(db), connect_args={"read_only": True})
with engine.connect() as con:
    gx = con.execute(sqlalchemy.text(setting)).scalar()
engine.dispose()
shown = dbt(["show", "--inline", setting, "--output", "json", "--log-format", "json"], db, sys.argv[2], quiet=True)
print(json.dumps({"loader": loader, "reader": reader, "gx": gx, "dbt": shown.stdout}))
"""


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
