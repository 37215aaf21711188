// The class map of the kernel being booted: its security classes and their
// permissions (security/selinux/include/classmap.h), its initial SIDs
// (initial_sid_to_string.h) and its policy capabilities in bit order
// (policycap_names.h, indexed by the enum of policycap.h). A policy is only
// loadable on a kernel if it declares exactly these classes and SIDs in this
// order, so they are read from the tree itself, never written down here.
//
// The tables are read the way the kernel's own scripts/selinux/mdp reads them:
// a tiny C program that includes the three headers is compiled with the host's
// cc and prints them (mdp itself also needs a configured tree for
// <linux/kconfig.h>; the dumper needs only the headers). The result is cached
// by the hash of the headers.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { selinuxCacheDir } from './cache.ts';

export interface ClassMap {
  /** in classmap.h order (class value = index + 1) */
  classes: { name: string; perms: string[] }[];
  /** initial SID names by SID (index 0 unused); null where the kernel has a hole */
  initialSids: (string | null)[];
  /** policy capability names by bit */
  polcaps: string[];
  /** hash of the headers the map was read from */
  hash: string;
}

export const HEADERS = ['classmap.h', 'initial_sid_to_string.h', 'policycap_names.h', 'policycap.h'] as const;

const DUMPER = `/* vm/selinux/classmap.ts: prints the tables scripts/selinux/mdp prints */
#include <stdio.h>
struct security_class_mapping {
	const char *name;
	const char *perms[sizeof(unsigned) * 8 + 1];
};
#include "classmap.h"
#include "initial_sid_to_string.h"
#include "policycap_names.h"
int main(void)
{
	unsigned i, j;
	for (i = 0; secclass_map[i].name; i++) {
		printf("class %s", secclass_map[i].name);
		for (j = 0; secclass_map[i].perms[j]; j++)
			printf(" %s", secclass_map[i].perms[j]);
		printf("\\n");
	}
	for (i = 1; i < sizeof(initial_sid_to_string) / sizeof(initial_sid_to_string[0]); i++)
		printf("sid %s\\n", initial_sid_to_string[i] ? initial_sid_to_string[i] : "-");
	for (i = 0; i < sizeof(selinux_policycap_names) / sizeof(selinux_policycap_names[0]); i++)
		printf("polcap %s\\n", selinux_policycap_names[i]);
	return 0;
}
`;

export class ClassMapError extends Error {}

export function includeDir(kernelTree: string): string {
  return join(kernelTree, 'security', 'selinux', 'include');
}

/** why the class map of `kernelTree` cannot be read, or null */
export function classMapUnavailable(kernelTree: string): string | null {
  const dir = includeDir(kernelTree);
  for (const h of HEADERS) if (!existsSync(join(dir, h))) return `${join(dir, h)} is missing (not a kernel tree with SELinux?)`;
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'no C compiler (cc) to read the kernel class map with';
  }
  return null;
}

/** parses the dumper's output (pure) */
export function parseDump(text: string, hash: string): ClassMap {
  const map: ClassMap = { classes: [], initialSids: [null], polcaps: [], hash };
  for (const line of text.split('\n')) {
    const w = line.trim().split(/\s+/);
    if (w[0] === 'class' && w[1]) map.classes.push({ name: w[1], perms: w.slice(2) });
    else if (w[0] === 'sid' && w[1]) map.initialSids.push(w[1] === '-' ? null : w[1]);
    else if (w[0] === 'polcap' && w[1]) map.polcaps.push(w[1]);
  }
  if (map.classes.length === 0) throw new ClassMapError('the kernel class map has no classes');
  return map;
}

/** the class map of a kernel tree (compiled and run once per header hash) */
export function loadClassMap(kernelTree: string, cacheDir = selinuxCacheDir()): ClassMap {
  const why = classMapUnavailable(kernelTree);
  if (why) throw new ClassMapError(why);
  const dir = includeDir(kernelTree);
  const h = createHash('sha256').update(DUMPER);
  for (const f of HEADERS) h.update(f).update('\0').update(readFileSync(join(dir, f))).update('\0');
  const hash = h.digest('hex').slice(0, 16);
  const cached = join(cacheDir, 'classmap', `${hash}.txt`);
  if (existsSync(cached)) return parseDump(readFileSync(cached, 'utf8'), hash);
  const work = join(cacheDir, 'classmap', `build-${hash}-${process.pid}`);
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'dump.c'), DUMPER);
  let out: string;
  try {
    execFileSync('cc', ['-O0', '-w', '-I', dir, '-o', join(work, 'dump'), join(work, 'dump.c')], { stdio: ['ignore', 'ignore', 'pipe'] });
    out = execFileSync(join(work, 'dump'), [], { encoding: 'utf8' });
  } catch (e) {
    rmSync(work, { recursive: true, force: true });
    const msg = (e as { stderr?: Buffer }).stderr?.toString().split('\n')[0] ?? String(e);
    throw new ClassMapError(`cannot read the class map of ${kernelTree}: ${msg}`);
  }
  try {
    const map = parseDump(out, hash);
    writeFileSync(join(work, 'out.txt'), out);
    renameSync(join(work, 'out.txt'), cached);
    return map;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
