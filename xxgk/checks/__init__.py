"""The checks: one dbt model per check (dbt_project/models/checks), validated by Great Expectations."""
import csv
import os
from pathlib import Path

# The GX configuration every check run starts from, and the files its Data Docs load (expectations/).
GX_PROJECT_ROOT = Path(os.environ.get("XXGK_GX_ROOT", Path(__file__).resolve().parents[2] / "expectations"))
# The expectation of each family with error checks that no error finding is new: `xxgk check` exits 1 when it fails.
GATE = "gate.new_errors"


def _seed(name: str, project_dir: Path | None) -> list[dict[str, str]]:
    from ..warehouse import DBT_PROJECT

    with open((project_dir or DBT_PROJECT) / "seeds" / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def kinds(project_dir: Path | None = None) -> dict[str, str]:
    """Each family's kind of finding, from the seed check_families.csv: a check's kind follows from its family.

    >>> kinds()["extraction"], kinds()["identity"]
    ('extraction', 'report')
    """
    return {row["family"]: row["kind"] for row in _seed("check_families", project_dir)}


def severities(project_dir: Path | None = None) -> list[dict[str, str]]:
    """The severities, worst first, from the seed severities.csv: each one's name, GX's word for it, its colours
    and what it costs the score.

    >>> [(s["severity"], s["gx_severity"]) for s in severities()]
    [('error', 'critical'), ('warning', 'warning'), ('info', 'info')]
    """
    return sorted(_seed("severities", project_dir), key=lambda s: int(s["sort_order"]))


def checks_in_manifest(manifest: dict) -> list[dict]:
    """The check models' meta (check_id, severity, family), the kind their family has, their name and description,
    from dbt's manifest.

    >>> checks_in_manifest({"nodes": {"model.xxgk.chk_a": {"resource_type": "model", "name": "chk_a", "description": "d",
    ...     "schema": "checks", "config": {"meta": {"check_id": "extraction.a", "family": "extraction"}}}}})
    [{'check_id': 'extraction.a', 'family': 'extraction', 'kind': 'extraction', 'model': 'checks.chk_a', 'description': 'd'}]
    """
    kind = kinds()
    return sorted(({**n["config"]["meta"], "kind": kind[n["config"]["meta"]["family"]],
                    "model": f"{n['schema']}.{n['name']}", "description": n["description"]}
                   for n in manifest["nodes"].values()
                   if n["resource_type"] == "model" and "check_id" in n["config"].get("meta", {})),
                  key=lambda c: c["check_id"])
