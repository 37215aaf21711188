// Helpers for the CLI's tests (not a test file itself).

import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/** one hash over every path, type and byte below `dir` (symlinks by their target text) */
export function corpusHash(dir: string): string {
  const h = createHash('sha256');
  const walk = (rel: string): void => {
    const names = readdirSync(join(dir, rel)).sort();
    for (const n of names) {
      const p = join(rel, n);
      const st = lstatSync(join(dir, p));
      if (st.isSymbolicLink()) h.update(`L ${p} -> ${readlinkSync(join(dir, p))}\n`);
      else if (st.isDirectory()) {
        h.update(`D ${p}\n`);
        walk(p);
      } else {
        h.update(`F ${p} ${st.size} ${st.mode.toString(8)}\n`);
        h.update(readFileSync(join(dir, p)));
      }
    }
  };
  walk('');
  return h.digest('hex');
}
