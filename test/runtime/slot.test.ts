// The runtime computes Redis Cluster hash slots itself (it imports no client library, so a
// project with only one of them compiles). These must be the slots Redis computes, which is
// what decides CROSSSLOT: checked against CLUSTER KEYSLOT of a cluster-enabled redis-server,
// on keys with and without hash tags, Buffers and multi-byte characters. (cluster-key-slot,
// which the clients route with, differs from Redis on keys such as "x{}{b}".)
import { describe, expect, test } from "vitest";
import { holdOpen } from "../support/fixtures.js";
import type { Redis } from "ioredis";
import { keySlot } from "../../templates/typescript/runtime.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { connect } from "../support/script.js";

const EDGE_CASES = [
  "",
  "a",
  "foo",
  "{user42}:a",
  "{user42}:b",
  "{}",
  "{}a",
  "a{}",
  "{a",
  "a}",
  "}{a}",
  "{a}{b}",
  "x{}{b}",
  "{{a}}",
  "{ab",
  "k\u00e9y",
  "\u65e5\u672c",
  "emoji\u{1F600}",
  "{\u00e9}:x",
  "\u0000",
  "123456789",
];

/** A deterministic spread of keys: braces at every position, bytes of every kind. */
function manyKeys(count: number): string[] {
  const alphabet = ["a", "b", "{", "}", ":", "\u00e9", "\u65e5", "0", "\u{1F600}"];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  return Array.from({ length: count }, () =>
    Array.from({ length: next() % 12 }, () => alphabet[next() % alphabet.length]).join(""),
  );
}

let server: RedisServer;
let redis: Redis;

holdOpen(async () => {
  server = await startRedisServer({ extraArgs: ["--cluster-enabled", "yes"] });
  return [server, (redis = connect(server))];
});

/** What Redis says, for every key in one pipeline. */
async function serverSlots(keys: readonly (string | Buffer)[]): Promise<number[]> {
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.cluster("KEYSLOT", key);
  return ((await pipeline.exec()) ?? []).map(([error, slot]) => {
    if (error) throw error;
    return slot as number;
  });
}

describe("keySlot", () => {
  test("edge cases of hash tags, as strings and as Buffers, hash to Redis's slots", async () => {
    expect(EDGE_CASES.map((key) => keySlot(key))).toEqual(await serverSlots(EDGE_CASES));
    const buffers = EDGE_CASES.map((key) => Buffer.from(key));
    expect(buffers.map((key) => keySlot(key))).toEqual(await serverSlots(buffers));
  });

  test("10,000 generated keys hash to Redis's slots", async () => {
    const keys = manyKeys(10_000);
    expect(keys.map((key) => keySlot(key))).toEqual(await serverSlots(keys));
  });

  test("a keyPrefix is joined byte for byte before hashing, as clients send it", async () => {
    const [tenant, braced, bytes] = await serverSlots(["{tenant}:a", "{1{t}", Buffer.from("\u00e9{p}x")]);
    expect(keySlot("a", "{tenant}:")).toBe(tenant);
    expect(keySlot(Buffer.from("1{t}"), "{")).toBe(braced);
    expect(keySlot("x", Buffer.from("\u00e9{p}"))).toBe(bytes);
  });
});
