import { Redis } from "ioredis";
import { beforeAll, describe, expect, it } from "vitest";
import type { Library } from "../../src/emit/library.js";
import { holdOpen } from "../support/fixtures.js";
import { library, projectScripts, script } from "../support/library.js";
import { startRedisServer } from "../support/redis-server.js";

describe("the library on a real redis-server", () => {
  let redis: Redis;
  let made: Library;
  holdOpen(async () => {
    const server = await startRedisServer();
    return [server, (redis = new Redis({ host: server.host, port: server.port }))];
  });
  beforeAll(async () => {
    made = library(await projectScripts());
  });

  it("loads, and FUNCTION LIST shows every function with its flags", async () => {
    expect(await redis.call("FUNCTION", "LOAD", made.code)).toBe(made.name);
    const [entry] = (await redis.call("FUNCTION", "LIST", "LIBRARYNAME", made.name)) as unknown[][];
    const listed = (entry![5] as unknown[][]).map((f) => [f[1], f[5]]);
    expect(listed.sort()).toEqual(
      [
        [`${made.name}_bare`, []],
        [`${made.name}_moveJobs`, ["allow-cross-slot-keys"]],
        [`${made.name}_pingStatus`, []],
        [`${made.name}_addTags`, []],
      ].sort(),
    );
  });

  it("answers FCALL as the script answers EVAL, for the same keys and arguments", async () => {
    await redis.call("FUNCTION", "LOAD", "REPLACE", made.code);
    const scripts = await projectScripts();
    const calls: Record<string, [string[], string[]]> = {
      bare: [["{t}a", "{t}b"], ["v"]],
      pingStatus: [[], []],
      addTags: [["{t}s1", "{t}s2"], ["red"]],
      moveJobs: [
        ["{t}src", "{t}d1", "{t}d2"],
        ["2", "asc", "{}"],
      ],
    };
    const reset = () => redis.del("{t}a", "{t}b", "{t}s1", "{t}s2", "{t}src", "{t}d1", "{t}d2", "{t}src:meta");
    for (const s of scripts) {
      const [keys, args] = calls[s.name]!;
      await reset();
      await redis.rpush("{t}src", "j1", "j2", "j3");
      const viaEval = await redis.call("EVAL", s.source, keys.length, ...keys, ...args);
      await reset();
      await redis.rpush("{t}src", "j1", "j2", "j3");
      const viaFcall = await redis.call("FCALL", made.functions.get(s.name)!.name, keys.length, ...keys, ...args);
      expect([s.name, viaFcall]).toEqual([s.name, viaEval]);
    }
  });

  it("says where a script failed: the library line maps back to the script's own line", async () => {
    const failing = script("---@return integer\nlocal x = 1\nerror('boom')\n", "fails.lua");
    const shebang = script("#!lua flags=no-writes\n---@return integer\n\nerror('boom')\n", "flagged.lua");
    const own = library([failing, shebang], "lines");
    await redis.call("FUNCTION", "LOAD", "REPLACE", own.code);
    for (const [s, line] of [
      [failing, 3],
      [shebang, 4],
    ] as const) {
      const fn = own.functions.get(s.name)!;
      const error = await redis.call("FCALL", fn.name, 0).catch((e: Error) => e.message);
      const at = Number(/@user_function:(\d+)/.exec(String(error))?.[1]);
      expect(at - fn.line + 1).toBe(line);
    }
  });
});
