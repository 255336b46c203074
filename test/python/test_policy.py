"""The Python target's policy against a real redis-server (started by test/integration/python.test.ts).

The package under test is generated from test/fixtures/python/lua into ``gen`` beside this file's
copy; the server's port comes in LUAGEN_REDIS_PORT.
"""

from __future__ import annotations

import asyncio
import enum
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
import redis.asyncio
from redis.exceptions import ResponseError

import monitor
from flusher import Flusher, flood
from fresh import fresh_client
from gen import COUNTER_SCRIPT, counter, fails, included, peek
from gen import runtime as _rt

PORT = int(os.environ["LUAGEN_REDIS_PORT"])
CALLS = int(os.environ.get("LUAGEN_FLOOD_CALLS", "3000"))


@pytest.fixture
def client() -> Iterator[redis.Redis]:
    with fresh_client(PORT) as r:
        yield r


def monitored(action: Callable[[redis.Redis], object]) -> list[str]:
    return monitor.monitored(PORT, action)


def test_direct_call_after_a_flush_sends_evalsha_then_eval_then_evalsha(client: redis.Redis) -> None:
    def calls(r: redis.Redis) -> None:
        assert counter(r, "c", 2, 10) == 2
        assert counter(r, "c", 2, 10) == 4

    assert monitored(calls) == ["evalsha", "eval", "evalsha"]


def test_a_transaction_sends_eval_the_first_time_and_evalsha_after(client: redis.Redis) -> None:
    def calls(r: redis.Redis) -> None:
        pipe = r.pipeline()
        counter(pipe, "c", 1, 10)
        counter(pipe, "c", 1, 10)
        pipe.incr("other")
        assert pipe.execute() == [1, 2, 1]

    assert monitored(calls) == ["multi", "eval", "evalsha", "incrby", "exec"]


def test_a_reused_pipeline_starts_a_new_transaction_with_eval(client: redis.Redis) -> None:
    def calls(r: redis.Redis) -> None:
        pipe = r.pipeline()
        counter(pipe, "c", 1, 10)
        pipe.execute()
        r.script_flush()
        counter(pipe, "c", 1, 10)
        assert pipe.execute() == [2]

    assert monitored(calls) == ["multi", "eval", "exec", "script", "multi", "eval", "exec"]


def test_a_plain_pipeline_always_sends_eval(client: redis.Redis) -> None:
    def calls(r: redis.Redis) -> None:
        pipe = r.pipeline(transaction=False)
        counter(pipe, "c", 1, 10)
        counter(pipe, "c", 1, 10)
        assert pipe.execute() == [1, 2]

    assert monitored(calls) == ["eval", "eval"]


def test_redis_pys_own_register_script_checks_first_and_sends_evalsha_later(client: redis.Redis) -> None:
    """Side by side: the race luagen's policy removes (SCRIPT EXISTS/LOAD, then EVALSHA in MULTI)."""
    from gen import COUNTER_SCRIPT

    def calls(r: redis.Redis) -> None:
        script = r.register_script(COUNTER_SCRIPT.source)
        pipe = r.pipeline()
        script(keys=["c"], args=[1, 10], client=pipe)
        pipe.execute()

    assert monitored(calls) == ["script", "script", "multi", "evalsha", "exec"]


def test_a_no_writes_script_goes_as_evalsha_ro_and_eval_ro(client: redis.Redis) -> None:
    client.set("c", "7")

    def calls(r: redis.Redis) -> None:
        assert peek(r, "c") == b"7"
        pipe = r.pipeline(transaction=False)
        peek(pipe, "c")
        assert pipe.execute() == [b"7"]

    assert monitored(calls) == ["evalsha_ro", "eval_ro", "eval_ro"]


def test_decode_responses_gives_str(client: redis.Redis) -> None:
    client.set("c", "7")
    decoded = redis.Redis(port=PORT, decode_responses=True)
    assert peek(decoded, "c") == "7"
    decoded.close()


def test_bad_input_reaches_no_server(client: redis.Redis) -> None:
    def calls(r: redis.Redis) -> None:
        with pytest.raises(TypeError, match=r"counter: argument 'by' must be an int, got '1'"):
            counter(r, "c", "1", 10)  # type: ignore[call-overload]
        with pytest.raises(TypeError, match=r"counter: key 'counter' must be str or bytes, got 5"):
            counter(r, 5, 1, 10)  # type: ignore[call-overload]
        with pytest.raises(ValueError, match=r"counter: argument 'cap' must be within"):
            counter(r, "c", 1, 2**60)
        pipe = r.pipeline()
        with pytest.raises(TypeError, match="argument 'by'"):
            counter(pipe, "c", 1.5, 10)  # type: ignore[call-overload]
        assert len(pipe.command_stack) == 0

    assert monitored(calls) == []


def test_values_other_than_a_plain_str_or_int_still_go_through_the_encoders(client: redis.Redis) -> None:
    class Five(enum.IntEnum):
        FIVE = 5

    class Name(str):
        pass

    assert counter(client, b"c", Five.FIVE, 10) == 5  # an IntEnum as its digits, not its name
    assert counter(client, Name("c"), 1, 10) == 6
    assert client.get("c") == b"6"
    with pytest.raises(TypeError, match=r"counter: argument 'by' must be an int, got True"):
        counter(client, "c", True, 10)
    with pytest.raises(ValueError, match=r"counter: argument 'by' must be within"):
        counter(client, "c", -(2**53), 10)
    with pytest.raises(TypeError, match=r"counter: expected 2 argument entries, got 1"):
        _rt.run(COUNTER_SCRIPT, client, ("c",), (1,))


def test_a_script_error_names_the_lua_file_and_line(client: redis.Redis) -> None:
    with pytest.raises(ResponseError) as raised:
        fails(client, "k")
    assert str(raised.value).endswith("(test/fixtures/python/lua/fails.lua:5)")
    with pytest.raises(ResponseError) as raised:
        included(client, "k")
    assert str(raised.value).endswith("(test/fixtures/python/lua/_pair.lua:2)")


def test_async_client_and_pipelines(client: redis.Redis) -> None:
    async def run() -> list[Any]:
        r = redis.asyncio.Redis(port=PORT)
        first = await counter(r, "c", 3, 10)
        pipe = r.pipeline()
        counter(counter(pipe, "c", 3, 10), "c", 3, 10)
        replies = await pipe.execute()
        await r.aclose()
        return [first, *replies]

    assert asyncio.run(run()) == [3, 6, 9]


def test_script_flush_flood_direct(client: redis.Redis) -> None:
    def one(i: int) -> tuple[int, int]:
        try:
            return (0, 0) if counter(client, "c", 1, CALLS) == i + 1 else (1, 0)
        except ResponseError:
            return (1, 0)

    flood(lambda: redis.Redis(port=PORT), CALLS, one)


def test_script_flush_flood_transaction(client: redis.Redis) -> None:
    def one(i: int) -> tuple[int, int]:
        pipe = client.pipeline()
        counter(pipe, "c", 1, CALLS)
        pipe.incr("other")
        counter(pipe, "d", 1, CALLS)
        replies = pipe.execute(raise_on_error=False)
        errors = sum(isinstance(reply, Exception) for reply in replies)
        return (1 if errors else 0, 1 if 0 < errors < len(replies) else 0)

    flood(lambda: redis.Redis(port=PORT), CALLS, one)
    assert client.get("c") == client.get("d") == client.get("other") == str(CALLS).encode()


def test_script_flush_flood_pipeline(client: redis.Redis) -> None:
    def one(i: int) -> tuple[int, int]:
        pipe = client.pipeline(transaction=False)
        counter(pipe, "c", 1, CALLS)
        pipe.incr("other")
        replies = pipe.execute(raise_on_error=False)
        errors = sum(isinstance(reply, Exception) for reply in replies)
        return (1 if errors else 0, 1 if 0 < errors < len(replies) else 0)

    flood(lambda: redis.Redis(port=PORT), CALLS, one)
    assert client.get("c") == client.get("other") == str(CALLS).encode()


def test_script_flush_flood_asyncio(client: redis.Redis) -> None:
    """On asyncio, per round: a direct call, a transaction and a plain pipeline; 3,000 rounds."""

    async def run() -> tuple[int, int]:
        r = redis.asyncio.Redis(port=PORT)
        failures = partial = 0
        for i in range(CALLS):
            try:
                if await counter(r, "c", 1, 2 * CALLS) != i + 1:
                    failures += 1
            except ResponseError:
                failures += 1
            for transaction, key in ((True, "d"), (False, "e")):
                pipe = r.pipeline(transaction=transaction)
                counter(pipe, key, 1, 2 * CALLS)
                pipe.incr(f"other-{key}")
                replies = await pipe.execute(raise_on_error=False)
                errors = sum(isinstance(reply, Exception) for reply in replies)
                failures += 1 if errors else 0
                partial += 1 if 0 < errors < len(replies) else 0
        await r.aclose()
        return failures, partial

    with Flusher(lambda: redis.Redis(port=PORT)) as flusher:
        outcome = asyncio.run(run())
    assert flusher.flushes > 0
    assert outcome == (0, 0)
    counters = [client.get(key) for key in ("c", "d", "e", "other-d", "other-e")]
    assert counters == [str(CALLS).encode()] * 5


def test_a_transaction_of_more_than_400_distinct_scripts_sends_only_eval_from_the_401st_on(client: redis.Redis) -> None:
    """Since Redis 7.4 EVAL-cached scripts are evicted past 500: an EVALSHA may trust its transaction's
    EVAL only while fewer than 400 distinct scripts were EVALed in it (runtime.MAX_SCRIPTS_PER_TRANSACTION)."""
    from gen import COUNTER_SCRIPT, runtime

    def spec(i: int) -> runtime.ScriptSpec:
        source = f"-- {i}\n{COUNTER_SCRIPT.source}"
        return runtime.ScriptSpec(name=f"s{i}", file="x.lua", source=source, sha1=f"{i:040x}", keys=COUNTER_SCRIPT.keys, args=COUNTER_SCRIPT.args)

    scripts = [spec(i) for i in range(402)]
    pipe = client.pipeline()
    for script in scripts[:400]:
        runtime.run(script, pipe, ["c"], [1, 10])
    runtime.run(scripts[0], pipe, ["c"], [1, 10])
    runtime.run(scripts[400], pipe, ["c"], [1, 10])
    runtime.run(scripts[0], pipe, ["c"], [1, 10])
    runtime.run(scripts[401], pipe, ["c"], [1, 10])
    runtime.run(scripts[0], pipe, ["c"], [1, 10])
    sent = [args[0] for args, _ in pipe.command_stack]
    assert sent == ["EVAL"] * 400 + ["EVALSHA", "EVAL", "EVAL", "EVAL", "EVAL"]
    pipe.reset()
    runtime.run(scripts[0], pipe, ["c"], [1, 10])
    runtime.run(scripts[0], pipe, ["c"], [1, 10])
    assert [args[0] for args, _ in pipe.command_stack] == ["EVAL", "EVALSHA"]


def test_cross_slot_keys_are_refused_only_on_a_cluster(client: redis.Redis) -> None:
    from gen import pair

    assert pair(client, "a", "b", 2) == [-2, 2]


def test_execute_names_the_lua_line_and_batch_index_of_a_failed_script(client: redis.Redis) -> None:
    from gen import execute

    pipe = client.pipeline()
    pipe.incr("x")
    fails(pipe, "k")
    counter(pipe, "c", 1, 10)
    with pytest.raises(ResponseError) as raised:
        execute(pipe)
    assert str(raised.value).endswith("(fails at test/fixtures/python/lua/fails.lua:5, batch index 1)")
    assert (client.get("x"), client.get("c")) == (b"1", b"1")
    plain = client.pipeline(transaction=False)
    included(plain, "k")
    plain.incr("x")
    replies = execute(plain, raise_on_error=False)
    assert str(replies[0]).endswith("(included at test/fixtures/python/lua/_pair.lua:2, batch index 0)")
    assert replies[1] == 2


def test_execute_async_does_the_same_for_asyncio(client: redis.Redis) -> None:
    from gen import execute_async

    async def run() -> list[Any]:
        r = redis.asyncio.Redis(port=PORT)
        pipe = r.pipeline()
        counter(pipe, "c", 1, 10)
        fails(pipe, "k")
        replies = await execute_async(pipe, raise_on_error=False)
        await r.aclose()
        return replies

    replies = asyncio.run(run())
    assert replies[0] == 1
    assert str(replies[1]).endswith("(fails at test/fixtures/python/lua/fails.lua:5, batch index 1)")


def test_a_watching_pipeline_refuses_a_script_until_multi_then_runs_it_in_the_transaction(client: redis.Redis) -> None:
    def calls(r: redis.Redis) -> None:
        pipe = r.pipeline()
        pipe.watch("c")
        with pytest.raises(TypeError, match="WATCHing and not yet in MULTI"):
            counter(pipe, "c", 1, 10)
        pipe.multi()
        counter(pipe, "c", 1, 10)
        counter(pipe, "c", 1, 10)
        assert pipe.execute() == [1, 2]

    assert monitored(calls) == ["watch", "multi", "eval", "evalsha", "exec"]
