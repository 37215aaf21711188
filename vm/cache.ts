// Where the VM layer keeps what it downloads and builds: $XDG_CACHE_HOME/bpftc
// (else ~/.cache/bpftc). Layout:
//   apt/      a private apt configuration (sources.list, state, cache): the
//             system's apt sources and state are never read or written
//   debs/     downloaded linux-source-* packages
//   trees/    extracted (and patched) source trees, one per (package version, patches)
//   kernels/  built images, one directory per key (bzImage + build.json)

import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.cache'), 'bpftc');
}

export const kernelsDir = (root = cacheRoot()): string => join(root, 'kernels');

/** the images `bpftc vm build` has cached, newest first */
export function cachedImages(root = cacheRoot()): string[] {
  const dir = kernelsDir(root);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((n) => join(dir, n, 'bzImage'))
    .filter((p) => existsSync(p))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs || a.localeCompare(b));
}
