// The process side of the throwaway Redis servers the tests start: binaries on
// PATH, free loopback ports, one redis-server per temp dir with no persistence,
// readiness by raw PING, SIGTERM-then-SIGKILL, and a watchdog so that nothing
// outlives the test worker. Shared by redis-server.ts (one server) and
// redis-cluster.ts (six). Never touches the server on :6379.
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

export const HOST = "127.0.0.1";
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const PORT_ATTEMPTS = 5;

/** Every live child, so that the `exit` hook can kill what a test forgot to stop. */
const live = new Set<{ child: ChildProcess; dir: string }>();
let exitHookInstalled = false;
/** Each process's watchdog (see startWatchdog), told "stop" when the process is halted on purpose. */
const watchdogs = new WeakMap<RedisProcess, ChildProcess | undefined>();

/** A binary on PATH, or an error that says which package provides it. */
export function requireBinary(name: string, aptPackage: string, neededFor: string): string {
  const binary = findOnPath(name);
  if (binary === undefined) {
    throw new Error(
      `${name} not found on PATH: ${neededFor} need it (Debian/Ubuntu: apt-get install -y ${aptPackage})`,
    );
  }
  return binary;
}

export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Asks the kernel for a free loopback port by binding port 0, then releases it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error("could not get a free port"))));
    });
  });
}

/**
 * Runs `start` with fresh free ports until it does not fail with "Address already
 * in use" (a port found free may be taken before redis binds it), at most a few times.
 */
export async function withFreePorts<T>(count: number, start: (ports: number[]) => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const ports: number[] = [];
    while (ports.length < count) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    try {
      return await start(ports);
    } catch (error) {
      if (!String(error).includes("Address already in use")) throw error;
      lastError = error;
    }
  }
  throw lastError;
}

/** One running redis-server process. */
export interface RedisProcess {
  readonly port: number;
  readonly child: ChildProcess;
  /** Its temp dir: its working directory (`--dir`), removed when it stops. */
  readonly dir: string;
  readonly exited: Promise<void>;
  /** What it printed so far, for error messages. */
  output(): string;
}

export interface LaunchOptions {
  /**
   * Run as a Sentinel with this configuration text (`sentinel monitor ...`): it is written to
   * `sentinel.conf` in the process's temp dir, where Sentinel also rewrites it as it learns.
   */
  readonly sentinelConfig?: string;
  /** Another server binary than PATH's redis-server, e.g. a valkey-server (support/valkey.ts). */
  readonly binary?: string;
}

/**
 * Starts redis-server on `port` in a new temp dir, with no persistence, and
 * resolves once it answers PING. `extraArgs` come last, so they win.
 */
export async function launchRedis(
  port: number,
  extraArgs: readonly string[] = [],
  options: LaunchOptions = {},
): Promise<RedisProcess> {
  const binary = options.binary ?? requireBinary("redis-server", "redis-server", "the integration tests");
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), "luagen-redis-"));
  const sentinel =
    options.sentinelConfig === undefined ? [] : [sentinelConfigFile(dir, options.sentinelConfig), "--sentinel"];
  const args = [
    ...sentinel,
    "--port",
    String(port),
    "--bind",
    HOST,
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
    "--daemonize",
    "no",
    ...extraArgs,
  ];
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", (error) => {
      output += String(error);
      resolve();
    });
  });
  const entry = { child, dir };
  live.add(entry);
  const watchdog = startWatchdog(child, dir);
  void exited.then(() => live.delete(entry));
  const instance: RedisProcess = { port, child, dir, exited, output: () => output };
  watchdogs.set(instance, watchdog);
  try {
    await waitUntilReady(instance, options.sentinelConfig === undefined ? READY_LINE : SENTINEL_READY_LINE);
  } catch (error) {
    await haltRedis(instance);
    throw error;
  }
  return instance;
}

/** The config file must come first on a Sentinel's command line, and must be writable. */
function sentinelConfigFile(dir: string, text: string): string {
  const file = join(dir, "sentinel.conf");
  writeFileSync(file, text);
  return file;
}

const READY_LINE = "Ready to accept connections";
/** A Sentinel never prints READY_LINE; it prints its ID once it listens and has read its config. */
const SENTINEL_READY_LINE = "Sentinel ID is";

/**
 * Waits for this process's own `readyLine` and a +PONG, until it dies or the
 * timeout passes. The log line matters: a port found free can be taken by another test's server
 * before this one binds it, and then a PING alone would be answered by the wrong server while
 * this one exits with "Address already in use".
 */
async function waitUntilReady(instance: RedisProcess, readyLine: string): Promise<void> {
  let dead = false;
  void instance.exited.then(() => (dead = true));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (dead) {
      throw new Error(`redis-server on port ${instance.port} exited before answering PING:\n${instance.output()}`);
    }
    if (instance.output().includes(readyLine) && (await pingOnce(instance.port))) return;
    await sleep(50);
  }
  throw new Error(
    `redis-server on port ${instance.port} did not answer PING within ${READY_TIMEOUT_MS} ms:\n${instance.output()}`,
  );
}

function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    let reply = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });
}

/** SIGTERM, SIGKILL if it lingers; resolves once the process is gone and its dir removed. Safe to call twice. */
export async function haltRedis(instance: RedisProcess): Promise<void> {
  const { child } = instance;
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await instance.exited;
    clearTimeout(timer);
  }
  watchdogs.get(instance)?.stdin?.end("stop\n");
  rmSync(instance.dir, { recursive: true, force: true });
}

/**
 * vitest ends its fork workers with SIGTERM, then SIGKILL: no `exit` event, so
 * a forgotten server would outlive the run. A tiny `sh` reads a pipe from this
 * process; end of file without "stop" means this process is gone, whatever
 * killed it, and the shell kills redis-server and removes its dir.
 */
function startWatchdog(child: ChildProcess, dir: string): ChildProcess | undefined {
  if (child.pid === undefined) return undefined;
  const script = 'read -r line; [ "$line" = stop ] || kill -9 "$1" 2>/dev/null; rm -rf "$2"';
  const watchdog = spawn("sh", ["-c", script, "sh", String(child.pid), dir], {
    stdio: ["pipe", "ignore", "ignore"],
  });
  watchdog.on("error", () => undefined); // no sh: the exit hook still covers normal exits
  watchdog.stdin?.on("error", () => undefined);
  return watchdog;
}

/** Synchronous last resort: `exit` handlers cannot await, so SIGKILL and rmSync. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const { child, dir } of live) {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
