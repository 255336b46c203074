"""The SCRIPT FLUSH flood: a second connection flushing the script cache in a tight loop while a
test (test_policy.py, test_functions*.py, test_cluster*.py) or the bench (bench/python_bench.py)
makes its calls."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def _script_flush(connection: Any) -> object:
    return connection.script_flush()


def flush_functions_and_scripts(connection: Any) -> object:
    """One round of the functions-mode flood: the libraries, then the script cache."""
    connection.function_flush()
    return connection.script_flush()


class Flusher:
    """``with Flusher(connect) as flusher:`` flushes on its own connection until the block ends;
    ``flusher.flushes`` counts the flushes. ``flush`` says how one round flushes (every node of a cluster)."""

    def __init__(self, connect: Callable[[], Any], flush: Callable[[Any], object] = _script_flush) -> None:
        self.connect = connect
        self.flush = flush
        self.stop = threading.Event()
        self.flushes = 0
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        connection = self.connect()
        try:
            while not self.stop.is_set():
                self.flush(connection)
                self.flushes += 1
        finally:
            connection.close()

    def __enter__(self) -> Flusher:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join()


def flood(
    connect: Callable[[], Any],
    calls: int,
    one: Callable[[int], tuple[int, int]],
    flush: Callable[[Any], object] = _script_flush,
) -> None:
    """`one(i)` makes call i and says (failures, partial transactions): all must be 0 while
    `flush` runs in a loop on a connection of its own, which must have flushed at least once."""
    failures = partial = 0
    with Flusher(connect, flush) as flusher:
        for i in range(calls):
            failed, half = one(i)
            failures += failed
            partial += half
    assert flusher.flushes > 0
    assert (failures, partial) == (0, 0)
