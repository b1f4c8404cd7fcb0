"""The checks: one dbt model per check (dbt_project/models/checks), validated by Great Expectations."""
import csv
import os
from pathlib import Path

# The GX configuration every check run starts from, and the files its Data Docs load (expectations/).
GX_PROJECT_ROOT = Path(os.environ.get("XXGK_GX_ROOT", Path(__file__).resolve().parents[2] / "expectations"))


def kinds(project_dir: Path | None = None) -> dict[str, str]:
    """Each family's kind of finding, from the seed check_families.csv: a check's kind follows from its family.

    >>> kinds()["extraction"], kinds()["identity"]
    ('extraction', 'report')
    """
    from ..warehouse import DBT_PROJECT

    with open((project_dir or DBT_PROJECT) / "seeds" / "check_families.csv", encoding="utf-8", newline="") as f:
        return {row["family"]: row["kind"] for row in csv.DictReader(f)}
