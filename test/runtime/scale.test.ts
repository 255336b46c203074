// Big and many: a 256 KiB script and a 1 MiB argument in every context; a
// transaction of 50 different scripts; the EVAL-only rule past 400 distinct
// scripts in one transaction; and no state left behind by 100,000 direct calls
// and 10,000 transactions.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { beforeEach, describe, expect, test } from "vitest";
import { pool as poolOf } from "../support/load.js";
import type { Redis } from "ioredis";
import { IOREDIS } from "../support/ioredis.js";
import { sleep } from "../support/redis-process.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { call, commandCalls, connect, descriptor, names, queue, watchWire } from "../support/script.js";
import { holdOpen, resetServer } from "../support/fixtures.js";

const KiB = 1024;

/** A script of 256 KiB (a long Lua string it measures) that returns that length and its argument. */
const big = descriptor(
  "big",
  `local padding = "${"x".repeat(256 * KiB)}"\nreturn {string.len(padding), ARGV[1]}`,
  [],
  [{ name: "value" }],
);
const MiB_ARG = Array.from({ length: KiB * KiB }, (_, i) => String.fromCharCode(97 + (i % 26))).join("");

/** `count` different scripts, each adding its number to a counter. */
function distinctScripts(count: number, name: string) {
  return Array.from({ length: count }, (_, i) =>
    descriptor(`${name}${i}`, `-- ${name} ${i}\nreturn redis.call("INCRBY", KEYS[1], ${i + 1})`, ["counter"]),
  );
}

let server: RedisServer;
let admin: Redis;
holdOpen(async () => (server = await startRedisServer()));
holdOpen(() => (admin = connect(server)));
beforeEach(() => resetServer(admin));

describe.each(IOREDIS)("$name", ({ Redis: Client }) => {
  let redis: Redis;
  holdOpen(() => (redis = connect(server, Client)));

  test("a 256 KiB script and a 1 MiB argument round-trip directly, in a pipeline and in a transaction", async () => {
    expect(big.source.length).toBeGreaterThan(256 * KiB);
    const expected = [256 * KiB, MiB_ARG];
    expect(await call(big, redis, [], [MiB_ARG])).toEqual(expected); // cold: EVALSHA, NOSCRIPT, EVAL
    expect(await call(big, redis, [], [MiB_ARG])).toEqual(expected); // warm: EVALSHA
    expect(await queue(big, queue(big, redis.pipeline(), [], [MiB_ARG]), [], [MiB_ARG]).exec()).toEqual([
      [null, expected],
      [null, expected],
    ]);
    expect(await queue(big, queue(big, redis.multi(), [], [MiB_ARG]), [], [MiB_ARG]).exec()).toEqual([
      [null, expected],
      [null, expected],
    ]);
    expect(await commandCalls(admin)).toMatchObject({ evalsha: 3, eval: 4 });
  });

  test("a rest argument of 1,000,000 elements directly, in a pipeline and in a transaction; a rest key of 1,000,000 directly", async () => {
    // Spreading that many values into a call overflows the stack (at ~150,000 on Node 20):
    // the runtime hands ioredis the one array it built.
    const counts = descriptor(
      "counts",
      "return {#KEYS, #ARGV, ARGV[#ARGV]}",
      ["...keys"],
      [{ name: "values", rest: true }],
    );
    const million = Array.from({ length: 1_000_000 }, (_, i) => String(i));
    const expected = [1, 1_000_000, "999999"];
    expect(await call(counts, redis, [["k"]], [million])).toEqual(expected); // cold: EVALSHA, NOSCRIPT, EVAL
    expect(await call(counts, redis, [["k"]], [million])).toEqual(expected); // warm: EVALSHA
    expect(await queue(counts, redis.pipeline(), [["k"]], [million]).exec()).toEqual([[null, expected]]);
    expect(await queue(counts, redis.multi(), [["k"]], [million]).exec()).toEqual([[null, expected]]);
    expect(await call(counts, redis, [million], [[]])).toEqual([1_000_000, 0]);
  }, 180_000);

  test("a transaction calling 50 different scripts sends 50 EVALs and nothing else about scripts", async () => {
    const scripts = distinctScripts(50, "fifty");
    const wire = await watchWire(server);
    try {
      const seen = await wire.capture(redis, async () => {
        const transaction = redis.multi();
        for (const script of scripts) queue(script, transaction, ["counter"], []);
        const results = await transaction.exec();
        expect(results?.map(([error]) => error)).toEqual(scripts.map(() => null));
      });
      expect(names(seen)).toEqual(["MULTI", ...scripts.map(() => "EVAL"), "EXEC"]);
      // One EVAL per script, in order: the first line of each source.
      expect(seen.slice(1, -1).map((command) => command[1]!.split("\n")[0])).toEqual(
        scripts.map((_, i) => `-- fifty ${i}`),
      );
    } finally {
      await wire.close();
    }
    expect(await admin.get("counter")).toBe(String((50 * 51) / 2));
    const calls = await commandCalls(admin);
    expect(calls.eval).toBe(50);
    expect(Object.keys(calls).filter((name) => name === "evalsha" || name.startsWith("script"))).toEqual([]);
  });

  test("up to 400 distinct scripts a transaction repeats with EVALSHA; from the 401st on, everything is EVAL", async () => {
    // Each script twice in a row: 400 EVAL + 400 EVALSHA.
    const four = distinctScripts(400, "within");
    const withinLimit = redis.multi();
    for (const script of four) queue(script, queue(script, withinLimit, ["a"], []), ["a"], []);
    expect((await withinLimit.exec())?.filter(([error]) => error)).toEqual([]);
    expect(await commandCalls(admin)).toMatchObject({ eval: 400, evalsha: 400 });

    // 450 scripts twice in a row, then the first again: the first 400 as above; the 401st
    // switches the transaction to EVAL only, so its repeat, the 49 after and the last call are EVAL.
    await admin.config("RESETSTAT");
    const past = distinctScripts(450, "past");
    const pastLimit = redis.multi();
    for (const script of past) queue(script, queue(script, pastLimit, ["b"], []), ["b"], []);
    queue(past[0], pastLimit, ["b"], []);
    const results = (await pastLimit.exec()) ?? [];
    expect(results).toHaveLength(901);
    expect(results.filter(([error]) => error)).toEqual([]);
    expect(await commandCalls(admin)).toMatchObject({ eval: 400 + 100 + 1, evalsha: 400 });
    expect(await admin.get("b")).toBe(String(2 * ((450 * 451) / 2) + 1));
  });
});

describe("no growing state", () => {
  // --expose-gc without a vitest flag: V8 lets a running process turn it on, and a fresh context exposes gc().
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const DIRECT_CALLS = 100_000;
  const TRANSACTIONS = 10_000;
  const IN_FLIGHT = 100;

  const hit = descriptor("hit", 'return redis.call("INCR", KEYS[1])', ["key"]);
  const other = descriptor("other", 'return redis.call("INCR", KEYS[1])', ["key"]);

  /** Runs `task` `count` times with IN_FLIGHT in flight. */
  const pool = (count: number, task: () => Promise<unknown>) => poolOf(count, IN_FLIGHT, task);

  async function heapAfterGc(): Promise<number> {
    for (let i = 0; i < 3; i++) {
      gc();
      await sleep(10);
    }
    return process.memoryUsage().heapUsed;
  }

  const transaction = (redis: Redis) =>
    queue(other, queue(hit, queue(hit, redis.multi(), ["t"], []), ["t"], []), ["t"], []).exec();

  test(`${DIRECT_CALLS} direct calls and ${TRANSACTIONS} transactions leave the heap where it was`, async () => {
    const redis = connect(server);
    try {
      await pool(2_000, () => call(hit, redis, ["d"], [])); // warm up: JIT, ioredis's buffers
      await pool(500, () => transaction(redis));
      const baseline = await heapAfterGc();
      const started = Date.now();
      await pool(DIRECT_CALLS, () => call(hit, redis, ["d"], []));
      await pool(TRANSACTIONS, () => transaction(redis));
      const growth = (await heapAfterGc()) - baseline;
      console.info(
        `scale: ${DIRECT_CALLS} direct calls + ${TRANSACTIONS} transactions in ${Date.now() - started} ms; ` +
          `heap after GC ${growth >= 0 ? "+" : ""}${(growth / KiB).toFixed(0)} KiB`,
      );
      expect(await admin.get("d")).toBe(String(2_000 + DIRECT_CALLS));
      expect(growth).toBeLessThan(2 * KiB * KiB); // a per-call leak of even 20 bytes would exceed it
    } finally {
      redis.disconnect();
    }
  });

  test("a transaction's bookkeeping is weakly held: a sent transaction can be collected", async () => {
    const redis = connect(server);
    try {
      let collected = 0;
      const registry = new FinalizationRegistry(() => collected++);
      const COUNT = 20;
      for (let i = 0; i < COUNT + 3; i++) {
        const batch = queue(hit, queue(hit, redis.multi(), ["w"], []), ["w"], []);
        if (i < COUNT) registry.register(batch, i); // the last few not: ioredis may still hold the latest
        await batch.exec();
      }
      for (let i = 0; i < 50 && collected < COUNT; i++) {
        gc();
        await sleep(10);
      }
      expect(collected).toBe(COUNT);
    } finally {
      redis.disconnect();
    }
  });
});
