import path from "node:path";
import type { ModeSetting } from "./config.js";
import type { SourceFile } from "./model.js";

/** Whether any script of a run with this setting is called through a Functions library. */
export function usesFunctions(mode: ModeSetting | undefined): boolean {
  return mode === "functions" || (typeof mode === "object" && Object.values(mode).includes("functions"));
}

/** Where a script's function lives: the library of one output subfolder. */
export interface LibraryHome {
  /** The output subfolder holding `_library.ts` and `_library.lua`, relative, `/`; `""` for the output folder. */
  dir: string;
  /** The library's name before its version (`<base>_<version>`). */
  base: string;
}

/**
 * Which scripts are called through which Functions library, by script path (`SourceFile.path`); a
 * script not in the map is sent as a script (EVAL/EVALSHA). With `"functions"` for the whole run,
 * every script goes into one library at the output folder's root, named `base`. By folder, each
 * folder set to `functions` is one library of every script below it that no deeper folder of the
 * setting claims, in that folder's output subfolder (`<out>/billing/_library.ts` for
 * `src/lua/billing`), named `<base>_<subfolder>` (`shop_billing`), or `base` at the root. So a
 * change to one folder's scripts loads a new version of that folder's library only.
 *
 * `folder` resolves a setting's folder to a path as `SourceFile.path` has it (relative to the
 * project root). A folder no script lies below, two folders whose libraries would share an output
 * subfolder or a name, and a folder whose scripts land in several output subfolders (inputs that
 * nest it in different ways) are errors: each would silently call scripts other than the ones named.
 */
export function libraryHomes(
  files: readonly SourceFile[],
  mode: ModeSetting,
  base: string,
  folder: (setting: string) => string,
): Map<string, LibraryHome> | { error: string } {
  const homes = new Map<string, LibraryHome>();
  if (mode === "scripts") return homes;
  if (mode === "functions") {
    const home = { dir: "", base };
    for (const file of files) homes.set(file.path, home);
    return homes;
  }
  // Deepest first, so that a script is claimed by the innermost folder of the setting that holds it.
  const entries = Object.entries(mode)
    .map(([setting, wanted]) => ({ setting, at: folder(setting), wanted }))
    .sort((a, b) => b.at.length - a.at.length || (a.at < b.at ? -1 : 1));
  const twice = entries.findIndex((entry, i) => i > 0 && entries[i - 1]!.at === entry.at);
  if (twice > 0)
    return { error: `mode: "${entries[twice - 1]!.setting}" and "${entries[twice]!.setting}" name the same folder` };
  const claimed = new Map<string, { dir: string; file: SourceFile }[]>();
  for (const file of files) {
    const owner = entries.find((entry) => holds(entry.at, file.path));
    if (owner === undefined) continue;
    const mine = claimed.get(owner.setting) ?? [];
    mine.push({ dir: outputDir(owner.at, file), file });
    claimed.set(owner.setting, mine);
  }
  const byDir = new Map<string, string>();
  const byName = new Map<string, string>();
  for (const { setting, at, wanted } of entries) {
    if (!files.some((file) => holds(at, file.path))) return { error: `mode: no script lies below "${setting}"` };
    const mine = claimed.get(setting) ?? [];
    if (wanted !== "functions" || mine.length === 0) continue;
    const dir = mine[0]!.dir;
    const astray = mine.find((entry) => entry.dir !== dir);
    if (astray !== undefined)
      return {
        error: `mode: the scripts below "${setting}" land in more than one output folder ("${dir}" and "${astray.dir}"), so they have no one library folder`,
      };
    const home = { dir, base: dir === "" ? base : `${base}_${folderName(dir)}` };
    const clash = byDir.get(dir) ?? byName.get(home.base);
    if (clash !== undefined)
      return {
        error: `mode: "${clash}" and "${setting}" would both be the library ${home.base} in ${dir === "" ? "the output folder" : `${dir}/`}`,
      };
    byDir.set(dir, setting);
    byName.set(home.base, setting);
    for (const entry of mine) homes.set(entry.file.path, home);
  }
  return homes;
}

/**
 * A library folder as a part of a name (`queue/jobs` → `queue_jobs`): of the library's base name
 * here, and of the Python target's module for it. Two folders that give the same part are refused
 * above, by the base names they would share.
 */
export function folderName(dir: string): string {
  return dir.replace(/[^A-Za-z0-9_]/g, "_");
}

/**
 * The path of a folder of the setting as `SourceFile.path` has it: relative to `root`, `/`; `""`
 * for the root, and for a folder above it, which holds every script below the root as the root does.
 */
export function settingFolder(cwd: string, root: string): (setting: string) => string {
  return (setting) => {
    const folder = path.resolve(cwd, setting);
    if (isAbove(folder, root)) return "";
    return path.relative(root, folder).split(path.sep).join("/");
  };
}

function isAbove(folder: string, root: string): boolean {
  const up = path.relative(folder, root);
  return up !== "" && !up.startsWith("..") && !path.isAbsolute(up);
}

function holds(folder: string, file: string): boolean {
  return folder === "" || file.startsWith(`${folder}/`);
}

/**
 * The output subfolder that mirrors `folder` for `file` below it: its relative path minus the part
 * below `folder`; the output folder itself when `folder` is at or above the file's input root.
 */
function outputDir(folder: string, file: SourceFile): string {
  const below = folder === "" ? file.path : file.path.slice(folder.length + 1);
  if (!file.relativePath.endsWith(`/${below}`)) return "";
  return file.relativePath.slice(0, -below.length - 1);
}
