"""The Python target's benchmark (run by bench/python.ts): prints one JSON object on stdout.

- direct: the generated function against redis-py's raw ``evalsha`` of the same script, calls
  awaited one by one, interleaved rounds (which goes first alternates), calls per second;
- multi: a transaction of 100 calls, generated against raw ``evalsha`` queued in the same pipeline;
- function: ``--mode functions`` (the package ``genf``), the generated direct call (FCALL) against
  redis-py's raw ``fcall`` of the same function, as ``direct``;
- flood: transactions (script, INCR, script) under a second connection flushing the script cache
  in a tight loop, with the generated function and with redis-py's own ``register_script``:
  failed and partial transactions (partial: some of its commands applied, a script's call failed).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable

import redis

from flusher import Flusher  # test/python/flusher.py, on PYTHONPATH (bench/python.ts)
from gen import COUNTER_SCRIPT, counter
from genf import COUNTER_SCRIPT as COUNTER_FUNCTION_SCRIPT
from genf import counter as counter_function
from genf._library import load_library

PORT = int(os.environ["LUAGEN_REDIS_PORT"])
ROUNDS = int(os.environ.get("LUAGEN_BENCH_ROUNDS", "11"))
CALLS = int(os.environ.get("LUAGEN_BENCH_CALLS", "3000"))
BATCHES = int(os.environ.get("LUAGEN_BENCH_BATCHES", "40"))
FLOOD = int(os.environ.get("LUAGEN_BENCH_FLOOD", "3000"))
SHA = COUNTER_SCRIPT.sha1
BIG = 2**40


def rate(calls: int, run: Callable[[], None]) -> float:
    start = time.perf_counter()
    run()
    return calls / (time.perf_counter() - start)


def direct_generated(r: redis.Redis) -> None:
    for _ in range(CALLS):
        counter(r, "c", 1, BIG)


def direct_raw(r: redis.Redis) -> None:
    for _ in range(CALLS):
        r.evalsha(SHA, 1, "c", 1, BIG)


FUNCTION = (COUNTER_FUNCTION_SCRIPT.function or ("", ""))[1]


def function_generated(r: redis.Redis) -> None:
    for _ in range(CALLS):
        counter_function(r, "c", 1, BIG)


def function_raw(r: redis.Redis) -> None:
    for _ in range(CALLS):
        r.fcall(FUNCTION, 1, "c", 1, BIG)


def multi_generated(r: redis.Redis) -> None:
    for _ in range(BATCHES):
        pipe = r.pipeline()
        for _ in range(100):
            counter(pipe, "c", 1, BIG)
        pipe.execute()


def multi_raw(r: redis.Redis) -> None:
    for _ in range(BATCHES):
        pipe = r.pipeline()
        for _ in range(100):
            pipe.evalsha(SHA, 1, "c", 1, BIG)
        pipe.execute()


def interleaved(
    r: redis.Redis, calls: int, ours: Callable[[redis.Redis], None], raw: Callable[[redis.Redis], None]
) -> dict[str, list[float]]:
    """Calls per second per round: generated, raw, and raw again (the A/A control); the order turns each round."""
    rounds: dict[str, list[float]] = {"generated": [], "raw": [], "control": []}
    r.script_load(COUNTER_SCRIPT.source)
    ours(r)  # warm-up, both
    raw(r)
    order = [("generated", ours), ("raw", raw), ("control", raw)]
    for i in range(ROUNDS):
        for name, run in order[i % 3 :] + order[: i % 3]:
            rounds[name].append(rate(calls, lambda: run(r)))
    return rounds


def flood(r: redis.Redis, queue: Callable[[redis.client.Pipeline], None]) -> dict[str, int]:
    failed = partial = 0
    with Flusher(lambda: redis.Redis(port=PORT)) as flusher:
        for _ in range(FLOOD):
            pipe = r.pipeline()
            queue(pipe)
            replies = pipe.execute(raise_on_error=False)
            errors = sum(isinstance(reply, Exception) for reply in replies)
            failed += errors > 0
            partial += 0 < errors < len(replies)
    return {"transactions": FLOOD, "failed": failed, "partial": partial, "flushes": flusher.flushes}


def main() -> None:
    r = redis.Redis(port=PORT)
    r.flushall()
    script = r.register_script(COUNTER_SCRIPT.source)

    def ours(pipe: redis.client.Pipeline) -> None:
        counter(pipe, "a", 1, BIG)
        pipe.incr("other")
        counter(pipe, "a", 1, BIG)

    def theirs(pipe: redis.client.Pipeline) -> None:
        script(keys=["b"], args=[1, BIG], client=pipe)
        pipe.incr("other")
        script(keys=["b"], args=[1, BIG], client=pipe)

    result = {
        "redis_py": redis.__version__,
        "direct": interleaved(r, CALLS, direct_generated, direct_raw),
        "multi": interleaved(r, BATCHES * 100, multi_generated, multi_raw),
        "function": (load_library(r), interleaved(r, CALLS, function_generated, function_raw))[1],
        "flood": {"generated": flood(r, ours), "register_script": flood(r, theirs)},
    }
    r.close()
    print(json.dumps(result))


main()
