// The CLI compiled at npm install (build/js.mjs, dist/) behaves as the
// TypeScript sources do: byte-identical output for a fixed-seed campaign and
// for `bpftc properties`; the launcher (cli/bpftc.js) runs dist/ only while its
// stamp matches the sources (build/sources.mjs).

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error a plain JavaScript module (no declarations)
import { SOURCE_DIRS, STAMP, distFresh, sourceState } from './sources.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'cli', 'bpftc.js');
const fresh = (distFresh as (root: string) => boolean)(ROOT);

function bpftc(tsx: boolean, ...args: string[]): { status: number | null; stdout: string } {
  const env = { ...process.env, BPFTC_TSX: tsx ? '1' : '0', BPFTC_DEBUG: '1' };
  const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', timeout: 120_000 });
  if (!tsx) expect(r.stderr).not.toMatch(/running the sources through tsx/);
  return { status: r.status, stdout: r.stdout };
}

describe('the compiled CLI', () => {
  it.skipIf(!fresh)('gives the output of the sources (fuzz with a fixed seed, properties)', () => {
    const fuzz = ['fuzz', '--profile', 'token-v10', '--property', 'all', '--runs', '40', '--seed', '3', '--workers', '2', '--json'];
    const [a, b] = [bpftc(false, ...fuzz), bpftc(true, ...fuzz)];
    expect(a.status).toBe(1);
    expect(a).toEqual(b);
    expect(bpftc(false, 'properties')).toEqual(bpftc(true, 'properties'));
  });
  if (!fresh) it.skip('dist/ is missing or older than the sources (node build/js.mjs builds it)', () => {});

  // The freshness stamp must cover every directory dist/ holds compiled modules of: a
  // change in one it does not scan (vm/ was missing) leaves the old code running silently.
  it.skipIf(!fresh)('the freshness stamp scans every source directory dist/ holds', () => {
    const dirs = readdirSync(join(ROOT, 'dist'), { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(join(ROOT, e.name)))
      .map((e) => e.name)
      .sort();
    expect(dirs.filter((d) => !(SOURCE_DIRS as string[]).includes(d))).toEqual([]);
  });

  // A compiled module finds files next to itself (import.meta.url): each such file must
  // be in dist/ too, or the installed CLI fails where the sources work (it did: `bpftc vm
  // build` looked for dist/vm/config). Every non-test source module is scanned.
  it.skipIf(!fresh)('finds in dist/ every file a module resolves next to itself', () => {
    const missing: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(join(ROOT, d), { withFileTypes: true })) {
        const rel = join(d, e.name);
        if (e.isDirectory()) {
          if (!['node_modules', 'dist', 'dist.tmp', 'coverage', '.git', 'corpus'].includes(e.name)) walk(rel);
        } else if (e.name.endsWith('.ts') && !/\.(test|testkit)\.ts$/.test(e.name) && !e.name.endsWith('.d.ts')) {
          const src = readFileSync(join(ROOT, rel), 'utf8');
          const targets = [
            ...[...src.matchAll(/join\(dirname\(fileURLToPath\(import\.meta\.url\)\), ((?:'[^']+'(?:, )?)+)\)/g)].map((m) => join(...[...m[1]!.matchAll(/'([^']+)'/g)].map((x) => x[1]!))),
            ...[...src.matchAll(/new URL\('([^']+)', import\.meta\.url\)/g)].map((m) => m[1]!),
          ];
          for (const t of targets) {
            const inSrc = join(ROOT, dirname(rel), t);
            if (!existsSync(inSrc)) continue; // not a file of the repository (a cache, an output)
            if (!existsSync(join(ROOT, 'dist', dirname(rel), t))) missing.push(`${rel}: ${relative(ROOT, inSrc)}`);
          }
        }
      }
    };
    walk('.');
    expect(missing).toEqual([]);
  });

  it('is stale once a source is newer or a source is added', () => {
    const root = mkdtempSync(join(tmpdir(), 'bpftc-build-'));
    try {
      mkdirSync(join(root, 'model'));
      mkdirSync(join(root, 'dist'));
      writeFileSync(join(root, 'model', 'a.ts'), '');
      writeFileSync(join(root, 'model', 'a.test.ts'), '');
      const state = (sourceState as (r: string) => { newest: number; count: number })(root);
      expect(state.count).toBe(1);
      const stamp = (s: unknown): void => writeFileSync(join(root, 'dist', STAMP as string), JSON.stringify(s));
      const isFresh = (): boolean => (distFresh as (r: string) => boolean)(root);
      expect(isFresh()).toBe(false); // no stamp
      stamp(state);
      expect(isFresh()).toBe(true);
      utimesSync(join(root, 'model', 'a.ts'), new Date(), new Date(state.newest + 5000));
      expect(isFresh()).toBe(false);
      stamp((sourceState as (r: string) => unknown)(root));
      expect(isFresh()).toBe(true);
      writeFileSync(join(root, 'model', 'b.ts'), '');
      utimesSync(join(root, 'model', 'b.ts'), new Date(0), new Date(0));
      expect(isFresh()).toBe(false);
      stamp('garbage');
      expect(isFresh()).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
