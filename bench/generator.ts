// The generator at scale: trees of 1,000 and 5,000 synthesized scripts, timed
// as whole processes (`node bin/luagen.js`, as a prebuild script runs it) for a
// cold run, a no-op rerun, a rerun after one script changed and `--check` (and the
// first three again with `--target python`);
// beside them the floor, an in-process pass that only reads, parses and hashes
// the same files. A CPU profile of the cold and no-op runs says where time goes.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  accessSync,
  existsSync,
  appendFileSync,
  constants,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  utimesSync,
} from "node:fs";
import path from "node:path";
import luaparse from "luaparse";
import { ROOT, TMP } from "./clients.js";
import { profileTable, summarizeProfile } from "./profile.js";
import { writeSynthTree } from "./synth.js";
import {
  atMost,
  below,
  fmtBytes,
  fmtInt,
  fmtMs,
  fmtRatio,
  fmtSpread,
  median,
  ratio,
  type BenchResult,
  type Table,
  type Target,
} from "./table.js";

export interface GeneratorConfig {
  /** Tree sizes, e.g. [1000, 5000]. */
  readonly sizes: readonly number[];
  /** Rounds (each: every size in turn, each size through cold, no-op, one change, --check), at most... */
  readonly rounds: number;
  /** ...and no new round starts past this many seconds (at least one round runs). */
  readonly budgetSeconds: number;
  /** Profile a cold and a no-op run of the first size with `node --cpu-prof`. */
  readonly profile: boolean;
}

const CLI = path.join(ROOT, "bin", "luagen.js");
const TIME = "/usr/bin/time";
const STEPS = [
  "cold run",
  "no-op rerun",
  "rerun after changing one script",
  "--check, up to date",
  "cold run, --target python",
  "no-op rerun, --target python",
  "rerun after changing one script, --target python",
] as const;
type StepName = (typeof STEPS)[number];

interface Run {
  readonly ms: number;
  /** Peak resident set size in bytes. */
  readonly maxRss: number;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const hasGnuTime = (() => {
  try {
    accessSync(TIME, constants.X_OK);
    return true;
  } catch {
    return false;
  }
})();

/** Reports the child's peak RSS when /usr/bin/time is missing: a preloaded module, no edit to luagen. */
const RSS_HOOK =
  "data:text/javascript,process.on('exit',()=>process.stderr.write('\\nmaxRSS(kB):'+process.resourceUsage().maxRSS+'\\n'))";

/** One whole `node` process, timed from spawn to exit, with its peak memory. */
function timedNode(args: readonly string[], cwd: string): Run {
  const command = hasGnuTime ? TIME : process.execPath;
  const fullArgs = hasGnuTime ? ["-v", process.execPath, ...args] : ["--import", RSS_HOOK, ...args];
  const start = performance.now();
  const child = spawnSync(command, fullArgs, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  const ms = performance.now() - start;
  const rss = hasGnuTime
    ? /Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr)
    : /maxRSS\(kB\):(\d+)/.exec(child.stderr);
  return {
    ms,
    maxRss: rss ? Number(rss[1]) * 1024 : Number.NaN,
    status: child.status,
    stdout: child.stdout,
    stderr: child.stderr,
  };
}

/** `node [nodeFlags] bin/luagen.js args`, which must exit with `expectStatus`. */
function luagen(args: readonly string[], cwd: string, expectStatus = 0, nodeFlags: readonly string[] = []): Run {
  const run = timedNode([...nodeFlags, CLI, ...args], cwd);
  if (run.status !== expectStatus) {
    const output = `${run.stdout}${run.stderr}`.split("\n").slice(0, 30).join("\n");
    throw new Error(`luagen ${args.join(" ")} exited ${run.status}, expected ${expectStatus}:\n${output}`);
  }
  return run;
}

/** What the CLI said it did: "(1002 written, 0 unchanged, 0 removed)" → "1002 written, 0 unchanged, 0 removed". */
function cliSummary(run: Run): string {
  const line = run.stdout.trim().split("\n").pop() ?? "";
  return /\(([^)]*)\)\s*$/.exec(line)?.[1] ?? line;
}

/** Every .lua file below `dir`, sorted. */
function luaFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((name) => name.endsWith(".lua"))
    .sort()
    .map((name) => path.join(dir, name));
}

const LUAPARSE_OPTIONS = { luaVersion: "5.1", comments: true, locations: true, scope: true } as const;

/** The floor: read, parse and hash every file, in this process; milliseconds. */
function floorPass(files: readonly string[]): number {
  const start = performance.now();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    luaparse.parse(text.startsWith("#!") ? `--${text.slice(2)}` : text, LUAPARSE_OPTIONS);
    createHash("sha1").update(text).digest("hex");
  }
  return performance.now() - start;
}

/** The floor as its own `node` process, for comparison with whole-process luagen runs. */
const FLOOR_SCRIPT = `
const fs = require("node:fs"), path = require("node:path"), crypto = require("node:crypto"), luaparse = require("luaparse");
const dir = process.argv[1];
for (const name of fs.readdirSync(dir, { recursive: true })) {
  if (!name.endsWith(".lua")) continue;
  const text = fs.readFileSync(path.join(dir, name), "utf8");
  luaparse.parse(text.startsWith("#!") ? "--" + text.slice(2) : text, ${JSON.stringify(LUAPARSE_OPTIONS)});
  crypto.createHash("sha1").update(text).digest("hex");
}`;

interface SizeResult {
  readonly size: number;
  readonly steps: Map<StepName, Run[]>;
  readonly floor: number[];
  /** The same floor as a whole process: Node start-up, cold JIT and all. */
  readonly floorProcess: number[];
  /** `node -e 0`, each round beside the steps: how fast this host is (see scaledTargets). */
  readonly nodeStart: number[];
}

/** One synthesized tree and everything measured on it. */
interface Tree extends SizeResult {
  readonly dir: string;
  readonly lua: string;
  readonly out: string;
  readonly files: string[];
}

export async function generatorBench(config: GeneratorConfig): Promise<BenchResult> {
  const hasCheck = spawnSync(process.execPath, [CLI, "--help"], { encoding: "utf8" }).stdout.includes("--check");
  // In bench/.tmp, a project's own kind of folder, not os.tmpdir(): on the machine in BENCHMARKS.md
  // creating 1,000 small files took 640–800 ms in /tmp against ~40 ms beside the project (same disk).
  mkdirSync(TMP, { recursive: true });
  const work = mkdtempSync(path.join(TMP, "gen-"));
  try {
    const reference = referenceRuns(work);
    const trees = config.sizes.map((size) => synthTree(size, path.join(work, `tree-${size}`)));
    const rounds = runRounds(trees, config, hasCheck);
    const tables = [generatorTable(trees, rounds, reference, hasCheck)];
    if (config.profile && trees.length > 0) tables.push(...profiles(trees[0]));
    return { title: "Generator at scale", tables, targets: generatorTargets(trees) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Node's own start-up, and luagen's start-up with its imports (`--version` loads the CLI module graph). */
function referenceRuns(cwd: string): { node: number; version: number; versionRss: number } {
  const node: number[] = [];
  const version: Run[] = [];
  for (let i = 0; i < 3; i++) {
    node.push(timedNode(["-e", "0"], cwd).ms);
    version.push(luagen(["--version"], cwd));
  }
  return {
    node: median(node),
    version: median(version.map((r) => r.ms)),
    versionRss: median(version.map((r) => r.maxRss)),
  };
}

/**
 * A project folder: the scripts under lua/, and an (empty) node_modules, as a real project has,
 * since luagen keeps its rerun cache under node_modules/.cache.
 */
function synthTree(size: number, dir: string): Tree {
  const lua = path.join(dir, "lua");
  writeSynthTree(lua, size);
  mkdirSync(path.join(dir, "node_modules"), { recursive: true });
  floorPass(luaFiles(lua)); // untimed: the in-process floor is measured with a warm JIT, every round alike
  return {
    size,
    dir,
    lua,
    out: path.join(dir, "out"),
    files: luaFiles(lua),
    steps: new Map(STEPS.map((s) => [s, []])),
    floor: [],
    floorProcess: [],
    nodeStart: [],
  };
}

/**
 * What a fresh checkout has: no output folder and no cache, and scripts last edited a while ago
 * (a run stamps for the next no-op only files not changed within seconds of its start).
 */
function makeCold({ dir, out, lua }: { dir: string; out: string; lua: string }): void {
  // Moved aside, removed with the work folder at the end: the root file system here is mounted with
  // `discard`, and deleting 1,000 files just before the run slowed its writes for seconds after.
  if (existsSync(out)) renameSync(out, `${out}-old-${++retired}`);
  rmSync(path.join(dir, "node_modules", ".cache"), { recursive: true, force: true });
  const past = new Date(Date.now() - 60_000);
  for (const entry of readdirSync(lua, { recursive: true, encoding: "utf8" }))
    utimesSync(path.join(lua, entry), past, past);
  utimesSync(lua, past, past);
}

let retired = 0;

/**
 * Rounds alternate the sizes (1,000 then 5,000, then 1,000 again ...) so that load from
 * other processes hits both sizes alike; returns how many rounds ran.
 */
function runRounds(trees: readonly Tree[], config: GeneratorConfig, hasCheck: boolean): number {
  const started = performance.now();
  let rounds = 0;
  while (rounds < config.rounds && (rounds === 0 || performance.now() - started < config.budgetSeconds * 1000)) {
    rounds++;
    for (const tree of trees) {
      const { lua, out, files } = tree;
      const step = (name: StepName, args: readonly string[]) => tree.steps.get(name)!.push(luagen(args, tree.dir));
      tree.floor.push(floorPass(files));
      tree.floorProcess.push(timedNode(["-e", FLOOR_SCRIPT, lua], ROOT).ms); // cwd ROOT: require() finds luaparse
      tree.nodeStart.push(timedNode(["-e", "0"], ROOT).ms);
      makeCold(tree);
      step("cold run", [lua, "--out", out]);
      step("no-op rerun", [lua, "--out", out]);
      appendFileSync(files[files.length >> 1], `-- edited in round ${rounds}\n`);
      step("rerun after changing one script", [lua, "--out", out]);
      if (hasCheck) step("--check, up to date", [lua, "--out", out, "--check"]);
      // The same three for the Python target, from cold: its own output folder and no cache.
      const python = [lua, "--out", `${out}-python`, "--target", "python"];
      makeCold({ ...tree, out: `${out}-python` });
      step("cold run, --target python", python);
      step("no-op rerun, --target python", python);
      appendFileSync(files[files.length >> 2], `-- edited in round ${rounds}\n`);
      step("rerun after changing one script, --target python", python);
      process.stderr.write(
        `  generator: round ${rounds}, ${fmtInt(tree.size)} scripts done (${fmtMs(performance.now() - started)} so far)\n`,
      );
    }
  }
  return rounds;
}

function generatorTable(
  results: readonly SizeResult[],
  rounds: number,
  reference: ReturnType<typeof referenceRuns>,
  hasCheck: boolean,
): Table {
  const rows: string[][] = [];
  const first = results[0];
  for (const result of results) {
    const floor = median(result.floor);
    for (const step of STEPS) {
      const runs = result.steps.get(step)!;
      if (runs.length === 0) {
        rows.push([
          fmtInt(result.size),
          step,
          step === "--check, up to date" && !hasCheck ? "n/a (no --check in the CLI)" : "n/a",
          "",
          "",
          "",
          "",
        ]);
        continue;
      }
      const ms = runs.map((r) => r.ms);
      const vsFirst =
        result === first ? "" : fmtRatio(ratio(median(ms), median(first.steps.get(step)!.map((r) => r.ms))));
      rows.push([
        fmtInt(result.size),
        step,
        fmtSpread(ms, fmtMs),
        fmtBytes(Math.max(...runs.map((r) => r.maxRss))),
        step === "cold run" ? `${fmtRatio(ratio(median(ms), floor))} the floor` : "",
        vsFirst,
        cliSummary(runs[runs.length - 1]),
      ]);
    }
    const vs = (values: number[], firsts: number[]) =>
      result === first ? "" : fmtRatio(ratio(median(values), median(firsts)));
    rows.push([
      fmtInt(result.size),
      "floor: read + luaparse + SHA-1, in-process",
      fmtSpread(result.floor, fmtMs),
      "",
      "",
      vs(result.floor, first.floor),
      "",
    ]);
    rows.push([
      fmtInt(result.size),
      "the same floor as a whole `node` process",
      fmtSpread(result.floorProcess, fmtMs),
      "",
      "",
      vs(result.floorProcess, first.floorProcess),
      "",
    ]);
  }
  rows.push(["–", "`node -e 0` (Node start-up)", fmtMs(reference.node), "", "", "", ""]);
  rows.push([
    "–",
    "`luagen --version` (start-up + CLI imports)",
    fmtMs(reference.version),
    fmtBytes(reference.versionRss),
    "",
    "",
    "",
  ]);
  return {
    title: "Generator: whole-process wall time (median of rounds, min–max in brackets) and peak memory",
    headers: [
      "scripts",
      "step",
      "wall time",
      "peak RSS",
      "cold ÷ floor",
      `vs ${fmtInt(first?.size ?? 0)}`,
      "CLI summary (last round)",
    ],
    rows,
    notes: [
      "Each step spawns `node bin/luagen.js <tree> --out <out>` (peak RSS from `/usr/bin/time -v`" +
        (hasGnuTime ? "" : ", here from process.resourceUsage(), /usr/bin/time being absent") +
        `). ${rounds} round(s); in each, every size in turn: the floor; cold run (no output folder, no \`node_modules/.cache\`, scripts last changed a minute before, as in a checkout); no-op rerun; append a comment to one script and rerun; \`--check\`; then cold, no-op and one change again with \`--target python\` into a folder of its own. Each tree sits in a project folder with a \`node_modules\`, as a real project has, so reruns may use luagen's cache there.`,
      "Synthesized trees: 5–200 lines per script, 0–4 keys (some rest keys), 0–4 arguments of every type (optional, literal unions, unions, rest), every return type, some `@name` and shebangs, up to 3 folders deep; all valid, no warnings.",
      "The floor runs inside the bench process (no Node start-up, warm JIT), as specified (after one untimed warm-up pass), and also as a whole `node -e` process (start-up, module loading, cold JIT), which is what a luagen run is compared with in fairness; `luagen --version` shows what start-up and luagen's imports alone cost.",
    ],
  };
}

function profiles({ size, dir, lua }: Tree): Table[] {
  const out = path.join(dir, "out-profile");
  const profDir = path.join(dir, "profiles");
  makeCold({ dir, out, lua });
  const tables: Table[] = [];
  for (const [label, name] of [
    ["cold run", "cold.cpuprofile"],
    ["no-op rerun", "noop.cpuprofile"],
  ] as const) {
    luagen([lua, "--out", out], dir, 0, ["--cpu-prof", `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=${name}`]);
    const summary = summarizeProfile(path.join(profDir, name), ROOT, 10);
    const title = `Profile: ${fmtInt(size)} scripts, ${label}`;
    tables.push(
      profileTable(`${title} — luagen's functions by inclusive time (self + callees)`, summary.stages, [
        `\`node --cpu-prof bin/luagen.js\`: ${fmtMs(summary.totalMs)} sampled. Time before the first luagen function runs is start-up and imports (compare \`luagen --version\` above).`,
      ]),
      profileTable(`${title} — self time by module`, summary.modules),
    );
    if (label === "cold run") tables.push(profileTable(`${title} — top functions by self time`, summary.functions));
  }
  return tables;
}

/** Issue 20's limits, as written: whole processes on 1,000 scripts, on the machine it was measured on. */
const RUN_LIMITS: ReadonlyArray<readonly [StepName, string, number]> = [
  ["cold run", "cold run", 1000],
  ["no-op rerun", "no-op rerun", 250],
  ["rerun after changing one script", "one-change rerun", 300],
  ["cold run, --target python", "--target python, cold run", 1000],
  ["no-op rerun, --target python", "--target python, no-op rerun", 250],
  ["rerun after changing one script, --target python", "--target python, one-change rerun", 300],
];

/** `node -e ''` on the machine issue 20's limits were set on ("starts in ~0.06 s"). */
const ISSUE_NODE_START_MS = 60;

/**
 * The same limits scaled to this host by its Node start-up, measured beside the steps in every
 * round, against the issue's machine: the machines differ about 2× in speed (Node start-up 60–119
 * ms, the whole-process floor 207–410 ms), and the same code met the limits on one and missed on
 * the other. A ratio measured in the run, as every other target here, says whether the code kept
 * its speed; the unscaled rows say what this host gives.
 */
function scaledTargets(limits: ReadonlyArray<readonly [string, number, number]>, nodeStart: number): Target[] {
  const factor = nodeStart / ISSUE_NODE_START_MS;
  const how = `Node start-up ${fmtMs(nodeStart)} vs ${ISSUE_NODE_START_MS} ms, ×${factor.toFixed(2)}`;
  return limits.map(([label, ms, limit]) =>
    below(`1,000 scripts: ${label} < ${fmtMs(limit)}, scaled to this host (${how})`, ms, limit * factor, fmtMs),
  );
}

function generatorTargets(results: readonly SizeResult[]): Target[] {
  const at = (size: number) => results.find((r) => r.size === size);
  const med = (r: SizeResult | undefined, step: StepName) =>
    r ? median(r.steps.get(step)!.map((x) => x.ms)) : Number.NaN;
  const one = at(1000);
  const five = at(5000);
  const cold1 = med(one, "cold run");
  const floor1 = one ? median(one.floor) : Number.NaN;
  const ratio5 = ratio(med(five, "cold run"), cold1);
  const coldVsFloor = ratio(cold1, floor1);
  const floorProcess1 = one ? median(one.floorProcess) : Number.NaN;
  const limits = RUN_LIMITS.map(([step, label, limit]) => [label, med(one, step), limit] as const);
  return [
    ...limits.map(([label, ms, limit]) => below(`1,000 scripts: ${label} < ${fmtMs(limit)}`, ms, limit, fmtMs)),
    ...scaledTargets(limits, one ? median(one.nodeStart) : Number.NaN),
    atMost(
      "1,000 scripts: cold run within 5× the read+parse+hash floor",
      coldVsFloor,
      5,
      fmtRatio,
      `(${fmtMs(cold1)} vs ${fmtMs(floor1)} in-process; vs the floor as a whole process, ${fmtMs(floorProcess1)}: ${fmtRatio(ratio(cold1, floorProcess1))})`,
    ),
    atMost(
      "5,000 scripts take at most 5.5× the time of 1,000 (cold run)",
      ratio5,
      5.5,
      fmtRatio,
      `(${fmtMs(med(five, "cold run"))} vs ${fmtMs(cold1)})`,
    ),
  ];
}
