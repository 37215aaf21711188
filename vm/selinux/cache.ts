// Where compiled policies and class maps are cached: $XDG_CACHE_HOME/bpftc/selinux
// (else ~/.cache/bpftc/selinux), beside the VM layer's kernels and trees.

import { homedir } from 'node:os';
import { join } from 'node:path';

export function selinuxCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.cache'), 'bpftc', 'selinux');
}
