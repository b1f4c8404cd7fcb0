"""The checks: one dbt model per check (dbt_project/models/checks), validated by Great Expectations."""
import os
from pathlib import Path

# The GX configuration every check run starts from, and the files its Data Docs load (expectations/).
GX_PROJECT_ROOT = Path(os.environ.get("XXGK_GX_ROOT", Path(__file__).resolve().parents[2] / "expectations"))
