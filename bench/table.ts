// Shared helpers for every benchmark: statistics, number formatting, markdown
// tables, and the "target met or missed" verdicts that BENCHMARKS.md lists.

/** A table as both the console and BENCHMARKS.md print it. */
export interface Table {
  readonly title: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Lines printed under the table (what was measured, how to read it). */
  readonly notes?: readonly string[];
}

/** One of the issue's targets, judged from measured numbers. */
export interface Target {
  readonly name: string;
  /** `undefined` when it could not be measured (n/a). */
  readonly met: boolean | undefined;
  /** The numbers behind the verdict, e.g. "0.99× (45,100 vs 45,600 calls/s)". */
  readonly detail: string;
}

/** What each benchmark module hands back to bench/run.ts. */
export interface BenchResult {
  readonly title: string;
  readonly tables: readonly Table[];
  readonly targets: readonly Target[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The q-quantile (0..1), linear between order statistics. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export function min(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : Math.min(...values);
}

export function max(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : Math.max(...values);
}

/** `value / baseline`, NaN-safe. */
export function ratio(value: number, baseline: number): number {
  return baseline > 0 && Number.isFinite(value) ? value / baseline : Number.NaN;
}

// ---------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** 12,345 */
export function fmtInt(value: number): string {
  return Number.isFinite(value) ? integer.format(Math.round(value)) : "n/a";
}

/** 0.98× */
export function fmtRatio(value: number, digits = 2): string {
  return Number.isFinite(value) ? `${value.toFixed(digits)}×` : "n/a";
}

/** "0.98× (0.95–1.01)": the median ratio and the interquartile range of the per-round ratios. */
export function fmtRatioIqr(ratios: readonly number[]): string {
  if (ratios.length < 4) return fmtRatio(median(ratios));
  return `${fmtRatio(median(ratios))} (${quantile(ratios, 0.25).toFixed(2)}–${quantile(ratios, 0.75).toFixed(2)})`;
}

/** 850 ms, 2.41 s */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return "n/a";
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** 312 B, 4.1 KiB, 402 KiB, 1.2 MiB */
export function fmtBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return "n/a";
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** "12,100 (11,800–12,400)": the median and the spread across rounds. */
export function fmtSpread(values: readonly number[], format: (value: number) => string = fmtInt): string {
  if (values.length < 2) return format(median(values));
  return `${format(median(values))} (${format(min(values))}–${format(max(values))})`;
}

// ---------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------

/** Numbers, ratios, times and sizes read best right-aligned; text left-aligned. */
const NUMERIC = /^(?:[-+]?[\d.,]+ ?(?:×|%|ms|s|B|KiB|MiB|GiB)?|n\/a|–|)(?: \(.*\))?(?: the floor)?$/;

/** A GitHub-flavoured markdown table, padded so that it also reads as plain text. */
export function markdownTable(table: Table): string {
  const escape = (cell: string) => cell.replace(/\|/g, "\\|");
  const columns = table.headers.map((header, i) => {
    const cells = table.rows.map((row) => escape(row[i] ?? ""));
    return {
      width: Math.max(3, header.length, ...cells.map((cell) => cell.length)),
      right: cells.some((cell) => cell !== "") && cells.every((cell) => NUMERIC.test(cell)),
    };
  });
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => (columns[i].right ? escape(cell).padStart(columns[i].width) : escape(cell).padEnd(columns[i].width))).join(" | ")} |`;
  const rule = `|${columns.map((c) => (c.right ? ` ${"-".repeat(c.width - 1)}: ` : ` ${"-".repeat(c.width)} `)).join("|")}|`;
  const parts = [`### ${table.title}`, "", line(table.headers), rule, ...table.rows.map(line)];
  if (table.notes && table.notes.length > 0) parts.push("", ...table.notes);
  return parts.join("\n");
}

export function verdict(target: Target): string {
  return target.met === undefined ? "n/a" : target.met ? "met" : "**missed**";
}

export function targetsTable(targets: readonly Target[]): Table {
  return {
    title: "Targets",
    headers: ["target", "verdict", "measured"],
    rows: targets.map((target) => [target.name, verdict(target), target.detail]),
  };
}

/** "at least 0.97×": met when `value >= floor`, with the shortfall spelt out otherwise. */
export function atLeast(name: string, value: number, floor: number, context: string): Target {
  if (!Number.isFinite(value)) return { name, met: undefined, detail: `not measured (${context})` };
  const met = value >= floor;
  const shortfall = met ? "" : `; short by ${((floor - value) * 100).toFixed(1)} points`;
  return { name, met, detail: `${fmtRatio(value, 3)} ${context}${shortfall}` };
}

/** "under 3 s": met when `value < limit`, with the excess spelt out otherwise. */
export function below(name: string, value: number, limit: number, format: (v: number) => string, context = ""): Target {
  return limitTarget(name, value, limit, format, context, value < limit);
}

/** "at most 5.5×": met when `value <= limit`, with the excess spelt out otherwise. */
export function atMost(
  name: string,
  value: number,
  limit: number,
  format: (v: number) => string,
  context = "",
): Target {
  return limitTarget(name, value, limit, format, context, value <= limit);
}

function limitTarget(
  name: string,
  value: number,
  limit: number,
  format: (v: number) => string,
  context: string,
  met: boolean,
): Target {
  const suffix = context ? ` ${context}` : "";
  if (!Number.isFinite(value)) return { name, met: undefined, detail: `not measured${suffix}` };
  const over = met ? "" : `; over by ${format(value - limit)} (${fmtRatio(value / limit)} the limit)`;
  return { name, met, detail: `${format(value)}${suffix}${over}` };
}
