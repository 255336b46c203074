import { describe, expect, it } from "vitest";
import shipped from "../../src/lua/commands.json" with { type: "json" };
import { COMMAND_SINCE, holdsOn, SOURCES, whichServers } from "../../src/lua/server-facts.js";
import { RELEASES, SERVER_NAMES, atLeast, parseServer } from "../../src/lua/servers.js";

describe("server facts", () => {
  it("date every command the table holds that redis-server 7.0 lacks, and nothing else", () => {
    const newer = Object.entries(shipped.commands as Record<string, { source: string }>)
      .filter(([, entry]) => entry.source !== "redis-7.0.15")
      .map(([name]) => name)
      .sort();
    expect(Object.keys(COMMAND_SINCE).sort()).toEqual(newer);
  });

  it("name only releases luagen accepts, or never/unknown, and a known source", () => {
    for (const [name, since] of Object.entries(COMMAND_SINCE)) {
      for (const product of ["redis", "valkey"] as const) {
        const from = since[product];
        if (from === "never" || from === "unknown") continue;
        expect(RELEASES[product], `${name}: ${product} ${from}`).toContain(from);
      }
      expect(Object.keys(SOURCES)).toContain(since.source);
    }
  });

  it("compare releases as numbers", () => {
    expect(atLeast("7.10", "7.9")).toBe(true);
    expect(atLeast("7.2", "7.10")).toBe(false);
    expect(atLeast("8.0", "7.4")).toBe(true);
    expect(atLeast("7.4", "7.4")).toBe(true);
    expect(atLeast("7.2", "7.4")).toBe(false);
  });

  it("say which servers have a command, and whether a server setting does", () => {
    const hexpire = COMMAND_SINCE.HEXPIRE!;
    expect(whichServers(hexpire)).toBe("Redis 7.4 or later and Valkey 9.0 or later");
    expect(whichServers(COMMAND_SINCE.VADD!)).toBe("Redis 8.0 or later (no Valkey release)");
    expect(whichServers(COMMAND_SINCE["CLIENT|CAPA"]!)).toBe("Valkey 8.0 or later (no Redis release)");
    expect(holdsOn(hexpire, parseServer("redis-7.2")!)).toBe(false);
    expect(holdsOn(hexpire, parseServer("redis-8.0")!)).toBe(true);
    expect(holdsOn(COMMAND_SINCE.XDELEX!, parseServer("valkey-9.0")!)).toBeUndefined();
  });

  it("accept redis-<release> from 7.0 and valkey-<release> from 7.2, and nothing else", () => {
    expect(SERVER_NAMES[0]).toBe("redis-7.0");
    expect(SERVER_NAMES).toContain("valkey-7.2");
    expect(parseServer("valkey-8.1")).toEqual({ product: "valkey", version: "8.1" });
    for (const bad of ["redis-6.2", "valkey-7.0", "redis", "redis-7.2.4", "REDIS-7.2", "keydb-6.3"])
      expect(parseServer(bad), bad).toBeUndefined();
  });
});
