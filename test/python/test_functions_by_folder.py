"""The Python target with ``mode`` by folder against a real redis-server (started by
test/integration/python.test.ts): a library per folder in functions mode, a folder in scripts mode
beside them.

The package under test is generated into ``gen`` from the fixtures laid out as ``lua/billing``
(counter, fails) and ``lua/cache`` (peek), both ``"functions"``, and ``lua/plain`` (pair), left in
scripts mode; the server's port comes in LUAGEN_REDIS_PORT.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from redis.exceptions import ResponseError

import monitor
from flusher import flood, flush_functions_and_scripts
from fresh import fresh_client
from gen import _library_billing, _library_cache, counter, fails, pair, peek

PORT = int(os.environ["LUAGEN_REDIS_PORT"])
CALLS = int(os.environ.get("LUAGEN_FLOOD_CALLS", "3000"))
BILLING = _library_billing.LIBRARY.name
CACHE = _library_cache.LIBRARY.name


@pytest.fixture
def client() -> Iterator[redis.Redis]:
    with fresh_client(PORT) as r:
        yield r


def libraries(client: redis.Redis) -> dict[str, dict[str, list[str]]]:
    """What FUNCTION LIST shows: each library's name → its functions' names → their flags."""
    listed: dict[str, dict[str, list[str]]] = {}
    for entry in client.function_list():
        fields = dict(zip(entry[::2], entry[1::2]))
        functions = {fn[1].decode(): [flag.decode() for flag in fn[5]] for fn in fields[b"functions"]}
        listed[fields[b"library_name"].decode()] = functions
    return listed


def loads(client: redis.Redis) -> int:
    stats: dict[str, Any] = client.info("commandstats")
    return int(stats.get("cmdstat_function|load", {}).get("calls", 0))


def test_each_folder_in_functions_mode_is_a_library_of_its_own_scripts(client: redis.Redis) -> None:
    assert BILLING != CACHE
    assert _library_billing.load_library(client).loaded == 1
    assert libraries(client) == {BILLING: {f"{BILLING}_counter": [], f"{BILLING}_fails": []}}
    assert _library_cache.load_library(client).loaded == 1
    assert libraries(client)[CACHE] == {f"{CACHE}_peek": ["no-writes"]}


def test_a_direct_call_loads_only_its_own_folders_library(client: redis.Redis) -> None:
    assert monitor.monitored(PORT, lambda r: counter(r, "c", 2, 10)) == ["fcall", "function load", "eval"]
    assert list(libraries(client)) == [BILLING]
    assert monitor.monitored(PORT, lambda r: peek(r, "c")) == ["fcall_ro", "function load", "eval_ro"]
    assert sorted(libraries(client)) == sorted([BILLING, CACHE])
    assert client.get("c") == b"2"


def test_the_scripts_mode_folder_sends_evalsha_and_loads_no_library(client: redis.Redis) -> None:
    seen = monitor.monitored(PORT, lambda r: (pair(r, "a", "b", 3), pair(r, "a", "b", 3)))
    assert seen == ["evalsha", "eval", "evalsha"]
    assert libraries(client) == {}
    assert client.mget("a", "b") == [b"-6", b"6"]


def test_a_transaction_over_all_three_folders_sends_scripts_only(client: redis.Redis) -> None:
    def batch(r: redis.Redis) -> None:
        tx = r.pipeline()
        counter(tx, "c", 1, 10)
        peek(tx, "c")
        pair(tx, "a", "b", 1)
        assert tx.execute() == [1, b"1", [-1, 1]]

    assert monitor.monitored(PORT, batch) == ["multi", "eval", "eval_ro", "eval", "exec"]
    assert loads(client) == 0


def test_an_error_in_a_folders_function_names_its_lua_file_and_line(client: redis.Redis) -> None:
    _library_billing.load_library(client)
    with pytest.raises(ResponseError) as raised:
        fails(client, "k")
    assert "@user_function:" in str(raised.value)
    assert str(raised.value).endswith("(lua/billing/fails.lua:5)")


def test_function_and_script_flush_flood_over_every_folder(client: redis.Redis) -> None:
    calls: list[Callable[[int], bool]] = [
        lambda i: counter(client, "c", 1, CALLS) == i // 3 + 1,
        lambda i: peek(client, "c") == str(i // 3 + 1).encode(),
        lambda i: pair(client, "a", "b", 1) == [-(i // 3 + 1), i // 3 + 1],
    ]

    def one(i: int) -> tuple[int, int]:
        try:
            return (0, 0) if calls[i % 3](i) else (1, 0)
        except ResponseError:
            return (1, 0)

    flood(lambda: redis.Redis(port=PORT), CALLS, one, flush_functions_and_scripts)
    # The flood made both folders' calls find their library missing: each loaded its own again.
    assert loads(client) > 1
