// Reads a V8 .cpuprofile (from `node --cpu-prof`) and says where the time went:
// self time per function and per module (a package under node_modules, a file
// of luagen's own, or node's internals).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fmtMs, type Table } from "./table.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Hotspot {
  readonly name: string;
  readonly ms: number;
  readonly share: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Self time per function. */
  readonly functions: Hotspot[];
  /** Self time per module. */
  readonly modules: Hotspot[];
  /** Inclusive time (self + callees) of luagen's own functions: its stages. */
  readonly stages: Hotspot[];
}

/** `node_modules/ts-morph/...` → "ts-morph", `/work/main/dist/emit/emit.js` → "luagen dist/emit/emit.js", `node:fs` → "node:fs". */
function moduleOf(url: string, root: string): string {
  if (url === "") return "(V8/native: GC, idle, builtins)";
  if (url.startsWith("node:")) return "node internals";
  const file = url.startsWith("file://") ? fileURLToPath(url) : url;
  const modules = file.lastIndexOf("node_modules/");
  if (modules >= 0) {
    const [scope, name] = file.slice(modules + "node_modules/".length).split("/");
    return scope.startsWith("@") ? `${scope}/${name}` : scope;
  }
  return `luagen ${path.relative(root, file)}`;
}

function top(map: Map<string, number>, totalMs: number, count: number): Hotspot[] {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => ({ name, ms, share: ms / totalMs }));
}

export function summarizeProfile(file: string, root: string, count = 10): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const own = `${path.join(root, "dist")}${path.sep}`;
  const label = (frame: ProfileNode["callFrame"]) =>
    `${frame.functionName || "(anonymous)"} — ${moduleOf(frame.url, root)}${frame.url ? `:${frame.lineNumber + 1}` : ""}`;

  const functions = new Map<string, number>();
  const modules = new Map<string, number>();
  const stages = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    totalMs += ms;
    add(functions, label(frame), ms);
    add(modules, moduleOf(frame.url, root), ms);
    // Inclusive: every luagen function on this sample's stack, once each (recursion counted once).
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)?.callFrame;
      if (f && f.url.startsWith("file://") && fileURLToPath(f.url).startsWith(own)) seen.add(label(f));
    }
    for (const key of seen) add(stages, key, ms);
  });
  return {
    totalMs,
    functions: top(functions, totalMs, count),
    modules: top(modules, totalMs, count),
    stages: top(stages, totalMs, count + 4),
  };
}

export function profileTable(title: string, spots: readonly Hotspot[], notes?: string[]): Table {
  return {
    title,
    headers: ["where", "time", "share"],
    rows: spots.map((spot) => [spot.name, fmtMs(spot.ms), `${(spot.share * 100).toFixed(1)}%`]),
    notes,
  };
}
