// `luagen deploy`: the library a --mode functions run wrote, loaded on a real redis-server by the
// built CLI (as a user runs it), and every way it can fail as one line with exit 2.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { Redis } from "ioredis";
import { beforeAll, describe, expect, it } from "vitest";
import { encode, parse, ReplyError } from "../../src/resp.js";
import { holdOpen } from "../support/fixtures.js";
import { freePort } from "../support/redis-process.js";
import { LIVE_SERVERS } from "../support/live-servers.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { runCli, tempProject, writeTree } from "../support/workspace.js";

const GET = "---@key k\n---@return string|nil\nreturn redis.call('GET', KEYS[1])\n";

/** A project whose scripts were generated with --mode functions into gen/. */
async function functionsProject(): Promise<{ dir: string; library: string }> {
  const dir = tempProject("deploy");
  writeTree(dir, { "lua/get.lua": GET });
  const run = await runCli(["lua", "--out", "gen", "--mode", "functions", "--library", "deployed"], dir);
  expect([run.code, run.stderr]).toEqual([0, ""]);
  const library = /name: "(deployed_[0-9a-f]{12})"/.exec(
    (await import("node:fs")).readFileSync(`${dir}/gen/_library.ts`, "utf8"),
  )?.[1];
  return { dir, library: library! };
}

describe.each(LIVE_SERVERS)("luagen deploy to a live $server", ({ start }) => {
  let server: RedisServer;
  let protectedServer: RedisServer;
  let redis: Redis;
  holdOpen(async () => (server = await start()));
  holdOpen(async () => {
    protectedServer = await start();
    // Set once it answers PING: the test helper's start-up check sends no password.
    const admin = new Redis({ host: protectedServer.host, port: protectedServer.port });
    await admin.config("SET", "requirepass", "s3cret");
    admin.disconnect();
    return protectedServer;
  });
  holdOpen(() => (redis = new Redis({ host: server.host, port: server.port })));
  let project: { dir: string; library: string };
  beforeAll(async () => {
    project = await functionsProject();
  });

  it("loads the library, then finds it there and writes nothing", async () => {
    await redis.call("FUNCTION", "FLUSH");
    const url = `redis://127.0.0.1:${server.port}`;
    const first = await runCli(["deploy", "--url", url, "--out", "gen"], project.dir);
    expect([first.code, first.stderr, first.stdout.trim()]).toEqual([
      0,
      "",
      `luagen: ${project.library} on 127.0.0.1:${server.port}: loaded`,
    ]);
    const second = await runCli(["deploy", "--url", url, "--out", "gen"], project.dir);
    expect(second.stdout.trim()).toBe(
      `luagen: ${project.library} on 127.0.0.1:${server.port}: already there, nothing written`,
    );
    const list = (await redis.call("FUNCTION", "LIST")) as unknown[][];
    expect(list.map((entry) => entry[1])).toEqual([project.library]);
  });

  it("loads every folder's library of a mode by folder, each once, and not another run's nested in it", async () => {
    const dir = tempProject("deploy-folders");
    writeTree(dir, {
      "lua/a/get.lua": GET,
      "lua/b/get2.lua": GET,
      "other/get3.lua": GET,
      "luagen.config.json": JSON.stringify({
        input: ["lua"],
        out: "gen",
        mode: { "lua/a": "functions", "lua/b": "functions" },
        library: "app",
      }),
    });
    expect((await runCli([], dir)).code).toBe(0);
    // Another run's output folder inside this one, with a library of its own: that run's to deploy.
    const nested = await runCli(["other", "--out", "gen/other", "--mode", "functions", "--library", "other"], dir);
    expect([nested.code, nested.stderr]).toEqual([0, ""]);
    const nameIn = (folder: string) =>
      /^#!lua name=(\w+)/.exec(readFileSync(`${dir}/gen/${folder}/_library.lua`, "utf8"))![1]!;
    const node = `127.0.0.1:${server.port}`;
    const url = `redis://${node}`;
    await redis.call("FUNCTION", "FLUSH");
    const first = await runCli(["deploy", "--url", url], dir);
    expect([first.code, first.stderr, first.stdout.trim().split("\n")]).toEqual([
      0,
      "",
      [`luagen: ${nameIn("a")} on ${node}: loaded`, `luagen: ${nameIn("b")} on ${node}: loaded`],
    ]);
    const second = await runCli(["deploy", "--url", url], dir);
    expect(second.stdout.trim().split("\n")).toEqual([
      `luagen: ${nameIn("a")} on ${node}: already there, nothing written`,
      `luagen: ${nameIn("b")} on ${node}: already there, nothing written`,
    ]);
    const list = (await redis.call("FUNCTION", "LIST")) as unknown[][];
    expect(list.map((entry) => entry[1]).sort()).toEqual([nameIn("a"), nameIn("b")]);
  });

  it("loads the library a Python-only run wrote, from the config's python folder", async () => {
    const dir = tempProject("deploy-python");
    writeTree(dir, {
      "lua/get.lua": GET,
      "luagen.config.json": JSON.stringify({
        input: ["lua"],
        targets: ["python"],
        out: { python: "worker" },
        mode: "functions",
        library: "py",
      }),
    });
    const generated = await runCli([], dir);
    expect([generated.code, generated.stderr]).toEqual([0, ""]);
    const library = /^#!lua name=(\w+)/.exec(readFileSync(`${dir}/worker/_library.lua`, "utf8"))![1]!;
    await redis.call("FUNCTION", "FLUSH");
    const node = `127.0.0.1:${server.port}`;
    const run = await runCli(["deploy", "--url", `redis://${node}`], dir);
    expect([run.code, run.stderr, run.stdout.trim()]).toEqual([0, "", `luagen: ${library} on ${node}: loaded`]);
  });

  it("authenticates with the URL's password", async () => {
    const url = `redis://:s3cret@127.0.0.1:${protectedServer.port}`;
    const run = await runCli(["deploy", "--url", url, "--out", "gen"], project.dir);
    expect([run.code, run.stdout.trim()]).toEqual([
      0,
      `luagen: ${project.library} on 127.0.0.1:${protectedServer.port}: loaded`,
    ]);
    const wrong = await runCli(["deploy", "--url", url.replace("s3cret", "nope"), "--out", "gen"], project.dir);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr.trim()).toMatch(/^luagen: deploy: 127\.0\.0\.1:\d+: WRONGPASS/);
  });

  it.each<[string, () => Promise<string[]>, RegExp]>([
    ["no --url", async () => ["deploy", "--out", "gen"], /^luagen: deploy: missing --url redis:\/\/host:port$/],
    [
      "a URL that is not one, without echoing it (it may hold a password)",
      async () => ["deploy", "--url", "redis//:s3cret@127.0.0.1", "--out", "gen"],
      /^luagen: deploy: --url is not a URL \(expected/,
    ],
    [
      "another scheme",
      async () => ["deploy", "--url", "http://:s3cret@127.0.0.1:1", "--out", "gen"],
      /^luagen: deploy: --url: only redis:\/\/ and rediss:\/\/ are supported \(http:\/\/ is not\)$/,
    ],
    [
      "no library in --out",
      async () => ["deploy", "--url", "redis://127.0.0.1:1", "--out", "lua"],
      /no library in lua .*--mode functions first/,
    ],
    [
      "nothing listening",
      async () => ["deploy", "--url", `redis://127.0.0.1:${await freePort()}`, "--out", "gen"],
      /^luagen: deploy: connect ECONNREFUSED 127\.0\.0\.1:\d+$/,
    ],
    ["an unknown flag", async () => ["deploy", "--nope"], /^luagen: deploy: Unknown option '--nope'/],
    [
      "a server that does not speak Redis, without a stack trace",
      async () => {
        const port = await freePort();
        const http = createServer((socket) => socket.on("data", () => socket.end("HTTP/1.1 400 Bad Request\r\n\r\n")));
        await new Promise<void>((resolve) => http.listen(port, "127.0.0.1", resolve));
        setTimeout(() => http.close(), 10_000).unref();
        return ["deploy", "--url", `redis://127.0.0.1:${port}`, "--out", "gen"];
      },
      /^luagen: deploy: 127\.0\.0\.1:\d+: not a Redis reply \(type byte "H"\)$/,
    ],
    [
      "a _library.lua holding another file luagen wrote (a module's header, not a library's)",
      async () => {
        writeTree(project.dir, { "other/_library.lua": "// Code generated by luagen 0.1.0. DO NOT EDIT.\nreturn 1\n" });
        return ["deploy", "--url", "redis://127.0.0.1:1", "--out", "other"];
      },
      /no library in other/,
    ],
    [
      "a FIFO where the library should be, without blocking on it",
      async () => {
        const fifo = path.join(project.dir, "fifo");
        rmSync(fifo, { recursive: true, force: true });
        mkdirSync(fifo);
        execFileSync("mkfifo", [path.join(fifo, "_library.lua")]);
        return ["deploy", "--url", "redis://127.0.0.1:1", "--out", "fifo"];
      },
      /no library in fifo/,
    ],
  ])("refuses %s: one line, exit 2", async (_, args, message) => {
    const run = await runCli(await args(), project.dir);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr.trim()).toMatch(message);
    expect(run.stderr).not.toContain("s3cret");
  });
});

describe("the RESP codec deploy speaks", () => {
  it("encodes a command as bulk strings, lengths in bytes", () => {
    expect(encode(["FUNCTION", "LOAD", "é"]).toString()).toBe("*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n$2\r\né\r\n");
  });

  it("parses each reply type, and waits for the rest of a reply cut anywhere", () => {
    const whole = Buffer.from("*4\r\n+OK\r\n:7\r\n$4\r\nhé!\r\n*-1\r\n-ERR no\r\n$-1\r\n");
    const first = parse(whole, 0)!;
    expect(first.reply).toEqual(["OK", 7, "hé!", null]);
    expect(parse(whole, first.end)).toEqual({ reply: new ReplyError("ERR no"), end: first.end + 9 });
    expect(parse(whole, first.end + 9)).toEqual({ reply: null, end: whole.length });
    for (let cut = 1; cut < first.end; cut++) expect(parse(whole.subarray(0, cut), 0)).toBeUndefined();
  });
});

/**
 * A CA and a certificate for 127.0.0.1 signed by it, made with the openssl CLI (.ci/run installs it
 * where it is missing), in `dir`: what a TLS redis-server and a client that trusts the CA need.
 */
function testCertificates(dir: string): Record<"ca" | "cert" | "key" | "clientCert" | "clientKey", string> {
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "2",
    "-subj",
    "/CN=luagen test CA",
  );
  // `name`.key and `name`.crt, signed by the CA, with `extensions` (an openssl extfile's text).
  const signed = (name: string, subject: string, extensions?: string) => {
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject);
    const ext = extensions === undefined ? [] : ["-extfile", `${name}.cnf`];
    if (extensions !== undefined) writeFileSync(file(`${name}.cnf`), extensions);
    const ca = ["-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial"];
    openssl("x509", "-req", "-in", `${name}.csr`, ...ca, "-out", `${name}.crt`, "-days", "2", ...ext);
  };
  signed("server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1\n");
  // A client certificate from the same CA, for a server that asks for one (tls-auth-clients yes).
  signed("client", "/CN=luagen");
  return {
    ca: file("ca.crt"),
    cert: file("server.crt"),
    key: file("server.key"),
    clientCert: file("client.crt"),
    clientKey: file("client.key"),
  };
}

type Certificates = ReturnType<typeof testCertificates>;

/** A redis-server over TLS on its own port for the tests of one `describe`, with fresh certificates. */
function tlsServer(authClients: "yes" | "no"): { certs: Certificates; port: number } {
  const server = {} as { certs: Certificates; port: number };
  holdOpen(async () => {
    server.certs = testCertificates(tempProject("tls-certs"));
    server.port = await freePort();
    const { cert, key, ca } = server.certs;
    const tls = ["--tls-port", String(server.port), "--tls-cert-file", cert, "--tls-key-file", key];
    return startRedisServer({ extraArgs: [...tls, "--tls-ca-cert-file", ca, "--tls-auth-clients", authClients] });
  });
  return server;
}

describe("luagen deploy over TLS (rediss://)", () => {
  const server = tlsServer("no");

  it("loads the library over TLS where Node trusts the server's CA (NODE_EXTRA_CA_CERTS), then finds it there", async () => {
    const { dir, library } = await functionsProject();
    const url = `rediss://127.0.0.1:${server.port}`;
    const env = { NODE_EXTRA_CA_CERTS: server.certs.ca };
    const first = await runCli(["deploy", "--url", url, "--out", "gen"], dir, env);
    expect([first.code, first.stderr]).toEqual([0, ""]);
    expect(first.stdout.trim()).toBe(`luagen: ${library} on 127.0.0.1:${server.port}: loaded`);
    const second = await runCli(["deploy", "--url", url, "--out", "gen"], dir, env);
    expect(second.stdout.trim()).toBe(`luagen: ${library} on 127.0.0.1:${server.port}: already there, nothing written`);
  });

  it("refuses a server whose certificate Node does not trust: one line, exit 2", async () => {
    const { dir } = await functionsProject();
    const run = await runCli(["deploy", "--url", `rediss://127.0.0.1:${server.port}`, "--out", "gen"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/^luagen: deploy: .*(self-signed|unable to (get|verify)).*certificate/i);
  });
});

describe("luagen deploy to a server that asks for a client certificate (tls-auth-clients yes)", () => {
  const server = tlsServer("yes");

  it("loads with LUAGEN_TLS_CERT and LUAGEN_TLS_KEY, and fails in one line without them", async () => {
    const { dir, library } = await functionsProject();
    const args = ["deploy", "--url", `rediss://127.0.0.1:${server.port}`, "--out", "gen"];
    const trusted = { NODE_EXTRA_CA_CERTS: server.certs.ca };
    const without = await runCli(args, dir, trusted);
    expect(without.code).toBe(2);
    expect(without.stderr.trim().split("\n")).toHaveLength(1);
    expect(without.stderr.trim()).toBe(
      "luagen: deploy: the server asks for a client certificate: set LUAGEN_TLS_CERT and LUAGEN_TLS_KEY to its PEM files",
    );
    const withCert = await runCli(args, dir, {
      ...trusted,
      LUAGEN_TLS_CERT: server.certs.clientCert,
      LUAGEN_TLS_KEY: server.certs.clientKey,
    });
    expect([withCert.code, withCert.stderr]).toEqual([0, ""]);
    expect(withCert.stdout.trim()).toBe(`luagen: ${library} on 127.0.0.1:${server.port}: loaded`);
  });

  it.each([
    ["the certificate without its key", { LUAGEN_TLS_CERT: "client.crt" }, /go together: set both, or neither$/],
    [
      "a key file that is not there",
      { LUAGEN_TLS_CERT: "client.crt", LUAGEN_TLS_KEY: "nope.key" },
      /LUAGEN_TLS_KEY: cannot read nope\.key \(ENOENT\)$/,
    ],
  ])("refuses %s: one line, exit 2, nothing sent", async (_, env, message) => {
    const { dir } = await functionsProject();
    writeFileSync(path.join(dir, "client.crt"), readFileSync(server.certs.clientCert));
    const run = await runCli(["deploy", "--url", "rediss://127.0.0.1:1", "--out", "gen"], dir, env);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr.trim()).toMatch(message);
  });
});
