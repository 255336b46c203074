import { readdirSync, realpathSync, statSync, type Dirent, type Stats } from "node:fs";
import path from "node:path";
import { onPath } from "./path-error.js";

export interface Walked {
  /**
   * `.lua` files, each real file once: `at` absolute as reached, `real` its real path (the walk
   * knows it, so no caller resolves it again: a realpath per file was ~5% of a cold run).
   */
  files: Array<{ at: string; real: string }>;
  /** Links not followed: their target (real path) was scanned already, through a loop or another name. */
  skipped: Array<{ link: string; target: string }>;
  /** Every folder listed (absolute, as reached): a file added to or removed from one changes its mtime. */
  folders: string[];
}

/**
 * Every `.lua` file below `root`, skipping hidden folders and node_modules, following symbolic links
 * but never into a folder or to a file twice. Real folders are walked first, links after, so a
 * file keeps its real path and `ln -s . lua/self` or `ln -s .. lua/a/loop` end instead of spinning.
 * An unreadable folder is a PathError; a link that cannot be followed but is named `*.lua` is kept,
 * so that reading it reports why (ELOOP, ENOENT) at the file.
 */
export function walkLua(root: string): Walked {
  const walked: Walked = { files: [], skipped: [], folders: [] };
  const seen = new Set<string>();
  const folders: Array<{ at: string; real: string }> = [];
  const links: string[] = [];
  const enter = (at: string, real: string) => {
    seen.add(real);
    folders.push({ at, real });
  };
  enter(
    root,
    onPath("read", root, () => realpathSync(root)),
  );
  while (folders.length > 0 || links.length > 0) {
    const folder = folders.shift();
    if (folder !== undefined) {
      walked.folders.push(folder.at);
      for (const entry of onPath("read", folder.at, () => readdirSync(folder.at, { withFileTypes: true }))) {
        if (!isWalked(entry)) continue;
        const at = path.join(folder.at, entry.name);
        const real = path.join(folder.real, entry.name);
        if (entry.isSymbolicLink()) links.push(at);
        else if (entry.isDirectory()) enter(at, real);
        else if (entry.isFile() && isLua(entry.name)) add(real, at);
      }
      continue;
    }
    const link = links.shift()!;
    const target = followed(link);
    if (target === undefined) {
      if (isLua(link)) walked.files.push({ at: link, real: link });
    } else if (seen.has(target.real)) {
      walked.skipped.push({ link, target: target.real });
    } else if (target.stats.isDirectory()) {
      enter(link, target.real);
    } else if (target.stats.isFile() && isLua(link)) {
      add(target.real, link);
    }
  }
  return walked;

  function add(real: string, at: string): void {
    seen.add(real);
    walked.files.push({ at, real });
  }
}

/** An entry the walk looks at: links, folders and `.lua` files, but no hidden name and no node_modules. */
export function isWalked(entry: Dirent): boolean {
  if (entry.name.startsWith(".") || entry.name === "node_modules") return false;
  return entry.isSymbolicLink() || entry.isDirectory() || (entry.isFile() && isLua(entry.name));
}

function followed(link: string): { real: string; stats: Stats } | undefined {
  try {
    return { real: realpathSync(link), stats: statSync(link) };
  } catch {
    return undefined;
  }
}

/** A `.lua` name, any case: the only files luagen reads. */
export function isLua(name: string): boolean {
  return name.toLowerCase().endsWith(".lua");
}
