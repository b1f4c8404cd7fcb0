"""Corpora of report files for the tests that need many, what every parse result must satisfy, and how a test runs a
command without root's power."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from loaders.text.values import parse_value

from .samples import RAW, SEEDS

SEED_TEXTS = [(RAW / name).read_text("utf-8") for name in sorted(SEEDS)]


def corpus(d: Path, n: int, tag: str = "") -> Path:
    """n distinct files (each a seed with its own trailing note) so every one is a new report."""
    d.mkdir()
    for i in range(n):
        (d / f"r{i:04d}.txt").write_text(SEED_TEXTS[i % len(SEED_TEXTS)] + f"\n附注 {tag}{i}\n", encoding="utf-8")
    return d


def assert_well_formed(r) -> None:
    """What every parse result must satisfy, whatever the input."""
    assert r.status in ("loaded", "partial", "rejected")
    assert (r.status == "loaded") == (r.error is None)
    for c in r.cells:
        assert c.table_id in ("t2", "t3", "t4")
        if c.unresolved or c.value_kind not in ("number", "split", "derived"):
            assert c.value is None  # a value only where a number was read, cut from a glued run, or derived
        if c.value_kind == "derived":  # from a blank or dash, by an identity it names
            assert c.value is not None and c.resolved_by and (c.raw_text == "" or parse_value(c.raw_text).kind == "dash")
        assert c.candidates is None or (c.unresolved and "|" in c.candidates)
        if c.char_offset >= 0:
            assert r.normalised_text[c.char_offset: c.char_offset + len(c.raw_text)] == c.raw_text or " | " in c.raw_text
    keys = [(c.table_id, c.row_key, c.col_key) for c in r.cells]
    assert len(keys) == len(set(keys))


FUZZ = settings(max_examples=int(os.environ.get("XXGK_FUZZ_EXAMPLES", "60")), deadline=5000,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def as_user(argv: list[str]) -> list[str]:
    """Run without root's power to read and write anything (so permissions apply), when the tests run as root."""
    if os.geteuid() != 0:
        return argv
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: file permissions cannot be made to apply")
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", "--bounding-set", caps, "--inh-caps", caps, *argv]
