"""The warehouse's schema version, and the migrations that bring a warehouse written by an older xxgk up to it.

Every warehouse records the migrations applied to it in ``meta.schema_version`` (one row per version); one written
before there were versions is version 0. Every command that writes the warehouse migrates its work copy first, so a
migration is published with the command's own work, atomically, or not at all (xxgk/warehouse.py). Commands that
only read (``dashboard``, ``versions``) refuse an older warehouse and say which command upgrades it.

What a migration keeps: the reports (``raw.*``, their bytes above all), the history of findings
(``dq.finding_history``), the check runs, Data Docs and the run log. What it does not need to keep, it lets the next
build and check make again: the models' tables are rebuilt in full after a migration (a ``migrate`` line in the run
log), and tables an older dbt project made that this one no longer has are dropped. Reports an older parser read are
re-parsed from their stored bytes by the next ingest (xxgk/ingest.py), not here: a migration is quick.
"""
from __future__ import annotations

import csv
import uuid
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl
import yaml

from . import warehouse
from .checks import kinds
from .dbt import PROJECT_DIR
from .errors import UsageError
from .warehouse import SCHEMA_TABLE, SCHEMA_VERSION, record_schema_version

# The schemas dbt writes: a relation there that the project no longer defines is an older release's.
DBT_SCHEMAS = ("staging", "intermediate", "marts", "reference", "checks", "dq")
# Tables in those schemas that xxgk itself writes (the check runs), not dbt.
XXGK_TABLES = {("dq", "check_runs"), ("dq", "validations"), ("dq", "data_docs")}


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The version a warehouse is at: 0 when it predates schema versions (or is empty)."""
    if not _has(con, "meta", "schema_version"):
        return 0
    return con.execute(f"select coalesce(max(version), 0) from {SCHEMA_TABLE}").fetchone()[0]


def is_new(con: duckdb.DuckDBPyConnection) -> bool:
    """A warehouse with nothing in it yet (just created): at the current version by construction."""
    return not _has(con, "raw", "reports")


def migrate(db: Path) -> list[str]:
    """Bring the warehouse file ``db`` (a work copy) to SCHEMA_VERSION; the descriptions of the steps applied."""
    with warehouse.connect(db) as con:
        if is_new(con):
            warehouse.ensure_schema(con)  # records the version it is created at
            return []
        version = schema_version(con)
        if version > SCHEMA_VERSION:
            raise UsageError(f"{db} was written by a newer xxgk (schema version {version}; this one knows up to "
                             f"{SCHEMA_VERSION}): use that release, or a newer one, to write it")
        done = []
        for target, description, step in MIGRATIONS:
            if target <= version:
                continue
            con.execute("begin transaction")
            try:
                step(con)
                record_schema_version(con, target, description)
                con.execute("commit")
            except BaseException:
                warehouse.rollback(con)
                raise
            done.append(f"{target}: {description}")
        if done:
            # The models' tables and the findings of every report are made again, over the migrated raw tables.
            warehouse.record_run(con, uuid.uuid4().hex, "migrate", warehouse.now(), True, None, None, 0)
        return done


def _has(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute("select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
                            [schema, table]).fetchone()[0])


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    return {c for (c,) in con.execute("select column_name from duckdb_columns() where schema_name = ? and "
                                      "table_name = ?", [schema, table]).fetchall()}


def _check_meta(project_dir: Path = PROJECT_DIR) -> dict[str, dict]:
    """check_id → the meta of its check model (family, severity) and the kind of its family, from the checks' yml
    and the seeds; a check's former id (seeds/check_renames.csv) gives the meta of the check it now is."""
    found = {}
    for path in sorted((project_dir / "models" / "checks").glob("*.yml")):
        for model in (yaml.safe_load(path.read_text("utf-8")) or {}).get("models", []):
            meta = (model.get("config") or {}).get("meta") or {}
            if "check_id" in meta:
                found[meta["check_id"]] = {**meta, "kind": kinds(project_dir)[meta["family"]]}
    with open(project_dir / "seeds" / "check_renames.csv", encoding="utf-8", newline="") as f:
        found.update({r["former_check_id"]: found[r["check_id"]] for r in csv.DictReader(f)})
    return found


def _project_relations(project_dir: Path = PROJECT_DIR) -> set[str]:
    """The names of the relations the dbt project defines: its models and seeds."""
    return ({p.stem for p in (project_dir / "models").rglob("*.sql")}
            | {p.stem for p in (project_dir / "seeds").glob("*.csv")})


def _in_model_order(con: duckdb.DuckDBPyConnection, schema: str, table: str,
                    project_dir: Path = PROJECT_DIR) -> None:
    """Write a table dbt never rebuilds (the findings, their history) anew with its columns in the model's order
    (its yml lists them so), as a fresh warehouse has them."""
    models = [m for path in (project_dir / "models" / schema).glob("*.yml")
              for m in (yaml.safe_load(path.read_text("utf-8")) or {}).get("models", []) if m["name"] == table]
    order = [c["name"] for c in models[0].get("columns", [])] if models else []
    have = [c for (c,) in con.execute("select column_name from duckdb_columns() where schema_name = ? and "
                                      "table_name = ? order by column_index", [schema, table]).fetchall()]
    columns = [c for c in order if c in have] + [c for c in have if c not in order]
    if columns != have:
        con.execute(f"create table {schema}.{table}__columns as select {', '.join(columns)} from {schema}.{table}")
        con.execute(f"drop table {schema}.{table}")
        con.execute(f"alter table {schema}.{table}__columns rename to {table}")


def _first_seen(con: duckdb.DuckDBPyConnection) -> None:
    """When each report was first seen, for a warehouse whose releases stamped every file with its own time: the
    start of the ingest that read it (the run log's ingest lines), so that the files of one ingest share it as
    they do when built fresh. A release with no ingest lines logged its builds: the files ingested between two
    builds count as one ingest, first seen when the first of them was read."""
    reports = con.execute("select report_id, ingested_at from raw.reports where first_seen_at is null "
                          "order by ingested_at").fetchall()
    if not reports:
        return
    starts = sorted(t for (t,) in con.execute(f"select started_at from {warehouse.RUNS} where stage = 'ingest'"
                                              ).fetchall())
    first: dict[str, object] = {}
    if starts:
        for report_id, at in reports:
            k = bisect_right(starts, at)
            first[report_id] = starts[k - 1] if k else at
    else:
        builds = sorted(t for (t,) in con.execute("select reports_through from meta.builds").fetchall()
                        if t is not None) if _has(con, "meta", "builds") else []
        window_start: dict[object, object] = {}
        for report_id, at in reports:  # in ingestion order: the first of a window opens it
            k = bisect_left(builds, at)
            first[report_id] = window_start.setdefault(builds[k] if k < len(builds) else None, at)
    frame = pl.DataFrame({"report_id": list(first), "first_seen_at": list(first.values())},  # noqa: F841
                         schema={"report_id": pl.String, "first_seen_at": pl.Datetime("us")})
    con.execute("update raw.reports r set first_seen_at = f.first_seen_at from frame f where f.report_id = r.report_id")


def _to_1(con: duckdb.DuckDBPyConnection) -> None:
    """From a warehouse of before schema versions (xxgk of 2026-11 and up to the agency identities)."""
    # raw.*: the columns and tables of this release (loaders/assembly/frames.py); first seen = when that release ingested it.
    warehouse.ensure_schema(con)
    _first_seen(con)
    # The run log of the first releases (meta.builds) becomes lines of meta.runs.
    if _has(con, "meta", "builds"):
        con.execute(f"""
            insert into {warehouse.RUNS} by name
            select md5(cast(built_at as varchar)) as run_id, 'build' as stage, built_at as started_at,
                   built_at as finished_at, full_refresh as is_full, project_fingerprint as fingerprint,
                   reports_through as watermark, cast(null as bigint) as n_reports
            from meta.builds""")
        con.execute("drop table meta.builds")
    # dq.findings and dq.finding_history are never rebuilt (they keep when a finding was first seen): the columns
    # added since are added here, from the checks' own meta and the history.
    meta = _check_meta()
    kinds = pl.DataFrame([(c, m.get("kind"), m.get("family")) for c, m in meta.items()],  # noqa: F841 (read by SQL)
                         schema={"check_id": pl.String, "kind": pl.String, "family": pl.String}, orient="row")
    if _has(con, "dq", "finding_history"):
        have = _columns(con, "dq", "finding_history")
        if "kind" not in have:
            con.execute("alter table dq.finding_history add column kind varchar")
            con.execute("update dq.finding_history h set kind = k.kind from kinds k where k.check_id = h.check_id")
    if _has(con, "dq", "findings"):
        have = _columns(con, "dq", "findings")
        for column, kind in (("kind", "varchar"), ("family", "varchar"), ("first_seen_at", "timestamp")):
            if column not in have:
                con.execute(f"alter table dq.findings add column {column} {kind}")
        if "kind" not in have or "family" not in have:
            con.execute("update dq.findings f set kind = k.kind, family = k.family from kinds k "
                        "where k.check_id = f.check_id")
        if "first_seen_at" not in have:
            first_seen = ("(select h.first_seen_at from dq.finding_history h where h.finding_id = f.finding_id)"
                          if _has(con, "dq", "finding_history") else "null")
            con.execute(f"update dq.findings f set first_seen_at = coalesce({first_seen}, now()::timestamp)")
    for table in ("findings", "finding_history"):
        if _has(con, "dq", table):
            _in_model_order(con, "dq", table)
    if _has(con, "dq", "check_runs"):
        from .checks.run import CHECK_RUNS

        warehouse.create_table(con, "dq.check_runs", pl.DataFrame(schema=CHECK_RUNS))
    # Tables and views of an older dbt project that this one no longer defines (reference.t2_measures…).
    keep = _project_relations()
    for schema, name, kind in con.execute(
            f"select schema_name, table_name, 'table' from duckdb_tables() where schema_name in "
            f"({', '.join('?' * len(DBT_SCHEMAS))}) union all select schema_name, view_name, 'view' from duckdb_views() "
            f"where schema_name in ({', '.join('?' * len(DBT_SCHEMAS))}) and not internal",
            [*DBT_SCHEMAS, *DBT_SCHEMAS]).fetchall():
        if name not in keep and (schema, name) not in XXGK_TABLES:
            con.execute(f'drop {kind} "{schema}"."{name}"')


# (version, what it does, the step): applied in order to a warehouse below each version.
MIGRATIONS: list[tuple[int, str, Callable[[duckdb.DuckDBPyConnection], None]]] = [
    (1, "raw.reports gains printed_agency, revision_mark, first_seen_at (from ingested_at); raw.agency_names; "
        "meta.builds into meta.runs; dq.findings and dq.finding_history gain kind, family, first_seen_at; "
        "relations of an older dbt project dropped", _to_1),
    # The facts and sections themselves come with the re-parse the new parser version asks for (xxgk/ingest.py).
    (2, "raw.narrative_facts gains why; raw.reports gains page_date; raw.report_sections", warehouse.ensure_schema),
]
