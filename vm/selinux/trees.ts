// The extracted kernel source trees `bpftc vm build` keeps in its cache
// ($XDG_CACHE_HOME/bpftc/trees/<package>_<version>[-p<patches>]/linux-source-X.Y),
// for callers (and tests) that want a tree by kernel series.

import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { selinuxCacheDir } from './cache.ts';

export interface CachedTree {
  /** the cache entry's name, e.g. linux-source-7.3_7.3.4-1~bpo13+1 */
  name: string;
  /** the kernel tree */
  path: string;
  /** patched trees carry -p<hash> */
  patched: boolean;
}

export function cachedTrees(cacheRoot = dirname(selinuxCacheDir())): CachedTree[] {
  const dir = join(cacheRoot, 'trees');
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  const out: CachedTree[] = [];
  for (const name of names) {
    const m = /^(linux-source-\d+\.\d+)_/.exec(name);
    if (!m) continue;
    const path = join(dir, name, m[1]!);
    if (existsSync(join(path, 'security', 'selinux', 'include', 'classmap.h'))) out.push({ name, path, patched: /-p[0-9a-f]+$/.test(name) });
  }
  return out;
}

/** the first cached tree of a series ("7.3", "6.12"), patched or not as asked */
export function cachedTree(series: string, patched?: boolean, cacheRoot?: string): CachedTree | undefined {
  return cachedTrees(cacheRoot).find((t) => t.name.startsWith(`linux-source-${series}_`) && (patched === undefined || t.patched === patched));
}
