"""The cluster floods (test_cluster.py, test_cluster_functions.py): rounds of calls over keys on
every master while a second connection flushes (scripts, or functions) in a tight loop."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from redis.cluster import RedisCluster
from redis.exceptions import ResponseError

from flusher import Flusher
from gen import counter

PORT = int(os.environ["LUAGEN_CLUSTER_PORT"])
CALLS = int(os.environ.get("LUAGEN_FLOOD_CALLS", "3000"))
# Keys on all three masters: a tag per slot range is not needed, many keys spread over every slot range.
KEYS = [f"k{i}" for i in range(12)]


def direct_round(cluster: RedisCluster, i: int) -> int:
    """Round i of direct calls, one per key: how many failed or gave another count than i + 1."""
    failed = 0
    for key in KEYS:
        try:
            failed += counter(cluster, key, 1, CALLS) != i + 1
        except ResponseError:
            failed += 1
    return failed


def pipeline_round(cluster: RedisCluster, i: int) -> int:
    """Round i as one pipeline of a call per key: how many replies were not i + 1."""
    pipe = cluster.pipeline()
    for key in KEYS:
        counter(pipe, key, 1, CALLS)
    replies = pipe.execute(raise_on_error=False)
    return sum(reply != i + 1 for reply in replies)


def flood(flush: Callable[[Any], object], one: Callable[[int], int]) -> None:
    """`one(i)` runs round i and says how many calls failed: 0 in all, while `flush` runs in a loop on its own connection."""
    with Flusher(lambda: RedisCluster(host="127.0.0.1", port=PORT), flush) as flusher:
        failures = sum(one(i) for i in range(CALLS // len(KEYS)))
    assert flusher.flushes > 0
    assert failures == 0
