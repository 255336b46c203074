/** The programmatic API: the same pipeline the CLI runs. */
export { generate, type GenerateOptions, type GenerateResult, type RunFindings, type RunOutcome } from "./generate.js";
export { buildScripts, type BuildOptions, type Built } from "./build.js";
export { createRunContext, openRunContext, saveRunContext, type ContextOptions, type RunContext } from "./context.js";
export { originOf } from "./origins.js";
export { emit, type EmitOptions, type Emitted } from "./emit/typescript/emit.js";
export { formatDiagnostic, CODES } from "./diagnostics.js";
export type * from "./model.js";
