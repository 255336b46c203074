// What runScript sends through node-redis 5 and 6, in RESP2 and RESP3, on redis-server and on
// Valkey 8, as MONITOR on a second connection sees it: a direct call is EVALSHA then, after a
// flush, one EVAL; a multi always queues EVAL, whether it ends as exec() or execAsPipeline(),
// because which one is unknown while it is queued. v6's keyPrefix goes before the keys, never
// the arguments.
import { describe, expect, test } from "vitest";
import type { Redis } from "ioredis";
import { NODE_REDIS, callOn, queueOn, type NodeRedisConnection } from "../support/node-redis.js";
import { type RedisServer } from "../support/redis-server.js";
import { defineScript } from "../../templates/typescript/runtime.js";
import { commandCalls, descriptor, names } from "../support/script.js";
import { holdOpen, useWatchedServer, type Wire } from "../support/fixtures.js";
import { LIVE_SERVERS } from "../support/live-servers.js";

const incr = descriptor(
  "incrBy",
  'return redis.call("INCRBY", KEYS[1], ARGV[1])',
  ["counter"],
  [{ name: "by", kinds: ["integer"] }],
);
const echo = descriptor("echo", "return {KEYS, ARGV}", ["first", "...more"], [{ name: "values", rest: true }]);

describe.each(LIVE_SERVERS)("on a live $server", ({ start }) => {
  let server: RedisServer;
  let admin: Redis; // markers and checks, outside the client under test
  let wire: Wire;
  useWatchedServer((fixture) => ({ server, admin, wire } = fixture), start);

  describe.each(NODE_REDIS)("$name", (nodeRedis) => {
    let client: NodeRedisConnection;
    holdOpen(async () => (client = await nodeRedis.client(server)));

    test("direct, cold cache: EVALSHA, NOSCRIPT, then EVAL once; warm: EVALSHA only", async () => {
      const cold = await wire.capture(admin, async () => {
        expect(await callOn(incr, client, ["counter"], [5])).toBe(5);
      });
      expect(cold).toEqual([
        ["EVALSHA", incr.sha1, "1", "counter", "5"],
        ["EVAL", incr.source, "1", "counter", "5"],
      ]);
      const warm = await wire.capture(admin, async () => {
        expect(await callOn(incr, client, ["counter"], [2])).toBe(7);
      });
      expect(names(warm)).toEqual(["EVALSHA"]);
    });

    test("a multi ending in exec(): EVAL every time, never EVALSHA, also on a warm cache", async () => {
      await callOn(incr, client, ["counter"], [1]);
      const seen = await wire.capture(admin, async () => {
        const multi = queueOn(incr, queueOn(incr, client.multi(), ["counter"], [1]), ["counter"], [10]);
        expect(await multi.exec()).toEqual([2, 12]);
      });
      expect(seen).toEqual([
        ["MULTI"],
        ["EVAL", incr.source, "1", "counter", "1"],
        ["EVAL", incr.source, "1", "counter", "10"],
        ["EXEC"],
      ]);
    });

    test("a multi ending in execAsPipeline(): EVAL every time, no MULTI", async () => {
      const seen = await wire.capture(admin, async () => {
        const multi = queueOn(incr, queueOn(incr, client.multi(), ["counter"], [1]), ["counter"], [1]);
        expect(await multi.execAsPipeline()).toEqual([1, 2]);
      });
      expect(names(seen)).toEqual(["EVAL", "EVAL"]);
    });

    test("a call on a multi returns that multi, for chaining", () => {
      const multi = client.multi();
      expect(queueOn(incr, multi, ["counter"], [1])).toBe(multi);
    });

    test("keys and arguments are sent as given, rest parameters flattened", async () => {
      expect(await callOn(echo, client, ["a", ["b", "c"]], [["x", "y"]])).toEqual([
        ["a", "b", "c"],
        ["x", "y"],
      ]);
    });

    test("a bad argument rejects a direct call and throws for a multi; nothing is sent", async () => {
      const direct = callOn(incr, client, ["counter"], [1.5]);
      await expect(direct).rejects.toThrowError(new TypeError('incrBy: argument "by" must be a safe integer, got 1.5'));
      const multi = client.multi();
      expect(() => queueOn(incr, multi, [7], [1])).toThrowError(
        new TypeError('incrBy: key "counter" must be a string or Buffer, got 7'),
      );
      expect(await multi.execAsPipeline()).toEqual([]);
      const calls = await commandCalls(admin);
      expect((calls.eval ?? 0) + (calls.evalsha ?? 0)).toBe(0);
    });

    test("a direct call answers as the client it is made on maps replies (withTypeMapping), as the client's own commands do", async () => {
      await admin.set("mapped", "v");
      const get = descriptor("getKey", "return redis.call('GET', KEYS[1])", ["key"]);
      // BLOB_STRING (RESP's "$") as a Buffer, on a client made from the one under test.
      const mapped = (client as unknown as { withTypeMapping(mapping: object): NodeRedisConnection }).withTypeMapping({
        [36]: Buffer,
      });
      const own = await (mapped as unknown as { get(key: string): Promise<unknown> }).get("mapped");
      expect(Buffer.isBuffer(own)).toBe(true);
      const [direct, plain] = await Promise.all([
        callOn(get, mapped, ["mapped"], []),
        callOn(get, client, ["mapped"], []),
      ]);
      expect([Buffer.isBuffer(direct), String(direct), plain]).toEqual([true, "v", "v"]);
    });

    test("a script error names the .lua file and line; the error class is node-redis's own", async () => {
      const failing = descriptor("failing", "local x = 1\nreturn redis.call('NOPE')");
      const error = (await callOn(failing, client, [], []).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(nodeRedis.ErrorReply);
      expect(error.message).toMatch(/^ERR .*user_script:2\b.* \(test\/lua\/failing\.lua:2\)$/);
    });
  });

  // keyPrefix is new in node-redis 6.
  describe.each(NODE_REDIS.filter((nodeRedis) => nodeRedis.major === 6))("$name", (nodeRedis) => {
    test("keyPrefix (v6) goes before every key and never before an argument, directly and in a multi", async () => {
      const prefixed = await nodeRedis.client(server, { keyPrefix: "app:" });
      try {
        const seen = await wire.capture(admin, async () => {
          expect(await callOn(echo, prefixed, ["a", ["b"]], [["a"]])).toEqual([["app:a", "app:b"], ["a"]]);
          const multi = queueOn(echo, prefixed.multi(), ["a", []], [["a"]]);
          expect(await multi.exec()).toEqual([[["app:a"], ["a"]]]);
        });
        expect(seen).toEqual([
          ["EVALSHA", echo.sha1, "2", "app:a", "app:b", "a"],
          ["EVAL", echo.source, "2", "app:a", "app:b", "a"],
          ["MULTI"],
          ["EVAL", echo.source, "1", "app:a", "a"],
          ["EXEC"],
        ]);
      } finally {
        prefixed.destroy();
      }
    });
  });

  /** A no-writes script goes as EVALSHA_RO / EVAL_RO through node-redis too (its own EVAL_RO/EVALSHA_RO commands). */
  const readOnly = (() => {
    const plain = descriptor("readKey", '#!lua flags=no-writes\nreturn redis.call("GET", KEYS[1])', ["key"]);
    return defineScript({ ...plain, flags: ["no-writes"] });
  })();

  describe.each(NODE_REDIS)("$name, a no-writes script", (nodeRedis) => {
    test("direct: EVALSHA_RO, NOSCRIPT, EVAL_RO; a multi: EVAL_RO for exec() and execAsPipeline()", async () => {
      const client = await nodeRedis.client(server);
      try {
        await admin.set("key", "v");
        const seen = await wire.capture(admin, async () => {
          expect(await callOn(readOnly, client, ["key"], [])).toBe("v");
          expect(await queueOn(readOnly, queueOn(readOnly, client.multi(), ["key"], []), ["key"], []).exec()).toEqual([
            "v",
            "v",
          ]);
          expect(await queueOn(readOnly, client.multi(), ["key"], []).execAsPipeline()).toEqual(["v"]);
        });
        // (MONITOR shows the source's newline escaped, so the EVALs are compared by name.)
        expect(seen[0]).toEqual(["EVALSHA_RO", readOnly.sha1, "1", "key"]);
        expect(names(seen)).toEqual(["EVALSHA_RO", "EVAL_RO", "MULTI", "EVAL_RO", "EVAL_RO", "EXEC", "EVAL_RO"]);
      } finally {
        client.destroy();
      }
    });
  });
});
