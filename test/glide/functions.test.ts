// Valkey GLIDE with --mode functions on a real redis-server and on Valkey 8: a direct call is
// FCALL (FCALL_RO for no-writes); where the library is missing, MULTI, FUNCTION LOAD, FCALL, EXEC
// in one GLIDE Batch; loadLibrary loads once, then finds it current; no direct call fails while
// FUNCTION FLUSH is sent back to back; batches carry the script's source as in script mode; no
// SCRIPT command is ever sent.
import path from "node:path";
import { Batch, GlideClient, Logger } from "@valkey/valkey-glide";
import { Redis } from "ioredis";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { generate } from "../../src/generate.js";
import { holdOpen, useWatchedServer, type Wire } from "../support/fixtures.js";
import { LIVE_SERVERS } from "../support/live-servers.js";
import type { RedisServer } from "../support/redis-server.js";
import { expectDirectCallsSurviveFunctionFlush } from "../support/library.js";
import { GLIDE_SCRIPTS, type GlideCall } from "../support/glide.js";
import { tempDir, writeTree } from "../support/workspace.js";

const FLOOD_CALLS = 2_000;

interface Generated {
  counter: GlideCall;
  peek: GlideCall;
  fails: GlideCall;
  loadLibrary(client: GlideClient): Promise<{ library: string; loaded: number; current: number }>;
  library: { name: string };
}

describe.each(LIVE_SERVERS)("on a live $server", ({ start }) => {
  let server: RedisServer;
  let admin: Redis;
  let wire: Wire;
  // One server for the file, reset before each test; after each, the check that no SCRIPT command was sent.
  useWatchedServer((fixture) => ({ server, admin, wire } = fixture), start);
  let glide: GlideClient;
  holdOpen(async () => {
    Logger.setLoggerConfig("off");
    glide = await GlideClient.createClient({ addresses: [{ host: server.host, port: server.port }] });
    return { close: async () => glide.close() };
  });
  let gen: Generated;

  beforeAll(async () => {
    const dir = tempDir("glide-functions");
    writeTree(dir, GLIDE_SCRIPTS);
    const result = await generate({
      inputs: ["lua"],
      out: "gen",
      cwd: dir,
      client: "glide",
      mode: "functions",
      library: "glide",
    });
    expect(result.kind).toBe("written");
    const load = (file: string) => import(path.join(dir, "gen", file)) as Promise<Record<string, unknown>>;
    gen = { ...(await load("index.ts")), ...(await load("_library.ts")) } as unknown as Generated;
  });

  beforeEach(() => admin.call("FUNCTION", "FLUSH"));

  const names = (seen: readonly (readonly string[])[]) => seen.map((args) => args[0]);

  describe("Valkey GLIDE, --mode functions", () => {
    it("direct: FCALL; the library missing, MULTI, FUNCTION LOAD, FCALL, EXEC once; then FCALL alone", async () => {
      const seen = await wire.capture(admin, async () => {
        expect(await gen.counter(glide, "c", 2)).toBe(2);
        expect(await gen.counter(glide, "c", 2)).toBe(4);
      });
      expect(names(seen)).toEqual(["FCALL", "MULTI", "FUNCTION", "FCALL", "EXEC", "FCALL"]);
      expect(seen[0]?.[1]).toBe(`${gen.library.name}_counter`);
    });

    it("a no-writes script goes as FCALL_RO", async () => {
      await gen.loadLibrary(glide);
      await admin.set("k", "v");
      const seen = await wire.capture(admin, async () => {
        expect(await gen.peek(glide, "k")).toBe("v");
      });
      expect(names(seen)).toEqual(["FCALL_RO"]);
    });

    it("loadLibrary loads the library once, then finds it current and writes nothing", async () => {
      expect(await gen.loadLibrary(glide)).toEqual({ library: gen.library.name, loaded: 1, current: 0 });
      expect(await gen.loadLibrary(glide)).toEqual({ library: gen.library.name, loaded: 0, current: 1 });
      const listed = (await admin.call("FUNCTION", "LIST")) as unknown[][];
      expect(listed.map((entry) => entry[1])).toEqual([gen.library.name]);
    });

    it("a script error names the script's own file and line, not the library's", async () => {
      const error = (await gen.fails(glide).catch((e: unknown) => e)) as Error;
      expect(error.message).toMatch(/ \(lua\/fails\.lua:3\)$/);
    });

    it("batches carry the source as in script mode: an atomic Batch MULTI, EVAL, EVALSHA, EXEC", async () => {
      const seen = await wire.capture(admin, async () => {
        const batch = new Batch(true);
        gen.counter(gen.counter(batch, "c", 1), "c", 1);
        expect(await glide.exec(batch, true)).toEqual([1, 2]);
      });
      expect(names(seen)).toEqual(["MULTI", "EVAL", "EVALSHA", "EXEC"]);
    });

    it("no direct call fails while another connection sends FUNCTION FLUSH back to back", async () => {
      await expectDirectCallsSurviveFunctionFlush(
        admin,
        admin,
        FLOOD_CALLS,
        () => gen.counter(glide, "flood", 1),
        () => gen.peek(glide, "flood"),
      );
    });
  });
});
