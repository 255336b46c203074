// The Python target (issue 19): the generated function against redis-py's raw `evalsha`, direct
// and in a transaction of 100, and redis-py's own `register_script` against the generated function
// under the SCRIPT FLUSH flood. bench/python_bench.py measures, in the tests' .venv; this formats.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { pythonEnv, PYTHON3 } from "../test/support/python.js";
import type { RedisServer } from "../test/support/redis-server.js";
import { ROOT, TMP } from "./clients.js";
import { atLeast, fmtInt, fmtRatio, fmtRatioIqr, fmtSpread, median, type BenchResult } from "./table.js";

const execFileAsync = promisify(execFile);
const BIN = path.join(ROOT, "bin", "luagen.js");

export interface PythonConfig {
  rounds: number;
  calls: number;
  batches: number;
  floodTransactions: number;
}

interface Measured {
  redis_py: string;
  direct: Rounds;
  multi: Rounds;
  function: Rounds;
  flood: Record<
    "generated" | "register_script",
    { transactions: number; failed: number; partial: number; flushes: number }
  >;
}

type Rounds = Record<"generated" | "raw" | "control", number[]>;

export async function pythonBench(server: RedisServer, config: PythonConfig): Promise<BenchResult> {
  const title = "Python target (redis-py)";
  if (!PYTHON3)
    return {
      title,
      tables: [],
      targets: [{ name: "Python direct call ≥ 0.97× raw evalsha", met: undefined, detail: "no python3" }],
    };
  const python = await pythonEnv();
  const dir = path.join(TMP, "python");
  for (const [out, mode] of [
    ["gen", "scripts"],
    ["genf", "functions"],
  ])
    await execFileAsync(
      process.execPath,
      [BIN, "test/fixtures/python/lua", "--out", path.join(dir, out!), "--target", "python", "--mode", mode!, "-q"],
      { cwd: ROOT },
    );
  const { stdout } = await execFileAsync(python, [path.join(ROOT, "bench", "python_bench.py")], {
    cwd: dir,
    maxBuffer: 16 * 1024 * 1024,
    env: {
      ...process.env,
      PYTHONPATH: [dir, path.join(ROOT, "test", "python")].join(path.delimiter),
      LUAGEN_REDIS_PORT: String(server.port),
      LUAGEN_BENCH_ROUNDS: String(config.rounds),
      LUAGEN_BENCH_CALLS: String(config.calls),
      LUAGEN_BENCH_BATCHES: String(config.batches),
      LUAGEN_BENCH_FLOOD: String(config.floodTransactions),
    },
  });
  const measured = JSON.parse(stdout) as Measured;
  const paired = (rounds: Rounds, of: "generated" | "control") => rounds[of].map((value, i) => value / rounds.raw[i]!);
  const row = (label: string, rounds: Rounds) => [
    label,
    fmtSpread(rounds.generated),
    fmtSpread(rounds.raw),
    fmtRatioIqr(paired(rounds, "generated")),
    fmtRatio(median(paired(rounds, "control")), 3),
  ];
  const flood = (label: string, cell: Measured["flood"]["generated"]) => [
    label,
    fmtInt(cell.transactions),
    fmtInt(cell.failed),
    fmtInt(cell.partial),
    fmtInt(cell.flushes),
  ];
  const direct = median(paired(measured.direct, "generated"));
  const viaFunction = median(paired(measured.function, "generated"));
  return {
    title,
    tables: [
      {
        title: `Generated function vs raw evalsha (redis-py ${measured.redis_py}, calls/s)`,
        headers: ["calls", "generated", "raw evalsha", "generated / raw", "A/A control"],
        rows: [
          row(`direct, ${fmtInt(config.calls)} awaited one by one`, measured.direct),
          row(`transaction of 100 (${fmtInt(config.batches)} per round)`, measured.multi),
        ],
        notes: [
          `Median of ${config.rounds} interleaved rounds (spread min–max), the ratio the median of per-round ratios (IQR);`,
          "the A/A control is raw evalsha against itself in the same rounds: the noise floor. In a transaction the",
          "generated calls send EVAL once, EVALSHA after; the raw ones EVALSHA only (which a flush makes fail).",
        ],
      },
      {
        title: `--mode functions: generated direct call vs raw fcall (redis-py ${measured.redis_py}, calls/s)`,
        headers: ["calls", "generated", "raw fcall", "generated / raw", "A/A control"],
        rows: [row(`direct, ${fmtInt(config.calls)} awaited one by one`, measured.function)],
        notes: [
          "The same rounds as above, with the library loaded: the generated call sends FCALL of the script's",
          "function, as raw `r.fcall(name, 1, key, ...)` does; the control is raw fcall against itself.",
        ],
      },
      {
        title: "SCRIPT FLUSH flood, transactions of script, INCR, script (redis-py)",
        headers: ["caller", "transactions", "failed", "partial", "flushes meanwhile"],
        rows: [
          flood("generated function", measured.flood.generated),
          flood("redis-py register_script", measured.flood.register_script),
        ],
        notes: [
          "A second connection sends SCRIPT FLUSH in a tight loop. Partial: the INCR applied, a script's call failed.",
          "register_script checks SCRIPT EXISTS (and loads) before the transaction and sends EVALSHA in it.",
        ],
      },
    ],
    targets: [
      atLeast("Python direct call ≥ 0.97× raw evalsha", direct, 0.97, "redis-py"),
      atLeast("Python --mode functions direct call ≥ 0.97× raw fcall", viaFunction, 0.97, "redis-py"),
      {
        name: "Python flood: 0 failed, 0 partial",
        met: measured.flood.generated.failed === 0 && measured.flood.generated.partial === 0,
        detail: `${measured.flood.generated.failed} failed, ${measured.flood.generated.partial} partial of ${fmtInt(measured.flood.generated.transactions)}; register_script: ${measured.flood.register_script.partial} partial`,
      },
    ],
  };
}
