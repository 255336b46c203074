/** The programmatic API: the same pipeline the CLI runs. */
export { generate, buildScripts, type BuildOptions, type GenerateOptions, type GenerateResult } from "./generate.js";
export { originOf } from "./origins.js";
export { emit, type EmitOptions } from "./emit/emit.js";
export { formatDiagnostic, CODES } from "./diagnostics.js";
export type * from "./model.js";
