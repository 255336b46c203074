import path from "node:path";

/**
 * A file-system failure at one path: what luagen was doing there and why it could not. The disk
 * stages (scan, write) raise it; generate turns it into a result and the CLI prints it as one line,
 * `luagen: cannot write gen/a.ts: EISDIR: illegal operation on a directory`, and exits 2.
 */
export class PathError extends Error {
  constructor(
    /** Absolute. */
    readonly path: string,
    /** `read`, `write`, `remove`, … */
    readonly action: string,
    /** The OS error without Node's repetition of the path, or luagen's own reason. */
    readonly reason: string,
  ) {
    super(`cannot ${action} ${path}: ${reason}`);
    this.name = "PathError";
  }

  /** The one-line message with the path relative to `cwd` when it lies below it, else absolute. */
  shown(cwd: string): string {
    const relative = path.relative(cwd, this.path);
    const shown = relative.startsWith("..") || path.isAbsolute(relative) ? this.path : toPosix(relative) || ".";
    return `cannot ${this.action} ${shown}: ${this.reason}`;
  }
}

/** A PathError from an error Node's fs raised; anything else is rethrown (a bug, not the disk). */
export function pathError(action: string, absolute: string, error: unknown): PathError {
  if (error instanceof PathError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== "string") throw error;
  // "EACCES: permission denied, open '/abs/gen/a.ts'": keep what precedes the syscall and path.
  const message = (error as Error).message;
  return new PathError(absolute, action, message.replace(/, [a-z]+ '.*$/s, ""));
}

/** Runs `task`; a file-system error becomes a PathError at `absolute`. */
export function onPath<T>(action: string, absolute: string, task: () => T): T {
  try {
    return task();
  } catch (error) {
    throw pathError(action, absolute, error);
  }
}

function toPosix(p: string): string {
  return p.split(path.sep).join("/");
}
