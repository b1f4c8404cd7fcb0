"""Two batches of reports as a yearly refresh brings them: a synthetic corpus split at a year (half of
the agencies publish again later, half do not), and a first publication in the earlier batch
corrected in the later one."""
from __future__ import annotations

import shutil
from pathlib import Path

from synth.corpus import write_corpus

from .samples import SEED_003

# The first publication has a glued row with its 总计 lost, which no split of the digits fits (the
# loader cannot place it); the corrected one does not.
GLUED_003 = SEED_003.replace("\t73\n\t10\n\t0\n\t0\n\t0\n\t0\n\t83", "\t73 10 0 0 0 0", 1)


def two_batches(tmp: Path, n: int = 160, last_earlier_year: int = 2022) -> tuple[Path, Path]:
    """(earlier, later) folders: reports up to ``last_earlier_year``; then the years after it of every
    other agency."""
    corpus = tmp / "corpus"
    write_corpus(n, seed=11, out=corpus, defect_rate=0.2)
    years, agencies = {}, {}
    for line in (corpus / "truth.csv").read_text("utf-8").splitlines()[1:]:
        name, agency, year = line.split(",")[:3]
        agencies.setdefault(agency, len(agencies))
        if int(year) <= last_earlier_year or agencies[agency] % 2 == 0:
            years[name] = int(year)
    earlier, later = tmp / "earlier", tmp / "later"
    earlier.mkdir()
    later.mkdir()
    for f in corpus.rglob("*.*"):
        if f.name in years:
            shutil.copy(f, (earlier if years[f.name] <= last_earlier_year else later) / f.name)
    assert GLUED_003 != SEED_003
    # Named to be ingested first: an old report, not the newest one the previous run saw.
    (earlier / "0-yuhang_first.txt").write_text(GLUED_003, encoding="utf-8")
    (later / "yuhang_corrected.txt").write_text(SEED_003, encoding="utf-8")
    return earlier, later
