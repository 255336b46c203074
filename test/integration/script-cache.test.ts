// What each server's script cache keeps, and the transaction rule built for the servers that
// evict: Debian's redis-server 7.0 keeps every script sent by EVAL; Valkey 8 (as Redis 7.4)
// evicts them past 500, least recently used first, also while EXEC runs, so an EVALSHA queued
// after 500 other EVALs in one transaction fails inside EXEC and the rest of it still applies.
// The runtime's rule (templates/typescript/runtime.ts, MAX_SCRIPTS_PER_TRANSACTION: EVAL only
// past 400 distinct scripts) keeps such a transaction whole. docs/functions.md states these facts.
import { createHash } from "node:crypto";
import { beforeEach, describe, expect, test } from "vitest";
import type { Redis } from "ioredis";
import { holdOpen, resetServer } from "../support/fixtures.js";
import { REDIS_SERVER, VALKEY } from "../support/live-servers.js";
import type { RedisServer } from "../support/redis-server.js";
import { commandCalls, connect, descriptor, queue } from "../support/script.js";

const sha1 = (source: string) => createHash("sha1").update(source).digest("hex");
/** `count` distinct one-line scripts, each returning its number (plus `from`). */
const numbered = (count: number, from = 0) => Array.from({ length: count }, (_, i) => `return ${from + i}`);

/** How many of `sources` the server still has cached, and which (their indexes). */
async function cached(admin: Redis, sources: readonly string[]): Promise<number[]> {
  const exists = (await admin.script("EXISTS", ...sources.map(sha1))) as number[];
  return exists.flatMap((found, i) => (found ? [i] : []));
}

/** Each live server with what its script cache does: the release it must be, where it evicts. */
const SERVERS = [
  { ...REDIS_SERVER, version: /^redis_version:7\.0\./m, evictsPast: undefined },
  { ...VALKEY, version: /^valkey_version:(?:[89]|\d\d)\./m, evictsPast: 500 },
];

describe.each(SERVERS)("$server", ({ start, version, evictsPast }) => {
  let server: RedisServer;
  let admin: Redis;
  holdOpen(async () => (server = await start()));
  holdOpen(() => (admin = connect(server)));
  beforeEach(() => resetServer(admin));

  test("is the server it is named for", async () => {
    expect(await admin.info("server")).toMatch(version);
  });

  test("scripts sent by EVAL stay cached, or past the limit only the most recently used do; SCRIPT LOAD's stay", async () => {
    const evaluated = numbered(1_000);
    for (const [i, source] of evaluated.entries()) expect(await admin.eval(source, 0)).toBe(i);
    const loaded = numbered(1_000, 1_000);
    for (const source of loaded) await admin.script("LOAD", source);

    const kept = await cached(admin, evaluated);
    const keptCount = evictsPast ?? evaluated.length;
    expect(kept).toEqual(evaluated.map((_, i) => i).slice(evaluated.length - keptCount));
    expect(await cached(admin, loaded)).toHaveLength(loaded.length);
  });

  test("a library loaded with FUNCTION LOAD is never evicted: FCALL answers after 1,000 EVALs", async () => {
    await admin.call(
      "FUNCTION",
      "LOAD",
      "#!lua name=kept\nredis.register_function('kept_one', function() return 1 end)",
    );
    for (const source of numbered(1_000)) await admin.eval(source, 0);
    expect(await admin.call("FCALL", "kept_one", "0")).toBe(1);
    await admin.call("FUNCTION", "FLUSH");
  });

  test("EVALSHA of a script EVALed earlier in the same transaction, after 500 other EVALs in it", async () => {
    // Hand-written, as a client's own code might: EVAL once, then EVALSHA trusting it.
    const first = "return 'first'";
    const transaction = admin.multi().eval(first, 0);
    for (const source of numbered(500)) transaction.eval(source, 0);
    transaction.evalsha(sha1(first), 0).incr("after");
    const replies = (await transaction.exec()) ?? [];
    const [evalshaError, evalshaReply] = replies[replies.length - 2];
    if (evictsPast === undefined) expect([evalshaError, evalshaReply]).toEqual([null, "first"]);
    else expect(evalshaError?.message).toMatch(/^NOSCRIPT/);
    // Either way EXEC applied what came after it: on Valkey the transaction is partial.
    expect(await admin.get("after")).toBe("1");
  });

  test("the runtime's transaction over 600 distinct scripts, its first one called again last, fails nothing", async () => {
    const scripts = Array.from({ length: 600 }, (_, i) =>
      descriptor(`s${i}`, `-- ${i}\nreturn redis.call("INCRBY", KEYS[1], ${i + 1})`, ["counter"]),
    );
    const transaction = admin.multi();
    for (const script of scripts) queue(script, transaction, ["c"], []);
    queue(scripts[0], transaction, ["c"], []);
    transaction.incr("after");
    const replies = (await transaction.exec()) ?? [];
    expect(replies.filter(([error]) => error)).toEqual([]);
    expect(await admin.get("c")).toBe(String((600 * 601) / 2 + 1));
    // Past 400 distinct scripts every call carried its source: no EVALSHA left to fail.
    const calls = await commandCalls(admin);
    expect([calls.eval, calls.evalsha]).toEqual([601, undefined]);
  });
});
