// The CLI compiled at npm install (build/js.mjs, dist/) behaves as the
// TypeScript sources do: byte-identical output for a fixed-seed campaign and
// for `bpftc properties`; the launcher (cli/bpftc.js) runs dist/ only while its
// stamp matches the sources (build/sources.mjs).

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error a plain JavaScript module (no declarations)
import { STAMP, distFresh, sourceState } from './sources.mjs';

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
