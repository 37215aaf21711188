// Kernel sources from Debian's own packages, through a PRIVATE apt
// configuration under the cache (Dir::Etc::SourceList, Dir::State,
// Dir::Cache all point there): `apt-get update` and `apt-get download` on it
// never touch the system's sources, lists or package state.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** the suites the kernel sources come from: linux-source-6.12 is in
 *  bookworm-security, linux-source-7.3 in trixie-backports */
export const SUITES = [
  'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main',
  'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main',
];

export class AptError extends Error {}

export interface PrivateApt {
  dir: string;
  /** the -o options that make apt-get / apt-cache use only dir */
  options: string[];
}

export function privateApt(cache: string): PrivateApt {
  const dir = join(cache, 'apt');
  for (const d of ['etc/preferences.d', 'state/lists/partial', 'cache/archives/partial']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'etc', 'sources.list'), SUITES.join('\n') + '\n');
  if (!existsSync(join(dir, 'state', 'status'))) writeFileSync(join(dir, 'state', 'status'), '');
  const options = [
    `Dir::Etc::SourceList=${join(dir, 'etc', 'sources.list')}`,
    `Dir::Etc::SourceParts=${join(dir, 'etc', 'sources.list.d')}`,
    `Dir::Etc::Preferences=${join(dir, 'etc', 'preferences')}`,
    `Dir::Etc::PreferencesParts=${join(dir, 'etc', 'preferences.d')}`,
    `Dir::State=${join(dir, 'state')}`,
    `Dir::State::status=${join(dir, 'state', 'status')}`,
    `Dir::Cache=${join(dir, 'cache')}`,
  ].flatMap((o) => ['-o', o]);
  return { dir, options };
}

function apt(tool: string, args: string[], cwd?: string): { ok: boolean; out: string; err: string } {
  const r = spawnSync(tool, args, { encoding: 'utf8', cwd, maxBuffer: 64 << 20 });
  if (r.error) throw new AptError(`${tool} not found (bpftc vm build needs Debian's apt-get)`);
  return { ok: r.status === 0, out: r.stdout, err: r.stderr };
}

/** `apt-get update` on the private lists, at most once a day */
export function updateLists(a: PrivateApt, log: (l: string) => void, force = false): void {
  const lists = join(a.dir, 'state', 'lists');
  const fresh = readdirSync(lists).some((f) => /_Packages(\.\w+)?$/.test(f) && Date.now() - statSync(join(lists, f)).mtimeMs < 86_400_000);
  if (fresh && !force) return;
  log('apt: updating the private package lists (bookworm-security, trixie-backports)');
  const r = apt('apt-get', [...a.options, 'update']);
  if (!r.ok) throw new AptError(`apt-get update failed: ${lastLine(r.err)}`);
}

const lastLine = (s: string): string => s.trim().split('\n').pop() ?? '';

/** the candidate version of a package in the private lists, or null */
export function candidate(a: PrivateApt, pkg: string): string | null {
  const r = apt('apt-cache', [...a.options, 'policy', pkg]);
  const m = /Candidate:\s*(\S+)/.exec(r.out);
  return m && m[1] !== '(none)' ? m[1]! : null;
}

/** downloads pkg=version into dir (kept; a second call finds it) and returns its path */
export function download(a: PrivateApt, pkg: string, version: string, dir: string, log: (l: string) => void): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${pkg}_${version.replace(/:/g, '%3a')}_all.deb`);
  if (existsSync(file)) return file;
  log(`apt: downloading ${pkg} ${version}`);
  const r = apt('apt-get', [...a.options, 'download', `${pkg}=${version}`], dir);
  if (!r.ok || !existsSync(file)) throw new AptError(`apt-get download ${pkg}=${version} failed: ${lastLine(r.err)}`);
  return file;
}
