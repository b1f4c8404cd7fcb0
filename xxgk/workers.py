"""Files → chunks of frames, in worker processes: at most a few chunks in flight, so memory stays bounded however
many files there are; a worker dies with the xxgk process that started it (xxgk/children.py).
"""
from __future__ import annotations

import datetime as dt
import gc
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from loaders.assembly.files import Chunk, read_chunk, reparse_chunk

from .children import die_with

# Files a worker reads, parses and turns into Arrow tables at a time, at most CHUNK_FILES files and
# CHUNK_BYTES of them (so 120 files of 18 MB are not one chunk of 2 GB).
CHUNK_FILES = 200
CHUNK_BYTES = 32 * 1024 * 1024


# The hashes already in the warehouse, in a worker process: inherited when the pool forks, so a
# warehouse of a million reports is not pickled once per chunk.
_known_in_worker: frozenset[str] = frozenset()


def _init_worker(known: frozenset[str], parent: int) -> None:
    global _known_in_worker
    _known_in_worker = known
    die_with(parent)  # a killed xxgk leaves no worker behind
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # xxgk's own handler (remove the work copy) is not a worker's
    # Parsing allocates millions of short-lived tuples; full collections that re-scan the
    # inherited objects (caches, the known hashes) cost a fifth of a worker's time.
    gc.freeze()
    gc.set_threshold(10_000, 50, 1_000)


def _read_chunk_in_worker(paths: list[str]) -> Chunk:
    return read_chunk(paths, _known_in_worker)


def in_pieces(files: list[tuple[str, int]]) -> Iterator[list[str]]:
    """Consecutive files (or stored reports: (id, size)) in pieces of at most CHUNK_FILES files and CHUNK_BYTES
    bytes (a single larger file, up to MAX_FILE_BYTES, is a piece of its own)."""
    piece: list[str] = []
    size = 0
    for path, n in files:
        if piece and (len(piece) >= CHUNK_FILES or size + n > CHUNK_BYTES):
            yield piece
            piece, size = [], 0
        piece.append(path)
        size += n
    if piece:
        yield piece


def chunks(files: list[tuple[str, int]], known: frozenset[str], workers: int) -> Iterator[Chunk]:
    """Chunks in file order; with workers, at most two per worker in flight (bounded memory). No more workers
    are started than there are chunks."""
    pieces = list(in_pieces(files))
    return _parsed(pieces, len(pieces), lambda piece: read_chunk(piece, known), _read_chunk_in_worker, workers, known)


def reparsed_chunks(stored: Iterable[list[tuple[str, bytes, dt.datetime | None]]], n_pieces: int,
                    workers: int) -> Iterator[Chunk]:
    """``reparse_chunk`` of each piece of stored contents, in order, as ``chunks`` parses files; ``stored`` may be
    lazy (each piece's bytes read from the warehouse when its turn comes), so at most a few pieces are held."""
    return _parsed(stored, n_pieces, reparse_chunk, reparse_chunk, workers, frozenset())


def _parsed(pieces: Iterable, n_pieces: int, here, in_worker, workers: int, known: frozenset[str]) -> Iterator[Chunk]:
    workers = min(workers, n_pieces)
    if workers <= 1:
        yield from (here(piece) for piece in pieces)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork"),
                             initializer=_init_worker, initargs=(known, os.getpid())) as pool:
        in_flight: deque = deque()
        for piece in pieces:
            in_flight.append(pool.submit(in_worker, piece))
            if len(in_flight) >= 2 * workers:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()
