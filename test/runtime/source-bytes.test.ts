// A script's source reaches Redis byte for byte, however the client is handed it. A source with
// multi-byte UTF-8 characters, sent as EVAL in every kind of batch of every client, gives the
// script's own reply, MONITOR shows the exact source, and Redis caches it under the descriptor's
// SHA-1 (a later EVALSHA finds it). A source encoded wrongly (latin1, say) or a byte length
// counted in characters would fail each of these. node-redis is handed one Buffer per script,
// encoded once and reused by every call; ioredis and iovalkey the string (see `Transport.source`
// in templates/typescript/runtime.ts, and BENCHMARKS.md for why).
import { describe, expect, test, vi } from "vitest";
import type { Redis } from "ioredis";
import { IOREDIS } from "../support/ioredis.js";
import { NODE_REDIS, callOn, queueOn, type NodeRedisConnection } from "../support/node-redis.js";
import { type RedisServer } from "../support/redis-server.js";
import { call, connect, descriptor, names, queue } from "../support/script.js";
import { holdOpen, useWatchedServer, type Wire } from "../support/fixtures.js";

const source = '-- grüße, ✓, 🚀: three widths of UTF-8\nreturn {KEYS[1], "ünïcødé ✓ 🚀 " .. ARGV[1]}';
const greet = descriptor("greet", source, ["key"], [{ name: "suffix" }]);
const reply = (suffix: string) => ["k", `ünïcødé ✓ 🚀 ${suffix}`];

let server: RedisServer;
let admin: Redis;
let wire: Wire;
useWatchedServer((fixture) => ({ server, admin, wire } = fixture));

test("the source has characters of two, three and four bytes in UTF-8", () => {
  const widths = new Set([...source].map((character) => Buffer.byteLength(character)));
  expect([...widths].sort()).toEqual([1, 2, 3, 4]);
});

describe.each(IOREDIS)("$name", ({ Redis: Client }) => {
  let redis: Redis;
  holdOpen(() => (redis = connect(server, Client)));

  test("a pipeline and a transaction send the exact source; Redis caches it under the descriptor's SHA-1", async () => {
    const seen = await wire.capture(redis, async () => {
      expect(await queue(greet, redis.pipeline(), ["k"], ["p"]).exec()).toEqual([[null, reply("p")]]);
      const transaction = queue(greet, queue(greet, redis.multi(), ["k"], ["t1"]), ["k"], ["t2"]);
      expect(await transaction.exec()).toEqual([
        [null, reply("t1")],
        [null, reply("t2")],
      ]);
      expect(await call(greet, redis, ["k"], ["d"])).toEqual(reply("d"));
    });
    expect(seen).toEqual([
      ["EVAL", source, "1", "k", "p"],
      ["MULTI"],
      ["EVAL", source, "1", "k", "t1"],
      ["EVALSHA", greet.sha1, "1", "k", "t2"],
      ["EXEC"],
      ["EVALSHA", greet.sha1, "1", "k", "d"],
    ]);
  });

  test("the client is handed the source string itself (it would copy a Buffer twice)", () => {
    const pipeline = redis.pipeline();
    const evalSpy = vi.spyOn(pipeline, "eval");
    queue(greet, pipeline, ["k"], ["a"]);
    expect(evalSpy.mock.calls[0]?.[0]).toBe(source);
  });
});

describe.each(NODE_REDIS)("$name", (nodeRedis) => {
  let client: NodeRedisConnection;
  holdOpen(async () => (client = await nodeRedis.client(server)));

  test("exec() and execAsPipeline() send the exact source; Redis caches it under the descriptor's SHA-1", async () => {
    const seen = await wire.capture(admin, async () => {
      const multi = () => queueOn(greet, queueOn(greet, client.multi(), ["k"], ["1"]), ["k"], ["2"]);
      expect(await multi().exec()).toEqual([reply("1"), reply("2")]);
      expect(await multi().execAsPipeline()).toEqual([reply("1"), reply("2")]);
      expect(await callOn(greet, client, ["k"], ["d"])).toEqual(reply("d"));
    });
    expect(seen).toEqual([
      ["MULTI"],
      ["EVAL", source, "1", "k", "1"],
      ["EVAL", source, "1", "k", "2"],
      ["EXEC"],
      ["EVAL", source, "1", "k", "1"],
      ["EVAL", source, "1", "k", "2"],
      ["EVALSHA", greet.sha1, "1", "k", "d"],
    ]);
  });

  test("every EVAL, in any multi and in a direct call's retry, is handed one Buffer encoded once", async () => {
    const handed: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      const multi = client.multi();
      const evalSpy = vi.spyOn(multi, "EVAL");
      queueOn(greet, queueOn(greet, multi, ["k"], ["a"]), ["k"], ["b"]);
      handed.push(...evalSpy.mock.calls.map((args) => args[0]));
    }
    // A direct call on a client goes as the raw command: the source is the second word of its EVAL.
    const sendSpy = vi.spyOn(client, "sendCommand");
    try {
      expect(await callOn(greet, client, ["k"], ["d"])).toEqual(reply("d")); // cold cache: EVALSHA, then EVAL
      const sent = sendSpy.mock.calls.map((args) => args[0] as unknown[]);
      expect(sent.map((command) => command[0])).toEqual(["EVALSHA", "EVAL"]);
      handed.push(sent[1]![1]);
    } finally {
      sendSpy.mockRestore();
    }
    expect(handed).toHaveLength(5);
    const [first] = handed;
    expect(first).toEqual(Buffer.from(source, "utf8"));
    for (const bytes of handed) expect(bytes).toBe(first);
    expect(names(await wire.capture(admin, () => callOn(greet, client, ["k"], ["w"])))).toEqual(["EVALSHA"]);
  });
});
