"""The Python runtime's transaction rule on a server that evicts scripts cached by EVAL (Valkey 8,
started by test/integration/python.test.ts; its port comes in LUAGEN_REDIS_PORT).

Past 500 such scripts the least recently used is evicted, also while EXEC runs: an EVALSHA queued
after its script's EVAL and 500 other EVALs fails inside EXEC, and EXEC applies the rest. The
runtime sends only EVAL once a transaction has more than 400 distinct scripts
(runtime.MAX_SCRIPTS_PER_TRANSACTION), so such a transaction stays whole.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator

import pytest
import redis
from redis.exceptions import ResponseError

from fresh import fresh_client
from gen import COUNTER_SCRIPT, runtime

PORT = int(os.environ["LUAGEN_REDIS_PORT"])


@pytest.fixture
def client() -> Iterator[redis.Redis]:
    with fresh_client(PORT) as r:
        yield r


def sha1(source: str) -> str:
    return hashlib.sha1(source.encode()).hexdigest()


def test_the_server_evicts_an_eval_cached_script_inside_exec(client: redis.Redis) -> None:
    assert "valkey_version" in client.info("server")
    first = "return 'first'"
    pipe = client.pipeline()
    pipe.eval(first, 0)
    for i in range(500):
        pipe.eval(f"return {i}", 0)
    pipe.evalsha(sha1(first), 0)
    pipe.incr("after")
    replies = pipe.execute(raise_on_error=False)
    assert isinstance(replies[-2], ResponseError) and str(replies[-2]).startswith("No matching script")
    assert client.get("after") == b"1"


def test_the_runtimes_transaction_over_600_distinct_scripts_stays_whole(client: redis.Redis) -> None:
    def spec(i: int) -> runtime.ScriptSpec:
        source = f"-- {i}\n{COUNTER_SCRIPT.source}"
        return runtime.ScriptSpec(
            name=f"s{i}", file="x.lua", source=source, sha1=sha1(source), keys=COUNTER_SCRIPT.keys, args=COUNTER_SCRIPT.args
        )

    scripts = [spec(i) for i in range(600)]
    pipe = client.pipeline()
    for script in scripts:
        runtime.run(script, pipe, ["c"], [1, 1000])
    runtime.run(scripts[0], pipe, ["c"], [1, 1000])
    pipe.incr("after")
    replies = pipe.execute(raise_on_error=False)
    assert [reply for reply in replies if isinstance(reply, Exception)] == []
    assert replies[:-1] == list(range(1, 602))
    assert client.mget("c", "after") == [b"601", b"1"]
