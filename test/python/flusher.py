"""The SCRIPT FLUSH flood: a second connection flushing the script cache in a tight loop while a
test (test_policy.py, test_cluster.py) or the bench (bench/python_bench.py) makes its calls."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def _script_flush(connection: Any) -> object:
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
