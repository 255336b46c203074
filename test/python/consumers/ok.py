"""Calls of the fixture project's package that must type-check under mypy --strict and pyright strict."""

from __future__ import annotations

import redis
import redis.asyncio
import redis.asyncio.client
import redis.asyncio.cluster
import redis.client
import redis.cluster

from gen import add_tags, bare, execute, execute_async, move_jobs, ping_status


def direct(client: redis.Redis) -> None:
    added: int = add_tags(client, ["a", "b"], "tag")
    reply: bytes | str | None = bare(client, "k1", b"k2", 1.5)
    status: bytes | str = ping_status(client)
    moved: list[int | list[bytes | str | None]] = move_jobs(client, "src", ("d1", "d2"), 3, "asc", {"a": 1})
    moved = move_jobs(client, "src", [], 3, "desc", None, True, "label")
    print(added, reply, status, moved)


def queued(client: redis.Redis) -> list[object]:
    pipe = client.pipeline()
    chained: redis.client.Pipeline = add_tags(bare(pipe, "k1", "k2", "v"), ["s"], "t")
    return execute(chained, raise_on_error=False)


async def asynchronous(client: redis.asyncio.Redis) -> None:
    added: int = await add_tags(client, ["a"], "tag")
    pipe = client.pipeline(transaction=False)
    same: redis.asyncio.client.Pipeline = ping_status(pipe)
    print(added, await execute_async(same))


def cluster(client: redis.cluster.RedisCluster) -> None:
    added: int = add_tags(client, ["{t}a", "{t}b"], "tag")
    pipe = client.pipeline()  # type: ignore[no-untyped-call]  # redis-py's own signature is untyped
    same: redis.cluster.ClusterPipeline = ping_status(pipe)
    print(added, same.execute())


async def asynchronous_cluster(client: redis.asyncio.cluster.RedisCluster) -> None:
    status: bytes | str = await ping_status(client)
    pipe = client.pipeline()
    same: redis.asyncio.cluster.ClusterPipeline = add_tags(pipe, ["a"], "t")
    print(status, await same.execute())
