"""Child processes (parser workers, dbt, GX) die with the xxgk process that started them.

A killed xxgk (even by SIGKILL, which it cannot handle) must not leave dbt or GX running against a work
file that is about to be deleted. On Linux the kernel does it: ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` in the
child. Elsewhere these are no-ops.
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1
# Resolved in the parent, before any fork: looking a symbol up between fork and exec could deadlock.
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def die_with(parent: int) -> None:
    """In a child: ask to be killed when ``parent`` dies; exit now if it already has."""
    if _prctl is None:
        return
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def dies_with_this_process() -> Callable[[], None] | None:
    """A ``preexec_fn`` for subprocess: the child is killed when this process dies."""
    if _prctl is None:
        return None
    parent = os.getpid()
    return lambda: die_with(parent)
