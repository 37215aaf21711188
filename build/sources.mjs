// The sources the compiled CLI (dist/) is built from, and the build stamp that
// says which state of them it was built from. Shared by build/js.mjs (which
// writes the stamp) and cli/bpftc.js (which reads it at every start: a scan of
// the source directories, a few milliseconds).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** the directories tsconfig.build.json compiles */
export const SOURCE_DIRS = ['api', 'model', 'mutants', 'generators', 'properties', 'scenario', 'oracle', 'cli', 'corpus', 'diff', 'repro', 'campaign', 'speccov', 'vm'];
export const DIST = 'dist';
export const STAMP = 'BUILD.json';

/** the newest modification time (ms) and the number of the non-test .ts sources (and the tsconfigs) */
export function sourceState(root) {
  let newest = 0;
  let count = 0;
  const see = (p) => {
    const m = statSync(p).mtimeMs;
    if (m > newest) newest = m;
    count++;
  };
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // a directory that is not there has no sources
    }
    for (const e of entries) {
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'bin') walk(join(dir, e.name));
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) see(join(dir, e.name));
    }
  };
  for (const d of SOURCE_DIRS) walk(join(root, d));
  for (const f of ['tsconfig.json', 'tsconfig.build.json'])
    try {
      see(join(root, f));
    } catch {
      /* not there: nothing to compare */
    }
  return { newest, count };
}

/** is dist/ built from the sources as they are now? */
export function distFresh(root) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(root, DIST, STAMP), 'utf8'));
  } catch {
    return false;
  }
  let now;
  try {
    now = sourceState(root);
  } catch {
    return false; // a source that cannot be looked at: the sources decide
  }
  return stamp !== null && typeof stamp === 'object' && stamp.newest === now.newest && stamp.count === now.count;
}
