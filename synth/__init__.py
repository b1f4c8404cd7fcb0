"""A test-data generator, outside the product: synthetic reports with known defects and their ground truth.

It is not shipped with xxgk (pyproject packages only ``loaders`` and ``xxgk``) and the product never imports it;
tests and benchmarks do (``from synth.corpus import write_corpus``), and ``python -m synth`` writes a corpus.
It knows the reports from the seeds, as analysts do, never from the parser.
"""
