"""A forwarding name for ``xxgk.warehouse.connect``, kept only because ``xxgk.synth.evaluate`` (owned by the parser
work, not edited here) opens the warehouse as ``loaders.store.connect``. Remove it once that import is changed."""
from xxgk.warehouse import connect  # noqa: F401
