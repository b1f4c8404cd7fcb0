"""Ingest a mixed batch into a real DuckDB file: bad files are kept and explained, good ones load."""
from __future__ import annotations

import hashlib
import pickle
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from loaders.assembly import files as ingest_module
from tests.support.corpus import corpus
from tests.support.samples import FIXTURES, RAW, SEEDS
from tests.support.warehouses import q
from xxgk import workers
from xxgk.ingest import ingest

NEWS_PAGE = """<html><head><title>区长调研重点企业</title></head><body>
<div class="nav"><a href="/">首页</a> &gt; 新闻动态</div>
<h1>区长调研重点企业</h1><p>3月5日，区长一行先后走访了5家重点企业，详细了解企业生产经营情况。</p>
<table><tr><td>发布日期</td><td>2021-03-05</td></tr></table></body></html>"""


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("batch")
    for name in SEEDS:
        shutil.copy(RAW / name, d / name)
    sub = d / "nested" / "deeper"
    sub.mkdir(parents=True)
    shutil.copy(FIXTURES / "word_export_2021.html", sub / "word_export_2021.htm")
    shutil.copy(FIXTURES / "converted_2019.md", sub / "converted_2019.md")
    shutil.copy(FIXTURES / "pdf_text_2020.txt", d / "pdf_text_2020.txt")
    seed = (RAW / "003_287cca442e0f5e9d.txt").read_text("utf-8")
    (d / "seed003_gbk.txt").write_bytes(seed.encode("gbk"))
    (d / "seed003_utf16.txt").write_bytes(seed.encode("utf-16"))
    (d / "truncated.txt").write_text(seed[: seed.index("（四）无法提供")], encoding="utf-8")
    (d / "empty.txt").write_bytes(b"")
    (d / "noise.txt").write_bytes(random.Random(7).randbytes(5000))
    (d / "news.html").write_text(NEWS_PAGE, encoding="utf-8")
    (d / "broken.pdf").write_bytes(b"%PDF-1.4 cut off after its header")
    (d / "budget.xlsx").write_bytes(b"PK\x03\x04 not ingested: not a supported type")
    outside = tmp_path_factory.mktemp("outside") / "secret.txt"
    outside.write_text("年度报告 outside the input folder", encoding="utf-8")
    (d / "link_out.txt").symlink_to(outside)
    return d


@pytest.fixture(scope="module")
def warehouse(batch, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    summary = ingest([batch], db, progress=False)
    assert dict(summary.counts) == {"loaded": 9, "partial": 2, "rejected": 4}
    return db


@pytest.mark.e2e
def test_statuses_and_specific_errors(warehouse):
    rows = dict((Path(p).name, (s, e)) for p, s, e in q(warehouse, "select source_path, status, error from raw.reports"))
    assert rows["empty.txt"] == ("rejected", "empty file: no text to parse")
    assert rows["noise.txt"] == ("rejected", "cannot decode: not UTF-8, UTF-16 or GB18030 text (binary file?)")
    assert rows["news.html"][0] == "rejected" and rows["news.html"][1].startswith("not an annual report")
    status, error = rows["truncated.txt"]
    assert status == "partial"
    assert "t3: rows not found: unable_not_held, unable_needs_creation," in error and "t4: table not found" in error
    assert rows["pdf_text_2020.txt"][0] == "partial"
    assert {n for n, (s, _) in rows.items() if s == "loaded"} == set(SEEDS) | {
        "word_export_2021.htm", "converted_2019.md", "seed003_gbk.txt", "seed003_utf16.txt"}
    assert "link_out.txt" not in rows and "budget.xlsx" not in rows  # outside the folder; not a report type
    assert rows["broken.pdf"] == ("rejected", "damaged PDF: pdfium cannot read it (data format error) and it has no "
                                "%%EOF end marker, so it was probably cut short: get the complete file again")


@pytest.mark.e2e
def test_every_file_not_read_is_listed_with_why(warehouse, batch):
    skipped = {Path(p).name: (size, reason) for p, size, reason in
               q(warehouse, "select path, size_bytes, reason from raw.skipped_files")}
    assert skipped == {
        "budget.xlsx": (39, "unsupported type (.xlsx); reports are read from .doc, .docx, .htm, .html, .jpeg, "
                            ".jpg, .md, .pdf, .png, .tif, .tiff, .txt, .wps"),
        "link_out.txt": (None, f"symbolic link to {(batch / 'link_out.txt').resolve()}, outside the folder given: "
                               "not followed"),
    }


@pytest.mark.e2e
def test_every_file_is_kept_byte_for_byte(warehouse, batch):
    stored = {Path(p).name: (bytes(b), h, rid) for p, b, h, rid in
              q(warehouse, "select source_path, raw_bytes, sha256, report_id from raw.report_sources")}
    assert len(stored) == 15
    for name, (data, sha, rid) in stored.items():
        path = next(batch.rglob(name))
        assert data == path.read_bytes()
        assert sha == hashlib.sha256(data).hexdigest() and rid == sha[:16]


@pytest.mark.e2e
def test_report_texts_are_stored_with_zstd(warehouse):
    # Compression is DuckDB's choice unless the table names one; on texts that share much it chose dictionary
    # compression, four times larger and most of the writer's time (see COLUMN_COMPRESSION).
    assert q(warehouse, "select column_name, list(distinct compression) from pragma_storage_info('raw.report_sources')"
                        " where column_name in ('raw_bytes', 'normalised_text') and segment_type <> 'VALIDITY' "
                        "group by all order by 1") == [("normalised_text", ["ZSTD"]), ("raw_bytes", ["ZSTD"])]


@pytest.mark.e2e
def test_cells_and_facts_land_with_the_contract_columns(warehouse):
    (n_cells,) = q(warehouse, "select count(*) from raw.report_cells c join raw.reports r using (report_id) "
                              "where r.agency = '余杭区人民政府办公室' and r.status = 'loaded'")[0]
    assert n_cells == 3 * 198  # utf-8, gbk and utf-16 copies of the same report, 198 cells each
    assert q(warehouse, "select value, raw_text, value_kind, unit from raw.report_cells c join raw.reports r "
                        "using (report_id) where r.agency = '杭州钱塘新区管理委员会' "
                        "and row_key = 'procurement' and col_key = 'procurement_amount'") == [
        (182_000_000.0, "1.82亿元", "number", "yuan")]
    assert q(warehouse, "select count(*) from raw.report_cells c join raw.reports r using (report_id) "
                        "where r.status = 'rejected'") == [(0,)]
    assert q(warehouse, "select metric, value, qualifier from raw.narrative_facts f join raw.reports r "
                        "using (report_id) where r.agency = '嘉兴港区' order by fact_no") == [
        ("proactive_disclosure", 1376.0, "exact"), ("applications_concluded", 62.0, "exact"),
        ("review_count", 0.0, "none_stated"), ("litigation_count", 0.0, "none_stated")]
    unresolved = q(warehouse, "select count(*) from raw.report_cells where unresolved_reason is not null")
    assert unresolved == [(1,)]  # pdf_text: a unitless amount (its glued row is split by its sum)


@pytest.mark.e2e
def test_reingest_is_a_no_op(warehouse, batch):
    before = q(warehouse, "select (select count(*) from raw.reports), (select count(*) from raw.report_cells), "
                          "(select count(*) from raw.narrative_facts), (select count(*) from raw.report_sources)")
    summary = ingest([batch], warehouse, progress=False)
    assert dict(summary.counts) == {"unchanged": 15}
    assert q(warehouse, "select (select count(*) from raw.reports), (select count(*) from raw.report_cells), "
                        "(select count(*) from raw.narrative_facts), (select count(*) from raw.report_sources)") == before


@pytest.mark.e2e
def test_worker_pool_gives_the_same_warehouse(warehouse, batch, tmp_path):
    db = tmp_path / "pool.duckdb"
    ingest([batch], db, workers=2, progress=False, batch_size=3)
    sql = ("select r.source_path, c.table_id, c.row_key, c.col_key, c.value, c.raw_text, c.char_offset "
           "from raw.report_cells c join raw.reports r using (report_id) order by all")
    assert q(db, sql) == q(warehouse, sql)


def test_a_run_of_many_batches_leaves_whole_row_groups(tmp_path):
    # Each batch of 500 seeds (100,000 cells) is checkpointed as row groups of its own, without DuckDB's merging
    # of small row groups (which compressed every text again at each merge); the run merges them once at its end.
    db = tmp_path / "w.duckdb"
    ingest([corpus(tmp_path / "in", 1500)], db, workers=2, progress=False, batch_size=500)
    for table in ("reports", "report_sources", "narrative_facts"):
        assert q(db, f"select count(distinct row_group_id) from pragma_storage_info('raw.{table}')") == [(1,)]


def test_content_repeated_across_parallel_chunks_is_stored_once(tmp_path, monkeypatch):
    monkeypatch.setattr(workers, "CHUNK_FILES", 1)  # each file its own chunk, parsed in parallel
    folder = tmp_path / "in"
    folder.mkdir()
    first, second = sorted(SEEDS)[:2]
    for name, seed in (("a.txt", first), ("b.txt", first), ("c.txt", second), ("d.txt", first)):
        shutil.copy(RAW / seed, folder / name)
    db = tmp_path / "w.duckdb"
    summary = ingest([folder], db, workers=2, progress=False, batch_size=1)
    assert dict(summary.counts) == {"loaded": 2, "unchanged": 2}
    assert q(db, "select source_path from raw.reports order by 1") == [(str(folder / "a.txt"),), (str(folder / "c.txt"),)]
    assert q(db, "select count(*) = (select sum(n_cells) from raw.reports) from raw.report_cells") == [(True,)]


@pytest.mark.e2e
def test_content_already_in_the_warehouse_is_not_parsed_again(warehouse, batch, monkeypatch):
    def must_not_parse(data):
        raise AssertionError("parsed again")

    monkeypatch.setattr(ingest_module, "parse_source", must_not_parse)
    summary = ingest([batch], warehouse, progress=False)
    assert dict(summary.counts) == {"unchanged": 15}


@pytest.mark.e2e
def test_cli_prints_a_summary_and_explains_each_bad_file(batch, tmp_path):
    db = tmp_path / "cli.duckdb"
    done = subprocess.run([sys.executable, "-m", "xxgk.cli", "ingest", str(batch), "--db", str(db), "--quiet"],
                          capture_output=True, text=True, check=True)
    assert "9 loaded, 2 partial, 4 rejected, 0 unchanged" in done.stdout
    assert "rejected: " in done.stderr and "empty.txt: empty file" in done.stderr


@pytest.mark.e2e
def test_cli_names_a_missing_path(tmp_path):
    done = subprocess.run([sys.executable, "-m", "xxgk.cli", "ingest", str(tmp_path / "nope"),
                           "--db", str(tmp_path / "x.duckdb")], capture_output=True, text=True)
    assert done.returncode == 2
    assert "nope: no such file or directory" in done.stderr


SEED_TEXT = {name[:3]: (RAW / name).read_text("utf-8") for name in SEEDS}
BODY = "一、总体情况"


@pytest.mark.parametrize("text, identity, status, others", [
    pytest.param(SEED_TEXT["004"].replace(BODY, "相关阅读：嘉兴市南湖区2019年度政府信息公开工作年度报告\n" + BODY, 1),
                 ("嘉兴港区", 2020), "loaded", None, id="a related-reading link above the body"),
    pytest.param(SEED_TEXT["004"].replace(BODY, "上一篇：嘉兴市南湖区2019年度政府信息公开工作年度报告\n"
                                                "【相关链接】海盐县2020年度政府信息公开工作年度报告\n" + BODY, 1),
                 ("嘉兴港区", 2020), "loaded", None, id="previous and related links"),
    pytest.param(SEED_TEXT["001"] + "\n" + SEED_TEXT["000"], ("东新街道", 2020), "partial",
                 "杭州钱塘新区管理委员会 2020", id="two reports in one file"),
    pytest.param(SEED_TEXT["002"] + "\n" + SEED_TEXT["002"].replace("2022", "2023", 1), ("杭州钱江经济开发区", 2022),
                 "partial", "杭州钱江经济开发区 2023", id="two traditional-script reports in one file"),
])
def test_identity_comes_from_the_title_and_a_second_report_is_named(tmp_path, text, identity, status, others):
    """Item 3: never a silent wrong identity, never a silently lost report."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "report.txt").write_text(text, encoding="utf-8")
    db = tmp_path / "w.duckdb"
    ingest([folder], db, progress=False)
    (agency, year, got_status, error, got_others), = q(db, "select agency, year, status, error, other_reports "
                                                           "from raw.reports")
    assert (agency, year, got_status, got_others) == (*identity, status, others)
    if others:
        assert error.endswith(f"the file holds 2 reports: {agency} {year} was read; {others} was not: split the file "
                              "and ingest each report")


@pytest.mark.e2e
@pytest.mark.parametrize("names", [SEEDS, ["nested/deeper/word_export_2021.htm", "empty.txt", "truncated.txt"], []])
def test_a_chunk_crosses_from_a_worker_unchanged(batch, names):
    """Workers hand chunks back as Arrow tables: every frame arrives with its schema and rows, empty ones too."""
    chunk = ingest_module.read_chunk([str(batch / name) for name in names])
    back = pickle.loads(pickle.dumps(chunk))
    assert back.files == chunk.files
    assert {name: frame.schema for name, frame in back.frames.items()} == {
        name: frame.schema for name, frame in chunk.frames.items()}
    assert all(back.frames[name].equals(frame) for name, frame in chunk.frames.items())
    assert back.frames["reports"].height == len([f for f in chunk.files if f[2] in ("loaded", "partial", "rejected")
                                                 and f[1]])


def test_workers_survive_a_parent_that_used_polars_threads(tmp_path):
    """Workers are forked: polars' thread pool, once started in the parent, does not exist in them, and a
    worker that needs it waits forever. The workers must only build frames and pickle them."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in SEEDS:
        shutil.copy(RAW / name, folder / name)
    script = f"""
import polars as pl
import xxgk.workers
from xxgk.ingest import ingest
xxgk.workers.CHUNK_FILES = 2  # three chunks, so that both workers are started
frame = pl.DataFrame({{"a": list(range(500_000)), "b": [i % 97 for i in range(500_000)]}})
frame.group_by("b").agg(pl.col("a").sum()).sort("b").to_arrow()  # starts polars' thread pool here
for n in range(2):
    print(dict(ingest([{str(folder)!r}], {str(tmp_path / "w.duckdb")!r} + str(n), workers=2, progress=False).counts))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=90,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == [f"{{'loaded': {len(SEEDS)}}}"] * 2
