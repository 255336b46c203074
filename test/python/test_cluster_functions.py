"""The Python target's ``--mode functions`` on a Redis Cluster of 3 masters and 3 replicas (started
by test/cluster/python.test.ts).

A seed node's port comes in LUAGEN_CLUSTER_PORT; the package under test is generated from
test/fixtures/python/lua with ``--mode functions`` into ``gen``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
import redis
import redis.asyncio.cluster
from redis.cluster import RedisCluster
from redis.exceptions import ResponseError

from cluster_flood import CALLS, KEYS, PORT, direct_round, flood, pipeline_round
from flusher import Flusher
from gen import counter, fails, pair, pong
from gen._library import LIBRARY, load_library, load_library_async


def flush_functions(rc: RedisCluster) -> None:
    """FUNCTION FLUSH on every master, one by one (replicas follow by replication)."""
    for node in rc.get_primaries():
        rc.get_redis_connection(node).function_flush()


def nodes_holding_the_library(rc: RedisCluster, primaries: bool = True) -> int:
    nodes = rc.get_primaries() if primaries else rc.get_replicas()
    return sum(len(rc.get_redis_connection(node).function_list(library=LIBRARY.name)) for node in nodes)


def loads(rc: RedisCluster) -> int:
    """How many FUNCTION LOADs the masters ran since the fixture reset their statistics."""
    stats = [rc.get_redis_connection(node).info("commandstats") for node in rc.get_primaries()]
    return sum(int(stat.get("cmdstat_function|load", {}).get("calls", 0)) for stat in stats)


@pytest.fixture
def cluster() -> Iterator[RedisCluster]:
    rc = RedisCluster(host="127.0.0.1", port=PORT)
    rc.flushall(target_nodes=RedisCluster.PRIMARIES)
    flush_functions(rc)
    for node in rc.get_primaries():
        rc.get_redis_connection(node).config_resetstat()
    yield rc
    rc.close()


def test_load_library_loads_on_every_master_once_and_replicas_get_it(cluster: RedisCluster) -> None:
    first = load_library(cluster)
    second = load_library(cluster)
    assert (first.library, first.loaded, first.current) == (LIBRARY.name, 3, 0)
    assert (second.loaded, second.current) == (0, 3)
    assert nodes_holding_the_library(cluster) == 3
    deadline = time.monotonic() + 10
    while nodes_holding_the_library(cluster, primaries=False) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert nodes_holding_the_library(cluster, primaries=False) == 3


def test_direct_calls_reach_every_master_and_load_the_library_where_it_is_missing(cluster: RedisCluster) -> None:
    masters = {cluster.get_node_from_key(key).name for key in KEYS}
    assert len(masters) == 3
    assert nodes_holding_the_library(cluster) == 0
    for key in KEYS:
        assert counter(cluster, key, 2, 10) == 2
    assert nodes_holding_the_library(cluster) == 3
    flush_functions(cluster)
    for key in KEYS:
        assert counter(cluster, key, 2, 10) == 4
    assert pair(cluster, "{u}a", "{u}b", 3) == [-3, 3]


def test_a_keyless_call_that_finds_the_library_missing_loads_it_on_every_master(cluster: RedisCluster) -> None:
    """No key, so redis-py sends FCALL to any node: the load goes to every master, then EVAL runs it."""
    assert nodes_holding_the_library(cluster) == 0
    assert pong(cluster) == b"pong"
    assert nodes_holding_the_library(cluster) == 3
    assert loads(cluster) == 3
    assert pong(cluster) == b"pong"
    assert loads(cluster) == 3


def test_a_function_error_on_a_cluster_names_the_lua_line(cluster: RedisCluster) -> None:
    load_library(cluster)
    with pytest.raises(ResponseError) as raised:
        fails(cluster, "k")
    assert "@user_function:" in str(raised.value)
    assert str(raised.value).endswith("(test/fixtures/python/lua/fails.lua:5)")


def test_asyncio_cluster_direct_calls_and_load_library_async(cluster: RedisCluster) -> None:
    async def run() -> tuple[list[object], int, int]:
        rc = redis.asyncio.cluster.RedisCluster(host="127.0.0.1", port=PORT)
        replies: list[object] = [await counter(rc, key, 1, 10) for key in KEYS]
        loaded = await load_library_async(rc)
        await rc.aclose()
        return replies, loaded.loaded, loaded.current

    assert asyncio.run(run()) == ([1] * len(KEYS), 0, 3)


def test_function_flush_flood_direct(cluster: RedisCluster) -> None:
    flood(flush_functions, lambda i: direct_round(cluster, i))
    # Calls found the library missing and loaded it again.
    assert loads(cluster) > 0


def test_function_flush_flood_pipeline(cluster: RedisCluster) -> None:
    flood(flush_functions, lambda i: pipeline_round(cluster, i))
    # A batch never depends on the library: nothing loaded it.
    assert loads(cluster) == 0


def test_function_flush_flood_asyncio_direct(cluster: RedisCluster) -> None:
    async def run() -> int:
        rc = redis.asyncio.cluster.RedisCluster(host="127.0.0.1", port=PORT)
        failed = 0
        for i in range(CALLS // len(KEYS)):
            for key in KEYS:
                try:
                    failed += await counter(rc, key, 1, CALLS) != i + 1
                except ResponseError:
                    failed += 1
        await rc.aclose()
        return failed

    with Flusher(lambda: RedisCluster(host="127.0.0.1", port=PORT), flush_functions) as flusher:
        failures = asyncio.run(run())
    assert flusher.flushes > 0
    assert failures == 0
    assert loads(cluster) > 0


def test_a_replica_promoted_by_failover_answers_fcall_from_the_replicated_library(cluster: RedisCluster) -> None:
    """Last in this file: it changes which node is a master."""
    load_library(cluster)
    key = "failover"
    primary = cluster.get_redis_connection(cluster.get_node_from_key(key))
    assert counter(cluster, key, 1, 100) == 1
    follower = primary.info("replication")["slave0"]
    replica = redis.Redis(host=follower["ip"], port=follower["port"])
    primary.wait(1, 5000)  # the key, and the library before it, are on the replica
    assert len(replica.function_list(library=LIBRARY.name)) == 1
    replica.config_resetstat()

    replica.execute_command("CLUSTER", "FAILOVER")
    deadline = time.monotonic() + 30
    while replica.info("replication")["role"] != "master":
        assert time.monotonic() < deadline, "the replica was never promoted"
        time.sleep(0.05)

    for _ in range(20):
        counter(cluster, key, 1, 100)
    assert replica.get(key) == b"21"
    stats = replica.info("commandstats")
    assert stats["cmdstat_fcall"]["calls"] == 20
    assert "cmdstat_function|load" not in stats
    replica.close()
