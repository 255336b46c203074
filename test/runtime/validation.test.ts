// Keys and arguments: how each kind is encoded on the wire, and how a bad
// value is refused with a TypeError before anything reaches the server, be it
// one redis-server or any node of a Redis Cluster. With ioredis 5 and 6.
import { beforeEach, describe as group, expect, test } from "vitest";
import { holdOpen } from "../support/fixtures.js";
import type { Cluster, Redis } from "ioredis";
import {
  runScript,
  type ScriptBatch,
  type ScriptClient,
  type ScriptDescriptor,
} from "../../templates/typescript/runtime.js";
import { IOREDIS } from "../support/ioredis.js";
import { startRedisCluster, type RedisCluster } from "../support/redis-cluster.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { commandCalls, connect, descriptor } from "../support/script.js";

/** Returns what the script received: KEYS and ARGV. */
const ECHO = "return {KEYS, ARGV}";

const typed = descriptor(
  "typed",
  ECHO,
  ["counter"],
  [
    { name: "max", kinds: ["integer"] },
    { name: "ratio", kinds: ["number"] },
    { name: "enabled", kinds: ["boolean"] },
    { name: "payload", kinds: ["json"] },
    { name: "order", kinds: [], literals: ["asc", "desc"] },
    { name: "label", kinds: ["string"] },
  ],
);
const withRest = descriptor(
  "withRest",
  ECHO,
  ["source", "...destinations"],
  [
    { name: "ttl", kinds: ["integer"], optional: true },
    { name: "values", kinds: ["string", "integer"], rest: true },
  ],
);
const optionals = descriptor(
  "optionals",
  ECHO,
  [],
  [
    { name: "first", kinds: ["string"], optional: true },
    { name: "second", kinds: ["string"], optional: true },
  ],
);
const mixed = descriptor("mixed", ECHO, [], [{ name: "value", kinds: ["integer", "json"], literals: ["auto"] }]);
const incrCapped = descriptor("incrCapped", ECHO, ["counter"], [{ name: "max", kinds: ["integer"] }]);

let server: RedisServer;
let cluster: RedisCluster;
let admins: Redis[]; // the single server and every cluster node, for the checks

holdOpen(async () => {
  [server, cluster] = await Promise.all([startRedisServer(), startRedisCluster()]);
  admins = [connect(server), ...cluster.live().map(({ admin }) => admin)];
  return [server, cluster, admins[0]]; // the cluster's admins close with it
});

beforeEach(async () => {
  for (const admin of admins) await admin.config("RESETSTAT");
});

/** EVAL and EVALSHA calls since the last RESETSTAT, on the single server and on every cluster node. */
async function scriptsRun(): Promise<number> {
  let total = 0;
  for (const admin of admins) {
    const calls = await commandCalls(admin);
    total += (calls.eval ?? 0) + (calls.evalsha ?? 0);
  }
  return total;
}

group.each(IOREDIS)("$name", ({ Redis: Client, Cluster: ClusterClient }) => {
  let redis: Redis;
  let clusterClient: Cluster;

  holdOpen(() => [
    (redis = connect(server, Client)),
    (clusterClient = new ClusterClient([...cluster.startupNodes], { redisOptions: { maxRetriesPerRequest: 1 } })),
  ]);

  function run(script: ScriptDescriptor, keys: unknown[], args: unknown[], target: ScriptClient | ScriptBatch = redis) {
    return runScript(script, target, keys, args);
  }

  group("encoding", () => {
    test("each kind is sent as documented", async () => {
      const reply = await run(typed, ["c"], [42, 1.5, true, { a: [1, "x"] }, "desc", "hello"]);
      expect(reply).toEqual([["c"], ["42", "1.5", "1", '{"a":[1,"x"]}', "desc", "hello"]]);
      expect(await run(typed, ["c"], [-7, 3, false, null, "asc", ""])).toEqual([
        ["c"],
        ["-7", "3", "0", "null", "asc", ""],
      ]);
    });

    test("Buffers pass through as keys and as string arguments, byte for byte", async () => {
      const binary = Buffer.from([0xff, 0x00, 0x41]);
      const store = descriptor("store", 'return redis.call("SET", KEYS[1], ARGV[1])', ["key"], [{ name: "value" }]);
      expect(await run(store, [binary], [binary])).toBe("OK");
      expect(await redis.getBuffer(binary)).toEqual(binary);
    });

    test("ioredis's keyPrefix applies to the keys, directly and in batches, and only to them", async () => {
      const prefixed = new Client({ host: server.host, port: server.port, keyPrefix: "app:" });
      try {
        await redis.script("FLUSH"); // direct call goes EVALSHA, NOSCRIPT, EVAL: both get the prefix
        expect(await run(withRest, ["s", ["d"]], [1, ["v"]], prefixed)).toEqual([
          ["app:s", "app:d"],
          ["1", "v"],
        ]);
        expect(await run(withRest, ["s", ["d"]], [1, ["v"]], prefixed)).toEqual([
          ["app:s", "app:d"],
          ["1", "v"],
        ]);
        const batch = run(withRest, ["s", []], [2, []], prefixed.multi()) as ScriptBatch;
        expect(await batch.exec()).toEqual([[null, [["app:s"], ["2"]]]]);
      } finally {
        prefixed.disconnect();
      }
    });

    test("rest keys and rest arguments are flattened; numkeys counts the rest keys", async () => {
      expect(await run(withRest, ["s", ["d1", "d2"]], [60, ["a", 7]])).toEqual([
        ["s", "d1", "d2"],
        ["60", "a", "7"],
      ]);
      expect(await run(withRest, ["s", []], [60, []])).toEqual([["s"], ["60"]]);
    });

    test("trailing optional arguments are left out", async () => {
      expect(await run(optionals, [], ["a", "b"])).toEqual([[], ["a", "b"]]);
      expect(await run(optionals, [], ["a", undefined])).toEqual([[], ["a"]]);
      expect(await run(optionals, [], [undefined, undefined])).toEqual([[], []]);
      expect(await run(withRest, ["s", []], [undefined, []])).toEqual([["s"], []]);
    });

    test("with several kinds: literal first, then integer, then JSON", async () => {
      expect(await run(mixed, [], ["auto"])).toEqual([[], ["auto"]]);
      expect(await run(mixed, [], [12])).toEqual([[], ["12"]]);
      expect(await run(mixed, [], [1.5])).toEqual([[], ["1.5"]]); // not an integer: JSON
      expect(await run(mixed, [], ["manual"])).toEqual([[], ['"manual"']]); // not a literal: JSON
      expect(await run(mixed, [], [true])).toEqual([[], ["true"]]);
    });

    test("defineScript deep-freezes the descriptor", () => {
      expect(Object.isFrozen(typed)).toBe(true);
      expect(Object.isFrozen(typed.keys)).toBe(true);
      expect(Object.isFrozen(typed.args[0])).toBe(true);
      expect(Object.isFrozen(typed.args[0].kinds)).toBe(true);
      expect(Object.isFrozen(typed.args[4].literals)).toBe(true);
    });
  });

  group("refusals", () => {
    const valid = ["c", [42, 1.5, true, {}, "asc", "s"]] as const;
    const typedWith = (index: number, value: unknown): [unknown[], unknown[]] => {
      const args = [...valid[1]] as unknown[];
      args[index] = value;
      return [["c"], args];
    };

    const cases: [title: string, script: ScriptDescriptor, keys: unknown[], args: unknown[], message: string][] = [
      [
        "an integer that is not one",
        incrCapped,
        ["c"],
        [1.5],
        'incrCapped: argument "max" must be a safe integer, got 1.5',
      ],
      [
        "an unsafe integer",
        incrCapped,
        ["c"],
        [2 ** 53],
        'incrCapped: argument "max" must be a safe integer, got 9007199254740992',
      ],
      [
        "a numeric string for an integer",
        incrCapped,
        ["c"],
        ["5"],
        'incrCapped: argument "max" must be a safe integer, got "5"',
      ],
      [
        "NaN for a number",
        typed,
        ...typedWith(1, Number.NaN),
        'typed: argument "ratio" must be a finite number, got NaN',
      ],
      [
        "Infinity for a number",
        typed,
        ...typedWith(1, Infinity),
        'typed: argument "ratio" must be a finite number, got Infinity',
      ],
      [
        "a string for a boolean",
        typed,
        ...typedWith(2, "true"),
        'typed: argument "enabled" must be a boolean, got "true"',
      ],
      [
        "a BigInt for JSON",
        typed,
        ...typedWith(3, 10n),
        'typed: argument "payload" must be a JSON-serialisable value, got 10n',
      ],
      [
        "a function for JSON",
        typed,
        ...typedWith(3, () => 1),
        'typed: argument "payload" must be a JSON-serialisable value, got a function',
      ],
      [
        "a string outside the literals",
        typed,
        ...typedWith(4, "up"),
        'typed: argument "order" must be one of "asc", "desc", got "up"',
      ],
      ["a number for a string", typed, ...typedWith(5, 5), 'typed: argument "label" must be a string, got 5'],
      [
        "undefined for a required argument",
        typed,
        ...typedWith(5, undefined),
        'typed: argument "label" must be a string, got undefined',
      ],
      ["a number as a key", incrCapped, [3], [1], 'incrCapped: key "counter" must be a string or Buffer, got 3'],
      [
        "undefined as a key",
        incrCapped,
        [undefined],
        [1],
        'incrCapped: key "counter" must be a string or Buffer, got undefined',
      ],
      [
        "a rest key that is not an array",
        withRest,
        ["s", "d"],
        [1, []],
        'withRest: key "destinations" must be an array of keys, got "d"',
      ],
      [
        "a bad element in a rest key",
        withRest,
        ["s", ["d", null]],
        [1, []],
        'withRest: key "destinations[1]" must be a string or Buffer, got null',
      ],
      [
        "a rest argument that is not an array",
        withRest,
        ["s", []],
        [1, "a"],
        'withRest: argument "values" must be an array, got "a"',
      ],
      [
        "a bad element in a rest argument",
        withRest,
        ["s", []],
        [1, ["a", 2, 2.5]],
        'withRest: argument "values[2]" must be a string or a safe integer, got 2.5',
      ],
      [
        "an optional argument after an omitted one",
        optionals,
        [],
        [undefined, "b"],
        'optionals: argument "second" is given but optional argument "first" before it is undefined; arguments are sent by position, so only trailing ones can be left out',
      ],
      [
        "rest values after an omitted optional",
        withRest,
        ["s", []],
        [undefined, ["a"]],
        'withRest: argument "values" is given but optional argument "ttl" before it is undefined; arguments are sent by position, so only trailing ones can be left out',
      ],
      ["too many keys", incrCapped, ["c", "d"], [1], "incrCapped: expected 1 key entries, got 2"],
      ["too few arguments", incrCapped, ["c"], [], "incrCapped: expected 1 argument entries, got 0"],
    ];

    test.each(cases)(
      "%s: TypeError, nothing sent (direct, pipeline, transaction; one server and a cluster)",
      async (_title, script, keys, args, message) => {
        const pipelines = [redis.pipeline(), clusterClient.pipeline()];
        const transactions = [redis.multi(), clusterClient.multi()];
        // A direct call returns a promise: the error rejects it, so `fn(bad).catch(h)` sees it.
        for (const client of [redis, clusterClient]) {
          let reply: unknown;
          expect(() => (reply = run(script, keys, args, client))).not.toThrow();
          await expect(reply).rejects.toThrowError(new TypeError(message));
          await expect(run(script, keys, args, client)).rejects.toThrow(TypeError);
        }
        // A batch call returns the batch: the error is thrown, and nothing is queued.
        for (const target of [...pipelines, ...transactions]) {
          expect(() => run(script, keys, args, target)).toThrowError(new TypeError(message));
          expect(() => run(script, keys, args, target)).toThrow(TypeError);
        }
        for (const pipeline of pipelines) expect(pipeline.length).toBe(0);
        for (const transaction of transactions) expect(transaction.length).toBe(1); // its MULTI only
        await Promise.all([...pipelines, ...transactions].map((batch) => batch.exec()));
        expect(await scriptsRun()).toBe(0);
      },
    );

    // Neither a client nor a batch: nothing says whether a promise or a batch was expected,
    // so it is thrown at the call (the generated types refuse such a target anyway).
    test.each([
      ["null", null, "got null"],
      ["undefined", undefined, "got undefined"],
      ["{}", {}, "got an object"],
      ["a promise", Promise.resolve(), "got an object"],
      ["a string", "redis://localhost", 'got "redis://localhost"'],
    ])("a target that is %s: a TypeError that says what was expected, nothing sent", async (_title, target, got) => {
      expect(() => runScript(incrCapped, target as unknown as ScriptClient, ["c"], [1])).toThrowError(
        new TypeError(
          `incrCapped: expected an ioredis or iovalkey client, pipeline or transaction, a node-redis client, cluster or multi, or a Valkey GLIDE client or Batch, ${got}`,
        ),
      );
      expect(await scriptsRun()).toBe(0);
    });
  });
});
