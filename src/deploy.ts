import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "./config.js";
import { LIBRARY_MODULE } from "./naming.js";
import type { Io } from "./report.js";
import { connect, ReplyError, type ClientCertificate, type Connection, type Reply } from "./resp.js";
import { PathError } from "./path-error.js";
import { isGeneratedLibrary, readGenerated } from "./write.js";

/** Where `luagen deploy` loads the library: a `redis[s]://[user:password@]host[:port]` URL. */
export interface Target {
  host: string;
  port: number;
  /** `rediss://`: every connection, to the first node and to each primary, over TLS. */
  tls: boolean;
  /** Over TLS, the certificate presented to a server that asks for one (see `clientCertificate`). */
  client?: ClientCertificate;
  username?: string;
  password?: string;
}

/** The URL as a target, or why not (a one-line usage error). */
export function parseTarget(url: string): Target | { error: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not echoed: a URL may hold a password, and this line goes to CI logs.
    return { error: "--url is not a URL (expected redis://[user:password@]host[:port], or rediss:// for TLS)" };
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:")
    return { error: `--url: only redis:// and rediss:// are supported (${parsed.protocol}// is not)` };
  // URL keeps IPv6 brackets in `hostname`; a socket wants the address without them.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1";
  const target: Target = { host, port: Number(parsed.port || 6379), tls: parsed.protocol === "rediss:" };
  if (parsed.username) target.username = decodeURIComponent(parsed.username);
  if (parsed.password) target.password = decodeURIComponent(parsed.password);
  return target;
}

/**
 * The client certificate for `rediss://`, from LUAGEN_TLS_CERT and LUAGEN_TLS_KEY (paths to PEM
 * files; environment variables, not flags, so that no key path lands in a shell history or a CI
 * log line): none when neither is set, a one-line error when one is missing or a file unreadable.
 */
async function clientCertificate(
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<ClientCertificate | undefined | { error: string }> {
  const certFile = env.LUAGEN_TLS_CERT;
  const keyFile = env.LUAGEN_TLS_KEY;
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) return { error: "LUAGEN_TLS_CERT and LUAGEN_TLS_KEY go together: set both, or neither" };
  const read = (variable: string, file: string) =>
    readFile(path.resolve(cwd, file)).catch((error: NodeJS.ErrnoException) => ({
      error: `${variable}: cannot read ${file} (${error.code ?? error.message})`,
    }));
  const [cert, key] = await Promise.all([read("LUAGEN_TLS_CERT", certFile), read("LUAGEN_TLS_KEY", keyFile)]);
  if (!Buffer.isBuffer(cert)) return cert;
  if (!Buffer.isBuffer(key)) return key;
  return { cert, key };
}

/** Why a deploy failed, in one line; where OpenSSL says a client certificate was missing, what to do. */
function failure(error: Error, target: Target): string {
  if (target.client !== undefined || !/alert certificate required/.test(error.message)) return error.message;
  return "the server asks for a client certificate: set LUAGEN_TLS_CERT and LUAGEN_TLS_KEY to its PEM files";
}

/** What deploy did on one primary. */
export interface NodeOutcome {
  node: string;
  outcome: "loaded" | "current";
}

/**
 * Loads `code` (a library luagen generated, so its name carries its content's hash) with FUNCTION
 * LOAD, never REPLACE, on the server at `target`, or on every primary when it is a cluster node
 * (CLUSTER NODES names them). "Library ... already exists" means that node holds this very code.
 * Rejects with the first error that is not that, naming the node.
 */
export async function deployLibrary(target: Target, code: string): Promise<NodeOutcome[]> {
  const first = await open(target, target.host, target.port);
  try {
    const primaries = await primariesOf(first, target);
    const outcomes: NodeOutcome[] = [];
    for (const node of primaries) {
      const connection = node === undefined ? first : await open(target, node.host, node.port);
      const name = node === undefined ? `${target.host}:${target.port}` : `${node.host}:${node.port}`;
      try {
        outcomes.push({ node: name, outcome: loaded(await connection.send("FUNCTION", "LOAD", code), name) });
      } finally {
        if (connection !== first) connection.close();
      }
    }
    return outcomes;
  } finally {
    first.close();
  }
}

async function open(target: Target, host: string, port: number): Promise<Connection> {
  const connection = await connect(host, port, undefined, target.tls, target.client);
  if (target.password !== undefined) {
    const auth = target.username ? ["AUTH", target.username, target.password] : ["AUTH", target.password];
    const reply = await connection.send(...auth);
    if (reply instanceof ReplyError) {
      connection.close();
      throw new Error(`${host}:${port}: ${reply.message}`);
    }
  }
  return connection;
}

/**
 * The primaries of the cluster `connection` belongs to, or `[undefined]` (the node itself) when
 * it is not a cluster node. A primary's address is as CLUSTER NODES gives it; one without an
 * address (a node the cluster has not met) is skipped.
 */
async function primariesOf(
  connection: Connection,
  target: Target,
): Promise<({ host: string; port: number } | undefined)[]> {
  const reply = await connection.send("CLUSTER", "NODES");
  if (reply instanceof ReplyError && /cluster support disabled/i.test(reply.message)) return [undefined];
  if (reply instanceof ReplyError) throw new Error(`${target.host}:${target.port}: ${reply.message}`);
  if (typeof reply !== "string") throw new Error(`${target.host}:${target.port}: CLUSTER NODES gave no list`);
  return reply
    .split("\n")
    .map((line) => line.split(" "))
    .filter((fields) => fields[2]?.split(",").includes("master") && !fields[2].split(",").includes("fail"))
    .map((fields) => {
      const address = fields[1]!.split("@")[0]!;
      const colon = address.lastIndexOf(":");
      return { host: address.slice(0, colon) || target.host, port: Number(address.slice(colon + 1)) };
    })
    .filter((node) => node.port > 0)
    .sort((a, b) => a.port - b.port || (a.host < b.host ? -1 : 1));
}

function loaded(reply: Reply, node: string): "loaded" | "current" {
  if (!(reply instanceof ReplyError)) return "loaded";
  if (/Library '[^']*' already exists/.test(reply.message)) return "current";
  throw new Error(`${node}: ${reply.message}`);
}

/**
 * `luagen deploy --url redis://host:port [--out <dir>]`: loads `<out>/_library.lua`, which a run
 * with `--mode functions` wrote (and each folder's, with a mode by folder), on the server or on
 * every primary of its cluster. Prints one line per library and primary; exit 0, or 2 with one
 * line naming what failed (no library, a refused connection, a server's error).
 */
export async function deploy(io: Io, args: readonly string[]): Promise<number> {
  const fail = (message: string) => {
    io.stderr(`luagen: ${message}`);
    return 2;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      strict: true,
      options: { url: { type: "string" }, out: { type: "string", short: "o" } },
    });
  } catch (error) {
    return fail(`deploy: ${(error as Error).message.split(". ")[0]}`);
  }
  const config = await loadConfig(io.cwd);
  if ("error" in config) return fail(config.error);
  const configured = config.config.out;
  // Both targets write the same library; a Python-only project has only the python folder.
  const out =
    parsed.values.out ?? (typeof configured === "string" ? configured : (configured?.typescript ?? configured?.python));
  if (out === undefined) return fail('deploy: missing --out <dir> (or "out" in luagen.config.json)');
  const url = parsed.values.url;
  if (url === undefined) return fail("deploy: missing --url redis://host:port");
  const target = parseTarget(url);
  if ("error" in target) return fail(`deploy: ${target.error}`);
  if (target.tls) {
    const client = await clientCertificate(process.env, io.cwd);
    if (client !== undefined && "error" in client) return fail(`deploy: ${client.error}`);
    if (client !== undefined) target.client = client;
  }
  let libraries: string[];
  try {
    libraries = librariesIn(path.resolve(io.cwd, out));
  } catch (error) {
    if (error instanceof PathError) return fail(`deploy: ${error.shown(io.cwd)}`);
    throw error;
  }
  if (libraries.length === 0)
    return fail(
      `deploy: no library in ${out} (${path.join(out, `${LIBRARY_MODULE}.lua`)}): run luagen with --mode functions first`,
    );
  for (const code of libraries) {
    const name = /^#!lua name=(\w+)/.exec(code)?.[1] ?? "?";
    let outcomes: NodeOutcome[];
    try {
      outcomes = await deployLibrary(target, code);
    } catch (error) {
      return fail(`deploy: ${failure(error as Error, target)}`);
    }
    for (const { node, outcome } of outcomes)
      io.stdout(`luagen: ${name} on ${node}: ${outcome === "loaded" ? "loaded" : "already there, nothing written"}`);
  }
  return 0;
}

/**
 * The code of every library luagen wrote below `out`: `_library.lua` at its root, and one in each
 * folder of a `mode` set by folder; in path order, read as a run reads its output folder
 * (`readGenerated`: no link followed, another run's output folder nested in it left out).
 */
function librariesIn(out: string): string[] {
  const libraries = readGenerated(out, LIBRARY_FILES);
  return [...libraries.values()].filter(isGeneratedLibrary);
}

/** A Functions library's file, in any folder below the output folder. */
const LIBRARY_FILES = new RegExp(`(?:^|/)${LIBRARY_MODULE}\\.lua$`);
