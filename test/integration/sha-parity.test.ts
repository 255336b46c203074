import path from "node:path";
import { Redis } from "ioredis";
import { beforeAll, describe, expect, it } from "vitest";
import { holdOpen } from "../support/fixtures.js";
import { generate } from "../../src/generate.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { tempDir, writeTree } from "../support/workspace.js";

// Scripts written from strings so that no git setting can rewrite their line endings.
const SCRIPTS: Record<string, { text: string; embedded: string }> = {
  "crlf.lua": {
    text: "---@key k\r\n---@return string|nil\r\nreturn redis.call('GET', KEYS[1])\r\n",
    embedded: "---@key k\n---@return string|nil\nreturn redis.call('GET', KEYS[1])\n",
  },
  "bom.lua": { text: "\uFEFF---@return integer\nreturn 7\n", embedded: "---@return integer\nreturn 7\n" },
  "utf8.lua": {
    text: "---Grüße, 世界 🚀\n---@return string\nreturn 'héllo 世界 🚀'\n",
    embedded: "---Grüße, 世界 🚀\n---@return string\nreturn 'héllo 世界 🚀'\n",
  },
  "trailing.lua": {
    text: "---@return integer  \nreturn 1   \n\t\n",
    embedded: "---@return integer  \nreturn 1   \n\t\n",
  },
  "shebang.lua": {
    text: "#!lua flags=no-writes\n---@key k\n---@return string|nil\nreturn redis.call('GET', KEYS[1])\n",
    embedded: "#!lua flags=no-writes\n---@key k\n---@return string|nil\nreturn redis.call('GET', KEYS[1])\n",
  },
  "empty-ish.lua": { text: "-- nothing to see\n", embedded: "-- nothing to see\n" },
};

describe("the embedded source and its SHA-1", () => {
  let server: RedisServer;
  let redis: Redis;
  let descriptors: Record<string, { source: string; sha1: string; name: string }>;

  holdOpen(async () => {
    server = await startRedisServer();
    return [server, (redis = new Redis({ host: server.host, port: server.port }))];
  });
  beforeAll(async () => {
    const dir = tempDir("sha");
    writeTree(dir, Object.fromEntries(Object.entries(SCRIPTS).map(([name, s]) => [`lua/${name}`, s.text])));
    const result = await generate({ inputs: ["lua"], out: "gen", cwd: dir });
    expect(result.kind).toBe("written");
    descriptors = {};
    for (const name of Object.keys(SCRIPTS)) {
      const module = await import(path.join(dir, "gen", name.replace(/\.lua$/, ".ts")));
      descriptors[name] = Object.values(module).find(
        (v): v is { source: string; sha1: string; name: string } => typeof v === "object",
      )!;
    }
  });

  it.each(Object.keys(SCRIPTS))(
    "%s: source is the file with CRLF → LF and no BOM, sha1 equals SCRIPT LOAD's",
    async (name) => {
      const descriptor = descriptors[name];
      expect(descriptor.source).toBe(SCRIPTS[name].embedded);
      expect(descriptor.sha1).toBe(await redis.script("LOAD", descriptor.source));
    },
  );

  it("a script with a shebang runs as Redis 7 reads it", async () => {
    const { source } = descriptors["shebang.lua"];
    await redis.set("k", "v");
    expect(await redis.eval(source, 1, "k")).toBe("v");
    // Redis applied the flag: the same shebang on a writing script is refused.
    const writing = source.replace("redis.call('GET', KEYS[1])", "redis.call('SET', KEYS[1], 'w')");
    await expect(redis.eval(writing, 1, "k")).rejects.toThrow(/Write commands are not allowed from read-only scripts/);
  });
});
