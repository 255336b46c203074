"""The pytest files' client fixture, shared: a client on a server emptied of what a test leaves."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import redis


@contextmanager
def fresh_client(port: int) -> Iterator[redis.Redis]:
    """A client on the server at `port` with no data, no cached scripts, no functions and its
    statistics reset (INFO commandstats counts from zero); closed after the test."""
    r = redis.Redis(port=port)
    r.flushall()
    r.script_flush()
    r.function_flush()
    r.config_resetstat()
    try:
        yield r
    finally:
        r.close()
