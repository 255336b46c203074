// Valkey for the tests that need a server newer than Debian's redis-server 7.0: Debian
// bookworm-backports' valkey-server (8.0 when written), which evicts scripts cached by EVAL as
// Redis 7.4 does. Taken from PATH when there, else fetched once from Debian's mirror into .valkey/
// and unpacked with dpkg-deb: no apt source to add, no root, nothing installed system-wide.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { findOnPath } from "./redis-process.js";
import { ROOT } from "./workspace.js";

const MIRROR = "http://deb.debian.org/debian";
const SUITE = "bookworm-backports";
/** valkey-server is a link to valkey-check-rdb, which valkey-tools carries. */
const PACKAGES = ["valkey-server", "valkey-tools"];
const HOME = path.join(ROOT, ".valkey");
const BINARY = path.join(HOME, "usr", "bin", "valkey-server");

/**
 * The path of a valkey-server binary: PATH's, else .valkey/'s, fetched on first use. Each
 * caller builds in a folder of its own and renames it into place, so test files that ask at once
 * never see half a tree (the rename of all but the first fails, and they use the first's).
 */
export async function valkeyServer(): Promise<string> {
  const onPath = findOnPath("valkey-server");
  if (onPath !== undefined) return onPath;
  if (existsSync(BINARY)) return BINARY;
  const building = mkdtempSync(`${HOME}-`);
  try {
    const index = await download(`${MIRROR}/dists/${SUITE}/main/binary-${debianArch()}/Packages.xz`);
    const packages = execFileSync("xz", ["-dc"], { input: index, maxBuffer: 256 * 1024 * 1024 }).toString();
    for (const name of PACKAGES) {
      const deb = path.join(building, `${name}.deb`);
      writeFileSync(deb, await download(`${MIRROR}/${packageFile(packages, name)}`));
      execFileSync("dpkg-deb", ["-x", deb, building]);
      rmSync(deb);
    }
    renameSync(building, HOME);
  } catch (error) {
    if (existsSync(BINARY)) return BINARY; // another test file fetched it at the same time
    throw new Error(
      `could not fetch valkey-server from ${MIRROR} (${SUITE}): ${(error as Error).message}; ` +
        "put a valkey-server 8 on PATH instead",
    );
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return BINARY;
}

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** The `Filename:` of package `name` in a Debian Packages index. */
function packageFile(index: string, name: string): string {
  const stanza = index.split("\n\n").find((entry) => entry.startsWith(`Package: ${name}\n`));
  const file = stanza?.match(/^Filename: (.+)$/m)?.[1];
  if (file === undefined) throw new Error(`no package ${name} in ${SUITE}`);
  return file;
}

function debianArch(): string {
  const arch = { x64: "amd64", arm64: "arm64" }[process.arch as string];
  if (arch === undefined) throw new Error(`no Debian architecture known for ${process.arch}`);
  return arch;
}
