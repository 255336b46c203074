"""The Python target on a Redis Cluster of 3 masters and 3 replicas (started by test/cluster/python.test.ts).

A seed node's port comes in LUAGEN_CLUSTER_PORT; the package under test is generated from
test/fixtures/python/lua into ``gen``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import redis.asyncio.cluster
from redis.cluster import RedisCluster
from redis.exceptions import ResponseError

from cluster_flood import KEYS, PORT, direct_round, flood, pipeline_round
from gen import counter, fails, pair


def flush_scripts(rc: RedisCluster) -> None:
    """SCRIPT FLUSH on every node, masters and replicas, one by one."""
    for node in rc.get_nodes():
        rc.get_redis_connection(node).script_flush()


def flush_everything(rc: RedisCluster) -> None:
    rc.flushall(target_nodes=RedisCluster.PRIMARIES)
    flush_scripts(rc)


@pytest.fixture
def cluster() -> Iterator[RedisCluster]:
    rc = RedisCluster(host="127.0.0.1", port=PORT)
    flush_everything(rc)
    yield rc
    rc.close()


def test_direct_calls_reach_every_master_after_a_flush(cluster: RedisCluster) -> None:
    masters = {cluster.get_node_from_key(key).name for key in KEYS}
    assert len(masters) == 3
    for key in KEYS:
        assert counter(cluster, key, 2, 10) == 2
    flush_everything(cluster)
    for key in KEYS:
        assert counter(cluster, key, 2, 10) == 2


def test_a_script_error_on_a_cluster_names_the_lua_line(cluster: RedisCluster) -> None:
    with pytest.raises(ResponseError) as raised:
        fails(cluster, "k")
    assert str(raised.value).endswith("(test/fixtures/python/lua/fails.lua:5)")


def test_a_cluster_pipeline_sends_every_call_and_a_transaction_on_one_slot_runs(cluster: RedisCluster) -> None:
    pipe = cluster.pipeline()
    for key in KEYS:
        counter(pipe, key, 1, 10)
    assert pipe.execute() == [1] * len(KEYS)
    tx = cluster.pipeline(transaction=True)
    counter(tx, "{t}a", 1, 10)
    counter(tx, "{t}b", 1, 10)
    counter(tx, "{t}a", 1, 10)
    assert tx.execute() == [1, 1, 2]


def test_keys_in_different_slots_are_refused_before_anything_is_sent(cluster: RedisCluster) -> None:
    with pytest.raises(TypeError, match=r"pair: on a Redis Cluster all keys of one call must hash to the same slot, but key 'from_' 'a' is in slot 15495, key 'to' 'b' is in slot 3300"):
        pair(cluster, "a", "b", 1)
    pipe = cluster.pipeline()
    with pytest.raises(TypeError, match="same slot"):
        pair(pipe, "a", "b", 1)
    assert len(pipe) == 0
    assert cluster.exists("a", "b") == 0
    assert pair(cluster, "{u}a", "{u}b", 3) == [-3, 3]


def test_asyncio_cluster_direct_and_pipeline(cluster: RedisCluster) -> None:
    async def run() -> list[object]:
        rc = redis.asyncio.cluster.RedisCluster(host="127.0.0.1", port=PORT)
        replies: list[object] = [await counter(rc, key, 1, 10) for key in KEYS]
        pipe = rc.pipeline()
        for key in KEYS:
            counter(pipe, key, 1, 10)
        replies.extend(await pipe.execute())
        with pytest.raises(TypeError, match="same slot"):
            pair(rc, "a", "b", 1)
        tx = rc.pipeline(transaction=True)
        counter(counter(tx, "{t}x", 1, 10), "{t}x", 1, 10)
        queued = [command.args[0] for command in tx._execution_strategy._command_queue]
        assert queued == ["EVAL", "EVALSHA"]  # a transaction: EVAL first, EVALSHA after
        replies.extend(await tx.execute())
        await rc.aclose()
        return replies

    assert asyncio.run(run()) == [1] * len(KEYS) + [2] * len(KEYS) + [1, 2]


def test_script_flush_flood_direct(cluster: RedisCluster) -> None:
    flood(flush_scripts, lambda i: direct_round(cluster, i))


def test_script_flush_flood_pipeline(cluster: RedisCluster) -> None:
    flood(flush_scripts, lambda i: pipeline_round(cluster, i))


def test_execute_names_a_failed_script_call_in_a_cluster_pipeline(cluster: RedisCluster) -> None:
    from gen import execute

    pipe = cluster.pipeline()
    counter(pipe, "k1", 1, 10)
    fails(pipe, "k2")
    replies = execute(pipe, raise_on_error=False)
    assert replies[0] == 1
    assert str(replies[1]).endswith("(fails at test/fixtures/python/lua/fails.lua:5, batch index 1)")
