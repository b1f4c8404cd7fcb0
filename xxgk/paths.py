"""What xxgk writes for a warehouse lives beside it, named after its file: two warehouses never share a page.

For ``data/warehouse.duckdb``: the dashboard in ``data/warehouse.duckdb.site/``, dbt's target folder (its
manifest, the docs page, its own log) in ``data/warehouse.duckdb.dbt/``, and the tools' output in
``data/warehouse.duckdb.log``.
"""
from __future__ import annotations

from pathlib import Path


def beside(db: str | Path, what: str) -> Path:
    """``what`` beside the warehouse file ``db``.

    >>> beside("data/w.duckdb", "site").as_posix()
    'data/w.duckdb.site'
    """
    db = Path(db)
    return db.with_name(f"{db.name}.{what}")


def site_dir(db: str | Path) -> Path:
    return beside(db, "site")


def dbt_dir(db: str | Path, stage: str) -> Path:
    """dbt's target folder for a stage (build, check) of the warehouse ``db``."""
    return beside(db, "dbt") / stage


def log_file(db: str | Path) -> Path:
    return beside(db, "log")
