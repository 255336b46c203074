// Typed batches (openBatch) on ioredis 5, ioredis 6 and iovalkey against a real server: replies
// come back in call order, a failing script names its script, .lua line and batch index, an
// aborted transaction is its own error, and the wire policy is the same as for queued calls
// (EVAL first then EVALSHA inside MULTI, always EVAL in a pipeline).
import { describe, expect, test } from "vitest";
import type { Redis } from "ioredis";
import {
  BatchError,
  defineScript,
  openBatch,
  TransactionAbortedError,
  type BatchControl,
  type BatchKind,
  type BatchScripts,
} from "../../templates/typescript/runtime.js";
import { IOREDIS } from "../support/ioredis.js";
import { NODE_REDIS, type NodeRedisConnection } from "../support/node-redis.js";
import { type RedisServer } from "../support/redis-server.js";
import { connect, descriptor, names } from "../support/script.js";
import { holdOpen, useWatchedServer, type Wire } from "../support/fixtures.js";

const incrBy = descriptor(
  "incrBy",
  'return redis.call("INCRBY", KEYS[1], ARGV[1])',
  ["counter"],
  [{ name: "by", kinds: ["integer"] }],
);
const failing = descriptor("failing", 'return redis.error_reply("my error")');

// main.lua lines 1-2, then lib/util.lua from its line 20 on as lines 3-5, as ---@include assembles.
const assembled = defineScript({
  ...descriptor(
    "assembled",
    ["local a = 1", "local b = 2", "local function f()", "  return missing.field", "end", "return f()"].join("\n"),
  ),
  keys: [],
  args: [],
  file: "src/lua/assembled.lua",
  origins: [
    { line: 3, file: "src/lua/lib/util.lua", fileLine: 20 },
    { line: 6, file: "src/lua/assembled.lua", fileLine: 3 },
  ],
});

const SCRIPTS: BatchScripts = { incrBy, failing, assembled };

/** What the generated index types a batch as, written out for these three scripts and a few commands. */
interface Chain extends BatchControl<unknown[]> {
  incrBy(counter: string, by: number): Chain;
  failing(): Chain;
  assembled(): Chain;
  get(key: string): Chain;
  set(key: string, value: string, ...options: (string | number)[]): Chain;
  incr(key: string): Chain;
  call(command: string, ...args: string[]): Chain;
}

const open = (redis: Redis, kind: BatchKind) => openBatch<Chain>(redis, kind, SCRIPTS);

let server: RedisServer;
let admin: Redis;
let wire: Wire;
useWatchedServer((fixture) => ({ server, admin, wire } = fixture));

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => expect.fail(`expected a rejection, got ${JSON.stringify(value)}`),
    (error: unknown) => error,
  );
}

describe.each(IOREDIS)("$name", ({ Redis: Client }) => {
  let redis: Redis;
  holdOpen(() => (redis = connect(server, Client)));

  describe.each(["transaction", "pipeline"] as const)("a typed %s", (kind) => {
    test("one call: its reply alone", async () => {
      expect(await open(redis, kind).incrBy("n", 4).exec()).toEqual([4]);
    });

    test("scripts and commands mixed: every reply in call order, and length counts calls, not MULTI", async () => {
      await admin.set("x", "before");
      const batch = open(redis, kind).get("x").incrBy("n", 2).set("y", "v", "EX", 60).incrBy("n", 3).incr("m");
      expect(batch.length).toBe(5);
      expect(await batch.exec()).toEqual(["before", 2, "OK", 5, 1]);
      expect(await admin.ttl("y")).toBeGreaterThan(0);
    });

    test("100 mixed calls: 100 replies in order", async () => {
      let batch = open(redis, kind);
      for (let i = 0; i < 50; i++) batch = batch.incrBy("n", 1).incr("m");
      const replies = await batch.exec();
      expect(replies).toHaveLength(100);
      expect(replies).toEqual(Array.from({ length: 100 }, (_, i) => Math.floor(i / 2) + 1));
    });

    test("a bad argument throws before anything is queued; the batch goes on as if it was never called", async () => {
      const batch = open(redis, kind).incr("m");
      expect(() => batch.incrBy("n", 1.5)).toThrow(/incrBy: argument "by" must be a safe integer, got 1.5/);
      expect(batch.length).toBe(1);
      expect(await batch.incrBy("n", 1).exec()).toEqual([1, 1]);
    });

    test("a runtime error inside an included file: BatchError naming the script, the included file's line and the index; the rest ran", async () => {
      const error = await rejection(open(redis, kind).incr("m").assembled().incrBy("n", 7).exec());
      expect(error).toBeInstanceOf(BatchError);
      const batchError = error as BatchError;
      expect(batchError.failed).toEqual([1]);
      expect(batchError.results[0]).toEqual([null, 1]);
      expect(batchError.results[2]).toEqual([null, 7]);
      const [elementError] = batchError.results[1]!;
      expect(elementError?.message).toMatch(
        /^ERR user_script:4: Script attempted to access nonexistent global variable 'missing'/,
      );
      expect(elementError?.message).toMatch(/ \(assembled at src\/lua\/lib\/util\.lua:21, batch index 1\)$/);
      expect(batchError.message).toMatch(/^1 of 3 elements of the .+ failed; the first, at index 1: ERR user_script:4/);
      expect(batchError.message).toContain(`(assembled at src/lua/lib/util.lua:21, batch index 1)`);
      expect(await admin.get("n")).toBe("7"); // not all-or-nothing: Redis ran the other commands
    });

    test("redis.error_reply (no line): the error names the script, its file and the index, after Redis's message", async () => {
      const error = (await rejection(open(redis, kind).failing().exec())) as BatchError;
      expect(error.results[0]![0]?.message).toBe("my error (failing in test/lua/failing.lua, batch index 0)");
    });

    test("a failing command (not a script) keeps the client's error as it is", async () => {
      await admin.set("s", "text");
      const outcome = await open(redis, kind).incr("s").incrBy("n", 1).execSettled();
      expect(outcome.aborted).toBe(false);
      if (outcome.aborted) return;
      const [[commandError], second] = outcome.results as [[Error], [null, number]];
      expect(commandError.message).toBe("ERR value is not an integer or out of range");
      expect(second).toEqual([null, 1]);
    });

    test("a batch is sent once: a second exec() rejects and sends nothing, a call after exec() throws", async () => {
      const batch = open(redis, kind).incrBy("n", 1).incr("m");
      expect(await batch.exec()).toEqual([1, 1]);
      await expect(batch.exec()).rejects.toThrow(/^luagen: this typed .+ was already sent, so "exec" cannot run in it/);
      await expect(batch.execSettled()).rejects.toThrow(TypeError);
      expect(() => batch.incrBy("n", 1)).toThrow(/already sent, so "incrBy" cannot run in it/);
      expect(() => batch.incr("m")).toThrow(/already sent, so "incr" cannot run in it/);
      expect(await admin.mget("n", "m")).toEqual(["1", "1"]); // applied once
    });

    test("execSettled: [error, value] per element, never a rejection for an element", async () => {
      const outcome = await open(redis, kind).incrBy("n", 1).failing().incrBy("n", 1).execSettled();
      expect(outcome.aborted).toBe(false);
      if (outcome.aborted) return;
      expect(outcome.results[0]).toEqual([null, 1]);
      expect(outcome.results[1]![0]).toBeInstanceOf(Error);
      expect(outcome.results[1]![1]).toBeUndefined();
      expect(outcome.results[2]).toEqual([null, 2]);
    });
  });

  describe("a transaction that does not run", () => {
    test("WATCH: a watched key changed before EXEC is TransactionAbortedError (watch), never an empty reply", async () => {
      await redis.watch("w");
      const batch = open(redis, "transaction").incrBy("n", 1).get("w");
      await admin.set("w", "changed");
      const error = await rejection(batch.exec());
      expect(error).toBeInstanceOf(TransactionAbortedError);
      expect((error as TransactionAbortedError).reason).toBe("watch");
      expect(await admin.get("n")).toBeNull();
    });

    test("WATCH, settled: { aborted: true } with the same error", async () => {
      await redis.watch("w");
      const batch = open(redis, "transaction").incrBy("n", 1);
      await admin.set("w", "changed");
      const outcome = await batch.execSettled();
      expect(outcome.aborted).toBe(true);
      if (!outcome.aborted) return;
      expect(outcome.error.reason).toBe("watch");
    });

    test("EXECABORT: a queued command Redis refused (wrong arity) aborts everything, with Redis's refusal", async () => {
      const error = await rejection(open(redis, "transaction").incrBy("n", 1).call("get").exec());
      expect(error).toBeInstanceOf(TransactionAbortedError);
      const aborted = error as TransactionAbortedError;
      expect(aborted.reason).toBe("execabort");
      expect(aborted.errors.map((e) => e.message)).toEqual(["ERR wrong number of arguments for 'get' command"]);
      expect(aborted.message).toContain("ERR wrong number of arguments for 'get' command");
      expect(await admin.get("n")).toBeNull();
    });
  });

  describe("the wire: the same policy as queued calls", () => {
    test("a transaction: EVAL the first time a script appears, EVALSHA after", async () => {
      const seen = await wire.capture(redis, async () => {
        await open(redis, "transaction").incrBy("n", 1).get("n").incrBy("n", 2).exec();
      });
      expect(names(seen)).toEqual(["MULTI", "EVAL", "GET", "EVALSHA", "EXEC"]);
    });

    test("a pipeline: always EVAL", async () => {
      const seen = await wire.capture(redis, async () => {
        await open(redis, "pipeline").incrBy("n", 1).get("n").incrBy("n", 2).exec();
      });
      expect(names(seen)).toEqual(["EVAL", "GET", "EVAL"]);
    });
  });

  test("exec, execAsPipeline, discard and multi are not passed on to the client's batch", () => {
    const batch = open(redis, "transaction") as unknown as Record<string, unknown>;
    for (const name of ["execBuffer", "discard", "multi", "pipeline"]) expect(batch[name]).toBeUndefined();
  });
});

/** The same chain on node-redis: its commands' own spelling (`set(k, v, { EX })`, `sendCommand`). */
interface NodeChain extends BatchControl<unknown[]> {
  incrBy(counter: string, by: number): NodeChain;
  failing(): NodeChain;
  assembled(): NodeChain;
  get(key: string): NodeChain;
  set(key: string, value: string, options?: { EX: number }): NodeChain;
  incr(key: string): NodeChain;
  sendCommand(args: string[]): NodeChain;
}

const NODE_KINDS = ["transaction", "pipeline"] as const;

describe.each(NODE_REDIS)("$name", (major) => {
  let client: NodeRedisConnection;
  holdOpen(async () => (client = await major.client(server)));
  const openOn = (kind: BatchKind) => openBatch<NodeChain>(client, kind, SCRIPTS);

  describe.each(NODE_KINDS)("a typed %s", (kind) => {
    test("scripts and commands mixed: every reply in call order, as node-redis gives them", async () => {
      await admin.set("x", "before");
      const batch = openOn(kind).get("x").incrBy("n", 2).set("y", "v", { EX: 60 }).incrBy("n", 3).incr("m");
      expect(batch.length).toBe(5);
      expect(await batch.exec()).toEqual(["before", 2, "OK", 5, 1]);
      expect(await admin.ttl("y")).toBeGreaterThan(0);
    });

    test("100 mixed calls: 100 replies in order", async () => {
      let batch = openOn(kind);
      for (let i = 0; i < 50; i++) batch = batch.incrBy("n", 1).incr("m");
      expect(await batch.exec()).toEqual(Array.from({ length: 100 }, (_, i) => Math.floor(i / 2) + 1));
    });

    test("a bad argument throws at the call and queues nothing", async () => {
      const batch = openOn(kind).incr("m");
      expect(() => batch.incrBy("n", 1.5)).toThrow(/incrBy: argument "by" must be a safe integer, got 1.5/);
      expect(batch.length).toBe(1);
      expect(await batch.incrBy("n", 1).exec()).toEqual([1, 1]);
    });

    test("a script failing inside an included file: BatchError with every outcome, the error naming the file's line and the index", async () => {
      const error = (await rejection(openOn(kind).incr("m").assembled().incrBy("n", 7).exec())) as BatchError;
      expect(error).toBeInstanceOf(BatchError);
      expect(error.failed).toEqual([1]);
      expect(error.results[0]).toEqual([null, 1]);
      expect(error.results[2]).toEqual([null, 7]);
      expect(error.results[1]![0]).toBeInstanceOf(major.ErrorReply);
      expect(error.results[1]![0]!.message).toMatch(/ \(assembled at src\/lua\/lib\/util\.lua:21, batch index 1\)$/);
      expect(await admin.get("n")).toBe("7");
    });

    test("a batch is sent once: a second exec() rejects and sends nothing (a pipeline would resend every call)", async () => {
      const batch = openOn(kind).incrBy("n", 1).incr("m");
      expect(await batch.exec()).toEqual([1, 1]);
      await expect(batch.exec()).rejects.toThrow(/already sent, so "exec" cannot run in it/);
      expect(() => batch.incr("m")).toThrow(/already sent, so "incr" cannot run in it/);
      expect(await admin.mget("n", "m")).toEqual(["1", "1"]);
    });

    test("execSettled: a failing command keeps node-redis's error; the others their replies", async () => {
      await admin.set("s", "text");
      const outcome = await openOn(kind).incr("s").incrBy("n", 1).failing().execSettled();
      expect(outcome.aborted).toBe(false);
      if (outcome.aborted) return;
      expect(outcome.results[0]![0]?.message).toBe("ERR value is not an integer or out of range");
      expect(outcome.results[1]).toEqual([null, 1]);
      expect(outcome.results[2]![0]?.message).toBe("my error (failing in test/lua/failing.lua, batch index 2)");
    });
  });

  test("WATCH: TransactionAbortedError (watch), nothing ran", async () => {
    const watching = await major.client(server);
    try {
      await watching.sendCommand(["WATCH", "w"]);
      const batch = openBatch<NodeChain>(watching, "transaction", SCRIPTS).incrBy("n", 1);
      await admin.set("w", "changed");
      const error = await rejection(batch.exec());
      expect(error).toBeInstanceOf(TransactionAbortedError);
      expect((error as TransactionAbortedError).reason).toBe("watch");
      expect(await admin.get("n")).toBeNull();
    } finally {
      watching.destroy();
    }
  });

  test("a command Redis refuses while queuing: TransactionAbortedError (execabort) with Redis's refusal, nothing ran", async () => {
    const error = await rejection(openOn("transaction").incrBy("n", 1).sendCommand(["GET"]).exec());
    expect(error).toBeInstanceOf(TransactionAbortedError);
    expect((error as TransactionAbortedError).reason).toBe("execabort");
    expect((error as TransactionAbortedError).errors.map((e) => e.message)).toEqual([
      "ERR wrong number of arguments for 'get' command",
    ]);
    expect(await admin.get("n")).toBeNull();
  });

  test("the wire: a typed transaction sends EVAL then EVALSHA inside MULTI; a typed pipeline always EVAL", async () => {
    const transaction = await wire.capture(admin, () =>
      openOn("transaction").incrBy("n", 1).get("n").incrBy("n", 2).exec(),
    );
    expect(names(transaction)).toEqual(["MULTI", "EVAL", "GET", "EVALSHA", "EXEC"]);
    const pipeline = await wire.capture(admin, () => openOn("pipeline").incrBy("n", 1).get("n").incrBy("n", 2).exec());
    expect(names(pipeline)).toEqual(["EVAL", "GET", "EVAL"]);
  });
});

test("a typed batch is opened on a client, never on a batch", () => {
  const redis = connect(server);
  try {
    expect(() => openBatch(redis.multi() as never, "transaction", SCRIPTS)).toThrow(
      /^luagen: a typed transaction is opened on a client/,
    );
  } finally {
    redis.disconnect();
  }
});
