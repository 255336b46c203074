"""The Python target's ``--mode functions`` against a real redis-server (started by
test/integration/python.test.ts).

The package under test is generated from test/fixtures/python/lua with ``--mode functions`` into
``gen`` beside this file's copy; the server's port comes in LUAGEN_REDIS_PORT.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
import redis.asyncio
from redis.exceptions import ResponseError

import monitor
from flusher import Flusher, flood, flush_functions_and_scripts
from fresh import fresh_client
from gen import counter, fails, included, pair, peek
from gen._library import LIBRARY, load_library, load_library_async

PORT = int(os.environ["LUAGEN_REDIS_PORT"])
CALLS = int(os.environ.get("LUAGEN_FLOOD_CALLS", "3000"))


@pytest.fixture
def client() -> Iterator[redis.Redis]:
    with fresh_client(PORT) as r:
        yield r


def monitored(action: Callable[[redis.Redis], object]) -> list[str]:
    return monitor.monitored(PORT, action)


def loads(client: redis.Redis) -> int:
    """How many FUNCTION LOADs the server ran since the fixture reset its statistics."""
    stats: dict[str, Any] = client.info("commandstats")
    return int(stats.get("cmdstat_function|load", {}).get("calls", 0))


def test_the_library_registers_every_script_with_its_flags(client: redis.Redis) -> None:
    assert load_library(client).loaded == 1
    [entry] = client.function_list(library=LIBRARY.name)
    listed = dict(zip(entry[::2], entry[1::2]))
    functions = {fn[1].decode(): [flag.decode() for flag in fn[5]] for fn in listed[b"functions"]}
    assert functions == {
        f"{LIBRARY.name}_counter": [],
        f"{LIBRARY.name}_fails": [],
        f"{LIBRARY.name}_included": [],
        f"{LIBRARY.name}_pair": [],
        f"{LIBRARY.name}_peek": ["no-writes"],
        f"{LIBRARY.name}_pong": [],
    }


def test_load_library_loads_once_and_then_finds_it_current(client: redis.Redis) -> None:
    first = load_library(client)
    second = load_library(client)
    assert (first.library, first.loaded, first.current) == (LIBRARY.name, 1, 0)
    assert (second.loaded, second.current) == (0, 1)
    assert loads(client) == 2


def test_load_library_refuses_a_pipeline(client: redis.Redis) -> None:
    with pytest.raises(TypeError, match="load_library: expected a client or cluster"):
        load_library(client.pipeline())
    assert loads(client) == 0


def test_a_direct_call_sends_fcall_and_fcall_ro_once_the_library_is_loaded(client: redis.Redis) -> None:
    load_library(client)
    seen = monitored(lambda r: (counter(r, "c", 2, 10), peek(r, "c")))
    assert seen == ["fcall", "fcall_ro"]
    assert client.get("c") == b"2"


def test_a_direct_call_that_finds_the_library_missing_loads_it_and_sends_eval(client: redis.Redis) -> None:
    def calls(r: redis.Redis) -> None:
        assert counter(r, "c", 2, 10) == 2
        assert counter(r, "c", 2, 10) == 4

    assert monitored(calls) == ["fcall", "function load", "eval", "fcall"]
    client.function_flush()
    assert monitored(lambda r: peek(r, "c")) == ["fcall_ro", "function load", "eval_ro"]


def test_batches_send_the_script_not_the_function(client: redis.Redis) -> None:
    """A batch never depends on the library: a transaction EVALs a script once, then EVALSHA; a pipeline EVALs."""

    def batches(r: redis.Redis) -> None:
        tx = r.pipeline()
        counter(tx, "c", 1, 10)
        counter(tx, "c", 1, 10)
        assert tx.execute() == [1, 2]
        pipe = r.pipeline(transaction=False)
        counter(pipe, "c", 1, 10)
        assert pipe.execute() == [3]

    assert monitored(batches) == ["multi", "eval", "evalsha", "exec", "eval"]
    assert loads(client) == 0


def test_an_error_in_a_function_names_the_lua_line(client: redis.Redis) -> None:
    load_library(client)
    with pytest.raises(ResponseError) as raised:
        fails(client, "k")
    assert "@user_function:" in str(raised.value)
    assert str(raised.value).endswith("(test/fixtures/python/lua/fails.lua:5)")
    with pytest.raises(ResponseError) as raised:
        included(client, "k")
    assert str(raised.value).endswith("(test/fixtures/python/lua/_pair.lua:2)")


def test_an_error_on_the_eval_fallback_names_the_same_line(client: redis.Redis) -> None:
    with pytest.raises(ResponseError) as raised:
        fails(client, "k")
    assert "@user_script:" in str(raised.value)
    assert str(raised.value).endswith("(test/fixtures/python/lua/fails.lua:5)")


def test_asyncio_direct_calls_and_load_library_async(client: redis.Redis) -> None:
    async def run() -> tuple[Any, ...]:
        r = redis.asyncio.Redis(port=PORT)
        first = await counter(r, "c", 3, 10)
        loaded = await load_library_async(r)
        second = await pair(r, "a", "b", 3)
        await r.aclose()
        return first, loaded.loaded, loaded.current, second

    first, loaded, current, second = asyncio.run(run())
    assert (first, loaded, current, second) == (3, 0, 1, [-3, 3])
    assert loads(client) == 2


def test_function_flush_flood_direct(client: redis.Redis) -> None:
    def one(i: int) -> tuple[int, int]:
        try:
            return (0, 0) if counter(client, "c", 1, CALLS) == i + 1 else (1, 0)
        except ResponseError:
            return (1, 0)

    flood(lambda: redis.Redis(port=PORT), CALLS, one, flush_functions_and_scripts)
    # The flood made calls find the library missing: each loaded it again.
    assert loads(client) > 0
    assert client.get("c") == str(CALLS).encode()


def test_function_flush_flood_transaction_and_pipeline(client: redis.Redis) -> None:
    def one(i: int) -> tuple[int, int]:
        failures = partial = 0
        for transaction, key in ((True, "d"), (False, "e")):
            pipe = client.pipeline(transaction=transaction)
            counter(pipe, key, 1, CALLS)
            pipe.incr(f"other-{key}")
            replies = pipe.execute(raise_on_error=False)
            errors = sum(isinstance(reply, Exception) for reply in replies)
            failures += 1 if errors else 0
            partial += 1 if 0 < errors < len(replies) else 0
        return failures, partial

    flood(lambda: redis.Redis(port=PORT), CALLS, one, flush_functions_and_scripts)
    assert [client.get(key) for key in ("d", "e", "other-d", "other-e")] == [str(CALLS).encode()] * 4


def test_function_flush_flood_asyncio(client: redis.Redis) -> None:
    async def run() -> tuple[int, int]:
        r = redis.asyncio.Redis(port=PORT)
        failures = 0
        for i in range(CALLS):
            try:
                if await counter(r, "c", 1, CALLS) != i + 1:
                    failures += 1
            except ResponseError:
                failures += 1
        await r.aclose()
        return failures, 0

    with Flusher(lambda: redis.Redis(port=PORT), flush_functions_and_scripts) as flusher:
        outcome = asyncio.run(run())
    assert flusher.flushes > 0
    assert outcome == (0, 0)
    assert loads(client) > 0
    assert client.get("c") == str(CALLS).encode()
