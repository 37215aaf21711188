// The regression corpus: every *.json below corpus/ is a scenario. Loading
// validates each file; a malformed one is reported with its file name and the
// JSON path of the problem.
//
// The walk refuses what a merged or downloaded corpus directory may contain by
// mistake or by malice, each with one FileError naming the path: the root not a
// directory, a dangling symbolic link, a symlink loop (also a directory link
// back to one of its ancestors), an unreadable directory, a symbolic link that
// leads out of the corpus directory (a stranger's corpus must not make bpftc
// read, and quote in its error lines, files elsewhere: a JSON error quotes the
// start of the file). Symlinks within the corpus are followed.

import { type Dirent, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../scenario/types.ts';
import { FileError, fsProblem, loadScenarioFile } from '../scenario/io.ts';

export interface CorpusEntry {
  file: string;
  scenario: Scenario;
}

function dirId(p: string): string {
  const st = statSync(p);
  return `${st.dev}:${st.ino}`;
}

function walk(dir: string, root: string, ancestors: Set<string>, out: string[]): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    throw new FileError(`${dir}: cannot read the directory: ${fsProblem(e)}`);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const ent of entries) {
    const p = join(dir, ent.name);
    let isDir = ent.isDirectory();
    if (ent.isSymbolicLink()) {
      try {
        isDir = statSync(p).isDirectory();
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') throw new FileError(`${p}: a dangling symbolic link`);
        if (code === 'ELOOP') throw new FileError(`${p}: a symbolic link loop`);
        throw new FileError(`${p}: ${fsProblem(e)}`);
      }
      const to = realpathSync(p);
      if (to !== root && !to.startsWith(root.endsWith('/') ? root : `${root}/`))
        throw new FileError(`${p}: a symbolic link out of the corpus directory (to ${to})`);
    }
    if (isDir) {
      const id = dirId(p);
      if (ancestors.has(id)) throw new FileError(`${p}: a symbolic link loop (it leads back to a directory above it)`);
      ancestors.add(id);
      walk(p, root, ancestors, out);
      ancestors.delete(id);
    } else if (ent.name.endsWith('.json')) out.push(p);
  }
}

/** every *.json below `dir`, sorted within each directory; throws FileError (see above) */
export function corpusFiles(dir: string): string[] {
  let st;
  try {
    st = statSync(dir);
  } catch (e) {
    throw new FileError(`${dir}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such corpus directory' : fsProblem(e)}`);
  }
  if (!st.isDirectory()) throw new FileError(`${dir}: not a directory (a corpus is a directory of *.json scenarios)`);
  const out: string[] = [];
  let root: string;
  try {
    root = realpathSync(dir);
  } catch (e) {
    throw new FileError(`${dir}: ${fsProblem(e)}`);
  }
  walk(dir, root, new Set([`${st.dev}:${st.ino}`]), out);
  return out;
}

/** all corpus scenarios; throws ScenarioError naming the file and JSON path, FileError for the rest */
export function loadCorpus(dir: string): CorpusEntry[] {
  return corpusFiles(dir).map((file) => ({ file, scenario: loadScenarioFile(file) }));
}
