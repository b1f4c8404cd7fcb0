"""dbt, the one way xxgk runs it: a child process against one warehouse, its files beside that warehouse.

dbt runs in a child process: dbt-duckdb keeps its DuckDB instance open in the calling process after
a run, which would lock out the checks and readers that follow. The child is the command ``dbt ...`` a
scheduled job would run, forked from xxgk's tool server, which has imported dbt once (xxgk/children.py).
The build (xxgk/build.py) and the checks (xxgk/checks/run.py) both run dbt here, with the var that names
the check models (``check_vars``), and read what failed from dbt's own results (``failures``). The project's
fingerprint (``project_fingerprint``) is what the run log records, so that a changed project makes the next
stage start over.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from . import children, warehouse
from .logs import ToolLog
from .paths import dbt_dir

PROJECT_DIR = warehouse.DBT_PROJECT
DBT = Path(sys.executable).parent / "dbt"
# What the dbt command runs (its console script's entry point): see children.start.
MAIN = "dbt.cli.main:cli"
# What the models' results depend on: a change to any of these calls for a full refresh.
FINGERPRINTED = ("dbt_project.yml", "models", "macros", "seeds")
# Reviewers' decisions kept in the repository change no model's rows, only the views over them (the score): a new
# decision must not rebuild the warehouse. A build loads them (see pipeline.nothing_new).
REVIEWED = Path("seeds") / "reviewed_findings.csv"
# dbt's unit tests check the models' logic on fixed rows, not the data: they run in the test suite
# (tests/test_checks.py), not in every build and check run, where thirty of them would add seconds.
UNIT_TESTS = "test_type:unit"
PARSE_FILE = "partial_parse.msgpack"
# The check models and dq.* over them: the check stage builds them, the build stage leaves them out.
CHECKS = ["path:models/checks", "path:models/dq"]


def run(command: list[str], db_path: str | Path, target_dir: str | Path | None = None, quiet: bool = False,
        log: ToolLog | None = None, stage: str = "build", parsed_in: Path | None = None) -> subprocess.CompletedProcess:
    """Run one dbt command against ``db_path`` (profiles.yml reads it from XXGK_DB); its output goes to ``log``
    when given, else to the terminal (``quiet``: captured). dbt's files go to ``target_dir``, by default the
    ``stage``'s folder beside the warehouse (paths.dbt_dir). A target of no parse of its own starts from the one
    in ``parsed_in``, a target folder of an earlier command, else from the last one kept (see ``share_parse``)."""
    # Beside the warehouse by default: two builds of two warehouses from one checkout never share dbt's files.
    target = Path(target_dir or dbt_dir(db_path, stage)).resolve()  # dbt resolves a relative one from the project
    db = Path(db_path).resolve()
    kept = kept_parse(db)
    share_parse([*([Path(parsed_in) / PARSE_FILE] if parsed_in is not None else []), kept], target)
    args = [str(DBT), *command, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
            "--target-path", str(target), "--log-path", str(target / "logs")]
    # The warehouse by its name, from its folder: dbt re-uses a parse only for the same connection, so the path it
    # sees is the same for every build of a warehouse (warehouse.work_name) and for warehouses of the same name.
    env = {**os.environ, "XXGK_DB": db.name, "XXGK_DUCKDB_MEMORY": warehouse.MEMORY_LIMIT, "DBT_USE_COLORS": "false"}
    try:
        if log is not None:
            return log.run(args, env, label=f"dbt {command[0]}", cwd=db.parent, main=MAIN)
        # dbt dies with xxgk: a killed build leaves no dbt writing its deleted work file.
        return children.run(args, MAIN, env, db.parent, shown=not quiet)
    finally:
        keep_parse(target / PARSE_FILE, kept)


def share_parse(sources: list[Path], target: Path) -> None:
    """Give ``target`` the first of ``sources`` (parsed projects dbt left: partial_parse.msgpack), unless it has one.

    dbt parses the whole project (about 5 s) unless the target holds a parse made with the same vars and
    connection (the warehouse's name, see ``run``), then only the files changed since (about 1 s). Every command
    xxgk runs passes ``check_vars``, so the docs and the checks re-use the build's parse, and a new warehouse the
    parse kept from the last one of its name (``kept_parse``). dbt checks a parse against the files' hashes, the vars
    and the connection before it trusts any of it, so a stale or foreign one costs a full parse, never a wrong
    manifest.
    """
    parsed = target / PARSE_FILE
    if parsed.exists():
        return
    for source in sources:
        if source.is_file():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, parsed)  # with its time: a parse dbt did not rewrite is not kept again (keep_parse)
            return


def kept_parse(db: Path) -> Path:
    """Where the last parse of this dbt project for a warehouse named like ``db`` is kept: in the user's cache
    ($XDG_CACHE_HOME, else ~/.cache), one per project folder, since dbt's parse records where the project's files are.

    >>> kept_parse(Path("/srv/xxgk/warehouse.duckdb")).name
    'partial_parse.msgpack'
    """
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha256(f"{PROJECT_DIR.resolve()}\0{db.name}".encode()).hexdigest()[:16]
    return home / "xxgk" / "dbt-parse" / key / PARSE_FILE


def keep_parse(parsed: Path, kept: Path) -> None:
    """Keep ``parsed`` as ``kept`` when it is newer. Written aside and renamed into place, so a dbt reading the
    kept one meanwhile (another warehouse's build) sees the old parse or the new one; a cache that cannot be
    written (a read-only home) only costs the next new warehouse a full parse."""
    try:
        if not parsed.is_file() or (kept.is_file() and kept.stat().st_mtime >= parsed.stat().st_mtime):
            return
        kept.parent.mkdir(parents=True, exist_ok=True)
        aside = kept.with_name(f"{kept.name}.{os.getpid()}")
        shutil.copy2(parsed, aside)
        os.replace(aside, kept)
    except OSError:
        pass


def reference_seeds(manifest_path: Path) -> list[str]:
    """Selectors of the seeds an incremental build leaves as the previous build loaded them, from that build's
    manifest: those the project's fingerprint covers (all but the reviewers' decisions, ``REVIEWED``) and no data test
    of a model reads. Under an unchanged fingerprint the reference tables were loaded from the very same files, so
    their seeds and the seeds' own data tests need not run again (78 of the 232 nodes of a build); a test that relates a
    model to a seed would be excluded with the seed, so that seed is loaded. No manifest: none is left alone.

    >>> node = lambda kind, path="", parents=(): {"resource_type": kind, "original_file_path": path,
    ...                                            "depends_on": {"nodes": list(parents)}}
    >>> manifest = {"nodes": {"seed.x.a": node("seed", "seeds/a.csv"), "seed.x.b": node("seed", "seeds/b.csv"),
    ...     "seed.x.r": node("seed", REVIEWED.as_posix()), "model.x.m": node("model", "models/m.sql"),
    ...     "test.x.a": node("test", parents=["seed.x.a"]), "test.x.mb": node("test", parents=["model.x.m", "seed.x.b"])}}
    >>> import tempfile; path = Path(tempfile.mkdtemp()) / "manifest.json"; _ = path.write_text(json.dumps(manifest))
    >>> reference_seeds(path), reference_seeds(path.with_name("none.json"))
    (['path:seeds/a.csv'], [])
    """
    try:
        nodes = json.loads(manifest_path.read_text("utf-8"))["nodes"]
    except (OSError, ValueError, KeyError):
        return []
    seeds = {uid: n["original_file_path"] for uid, n in nodes.items()
             if n["resource_type"] == "seed" and n["original_file_path"] != REVIEWED.as_posix()}
    read_by_a_model = {parent for n in nodes.values() if n["resource_type"] == "test"
                       and any(p not in seeds for p in n["depends_on"]["nodes"]) for parent in n["depends_on"]["nodes"]}
    return sorted(f"path:{path}" for uid, path in seeds.items() if uid not in read_by_a_model)


def check_models(project_dir: Path | None = None) -> list[str]:
    """The check models: every ``models/checks/chk_*.sql``. A check exists by its file alone; dq.findings reads the
    list from the var ``check_models`` (``check_vars``), through which dbt also learns the lineage check → finding.
    The checks' meta (id, family, severity) is read from dbt's manifest (checks.checks_in_manifest)."""
    return sorted(p.stem for p in ((project_dir or PROJECT_DIR) / "models" / "checks").glob("chk_*.sql"))


def check_vars(project_dir: Path | None = None) -> list[str]:
    """The ``--vars`` that enable the check models and dq.* (disabled in a plain ``dbt build``). Every command
    xxgk runs passes them, the build too (which leaves ``CHECKS`` out): dbt re-uses a parse only under the same
    vars."""
    return ["--vars", json.dumps({"check_models": check_models(project_dir)})]


def project_fingerprint(project_dir: Path = PROJECT_DIR) -> str:
    """SHA-256 over the dbt project's models, macros, seeds and settings (paths and contents)."""
    digest = hashlib.sha256()
    for name in FINGERPRINTED:
        root = project_dir / name
        for f in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if f.is_file() and f != project_dir / REVIEWED:
                digest.update(f.relative_to(project_dir).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()


def failures(target: Path) -> list[str]:
    """Failed nodes, from dbt's own run_results.json in ``target``."""
    try:
        results = json.loads((target / "run_results.json").read_text())["results"]
    except (OSError, ValueError, KeyError):
        return []
    return [f"{_node_name(r['unique_id'])}: {r['status']}: {(r.get('message') or '').strip()[:300]}"
            for r in results if r["status"] in ("error", "fail", "runtime error")]


def output_tail(done: subprocess.CompletedProcess, log: ToolLog | None) -> str:
    """The last lines dbt printed: from the log when there is one, else what was captured."""
    return log.tail(done.stdout) if log else done.stdout[-2000:]


def _node_name(unique_id: str) -> str:
    """'test.xxgk.<name>.<hash>' → 'test <name>'; 'unit_test.xxgk.<model>.<name>' → 'unit_test <name>'.

    >>> _node_name("unit_test.xxgk.chk_a.finds_it")
    'unit_test finds_it'
    """
    kind, _, *rest = unique_id.split(".")
    return f"{kind} {rest[-1] if kind == 'unit_test' else rest[0]}"
