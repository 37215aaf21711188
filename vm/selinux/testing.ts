// Shared by the tests of vm/selinux: a small class map in the kernel's shape
// (for the pure tests) and the kernel trees and tools the others need.

import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CAP_LAST_CAP, capName } from '../../model/caps.ts';
import type { ClassMap } from './classmap.ts';
import { classMapUnavailable } from './classmap.ts';
import { checkpolicyUnavailable } from './compile.ts';
import { cachedTree } from './trees.ts';

const caps0 = Array.from({ length: 32 }, (_, i) => capName(i).toLowerCase());
const caps1 = Array.from({ length: CAP_LAST_CAP - 31 }, (_, i) => capName(32 + i).toLowerCase());

/** classmap.h's shape, cut down: the modelled classes and two others */
export const SMALL_MAP: ClassMap = {
  classes: [
    { name: 'process', perms: ['fork', 'transition', 'dyntransition', 'setcurrent'] },
    { name: 'file', perms: ['read', 'write', 'open', 'getattr'] },
    { name: 'capability', perms: caps0 },
    { name: 'fd', perms: ['use'] },
    { name: 'capability2', perms: caps1 },
    { name: 'cap_userns', perms: caps0 },
    { name: 'cap2_userns', perms: caps1 },
    { name: 'bpf', perms: ['map_create', 'map_read', 'map_write', 'prog_load', 'prog_run', 'map_create_as', 'prog_load_as'] },
  ],
  initialSids: [null, 'kernel', 'security', 'unlabeled', null, 'file'],
  polcaps: ['network_peer_controls', 'open_perms', 'bpf_token_perms'],
  hash: 'small',
};

export const TREE_73 = cachedTree('7.3');
export const TREE_612_PATCHED = cachedTree('6.12', true);

/** why policies cannot be compiled for the 7.3.4 tree here, or null */
export function compileUnavailable(): string | null {
  if (!TREE_73) return 'no linux-source-7.3 tree in the cache (bpftc vm build --source linux-source-7.3)';
  return checkpolicyUnavailable() ?? classMapUnavailable(TREE_73.path);
}

// every scratch cache of a test file, removed when the file's tests end
const made: string[] = [];
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

export function tempCache(): string {
  const d = mkdtempSync(join(tmpdir(), 'bpftc-selinux-'));
  made.push(d);
  return d;
}
