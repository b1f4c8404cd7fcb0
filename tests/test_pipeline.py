"""The one runner of the stages (xxgk/pipeline.py), with stages of its protocol made for the test: what a failure
publishes, who records a stage in meta.runs, what a read-only run leaves. A real DuckDB warehouse, published as
every command publishes it."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.warehouses import q
from xxgk import errors as E
from xxgk import pipeline, warehouse
from xxgk.pipeline import Context, Stage, StepFailed


@pytest.fixture
def db(tmp_path) -> Path:
    """A warehouse with the raw tables, the run log and one report's row."""
    path = tmp_path / "w.duckdb"
    with warehouse.connect(path) as con:
        warehouse.ensure_schema(con)
        con.execute("insert into raw.reports (report_id, ingested_at) values ('r1', now())")
    return path


def _note(text: str):
    """A stage's run that writes ``text`` to a table of its own."""
    def run(ctx: Context, work: Path) -> int:
        with warehouse.connect(work) as con:
            con.execute("create table if not exists main.notes (text varchar)")
            con.execute("insert into main.notes values (?)", [text])
        ctx.ingested += 1  # the work copy changed
        return E.OK
    return run


def _fail(ctx: Context, work: Path) -> int:
    with warehouse.connect(work) as con:  # half-written, then it fails
        con.execute("create table main.half_written as select 1 as x")
    raise E.StageFailed("the stage broke")


def _broken(ctx: Context, work: Path) -> int:
    raise E.StageFailed("the stage broke")


def _exit(code: int):
    return lambda ctx, work: code


def test_a_stage_failing_whole_publishes_the_stages_before_it_and_says_so(db):
    ctx = Context(command="test", db=str(db))
    stages = [Stage("first", _note("kept")), Stage("second", _broken, whole_on_failure=True)]
    with pytest.raises(E.StageFailed, match=r"the stage broke \(the first before it was published\)"):
        pipeline.run(ctx, stages)
    assert q(db, "select text from main.notes") == [("kept",)]


def test_a_stage_failing_half_way_is_undone_and_the_stages_before_it_published(db):
    ctx = Context(command="test", db=str(db))
    stages = [Stage("first", _note("kept")), Stage("second", _note("also")), Stage("third", _fail)]
    with pytest.raises(E.StageFailed, match=r"\(the first and second before it were published\)"):
        pipeline.run(ctx, stages)
    assert q(db, "select text from main.notes order by 1") == [("also",), ("kept",)]
    assert q(db, "select count(*) from duckdb_tables() where table_name = 'half_written'") == [(0,)]


def test_a_first_stage_that_fails_publishes_nothing(db):
    before = db.stat()
    with pytest.raises(E.StageFailed, match="the stage broke$"):
        pipeline.run(Context(command="test", db=str(db)), [Stage("first", _fail)])
    after = db.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_new_errors_are_the_result_of_an_alerting_stage_and_a_failure_of_any_other(db):
    ctx = Context(command="test", db=str(db))
    assert pipeline.run(ctx, [Stage("check", _exit(E.NEW_ERRORS), alerts=True), Stage("after", _exit(E.OK))]) \
        == E.NEW_ERRORS  # a stage after it does not hide them
    with pytest.raises(StepFailed) as failed:
        pipeline.run(ctx, [Stage("build", _exit(E.NEW_ERRORS))])
    assert failed.value.code == E.NEW_ERRORS


def test_the_runner_records_a_stage_that_does_not_record_itself_only_when_it_writes_the_warehouse(db):
    ctx = Context(command="test", db=str(db))
    quiet = Stage("look", _exit(E.OK), writes=False, records=False)
    before = db.stat()
    assert pipeline.run(ctx, [quiet]) == E.OK  # read-only: the published warehouse is not even copied
    after = db.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert q(db, "select count(*) from meta.runs") == [(0,)]
    pipeline.run(ctx, [Stage("first", _note("x")), quiet])  # in a publish: its line, beside the other stage's
    assert q(db, "select stage, is_full, n_reports, watermark is not null from meta.runs") == [("look", True, 1, True)]


def test_a_stage_is_refused_until_what_it_needs_is_in_the_warehouse(db):
    ctx = Context(command="check", db=str(db))
    with pytest.raises(E.UsageError, match=r"has no marts yet: run `xxgk build` first \(or `xxgk run`\)"):
        pipeline.run(ctx, [pipeline.CHECK])
    with pytest.raises(E.UsageError, match="no warehouse here; run `xxgk run`"):
        pipeline.run(Context(command="check", db=str(db.with_name("none.duckdb"))), [pipeline.CHECK])


def _site(ctx: Context, work: Path) -> int:
    """A reading stage that writes a page, as the dashboard does: aside while the run is not yet published."""
    (Path(ctx.site_aside or ctx.out) / "index.html").write_text(f"read from {work.name}")
    return E.OK


@pytest.mark.parametrize("first, last, published", [
    (Stage("first", _exit(E.OK)), Stage("last", _exit(E.OK)), True),
    (Stage("first", _note("x")), Stage("last", _fail), True),  # published as it was before the last stage
    (Stage("first", _exit(E.OK)), Stage("last", _broken), False),  # nothing changed before it: nothing published
])
def test_pages_a_run_writes_appear_only_once_the_warehouse_they_show_is_published(db, tmp_path, first, last,
                                                                                  published):
    out = tmp_path / "site"
    out.mkdir()
    (out / "theirs.txt").write_text("kept")
    ctx = Context(command="test", db=str(db), out=str(out))
    stages = [first, Stage("site", _site, writes=False, records=False), last]
    if last.run in (_fail, _broken):
        with pytest.raises(E.StageFailed):
            pipeline.run(ctx, stages)
    else:
        pipeline.run(ctx, stages)
    assert sorted(p.name for p in out.iterdir()) == (["index.html", "theirs.txt"] if published else ["theirs.txt"])
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.")] == []  # nothing left aside
    assert q(db, "select count(*) from meta.runs where stage = 'site'") == [(1 if published else 0,)]
