// Campaign partitioning, determinism across worker counts, sharding, time
// budgets, JUnit output.

import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchesFor, batchSeed, parseShard } from './plan.ts';
import { main } from '../cli/main.ts';

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('campaign plan', () => {
  it('shards and workers partition the batches without overlap', () => {
    const all = new Set<number>();
    let n = 0;
    for (let i = 1; i <= 3; i++)
      for (let w = 0; w < 2; w++)
        for (const b of batchesFor(20, { index: i, count: 3 }, 2, w)) {
          all.add(b);
          n++;
        }
    expect(n).toBe(20);
    expect([...all].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
  it('batch seeds are distinct and stable; shard syntax', () => {
    const seeds = new Set(Array.from({ length: 1000 }, (_, b) => batchSeed(1, b)));
    expect(seeds.size).toBe(1000);
    expect(batchSeed(1, 0)).toBe(batchSeed(1, 0));
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['0/3', '4/3', '1/0', 'x', '1/2/3']) expect(parseShard(bad)).toBeNull();
  });
});

describe('bpftc fuzz campaigns', () => {
  const args = ['fuzz', '--profile', 'token-v10', '--property', 'token-from-bpffs-root', '--runs', '1500', '--batch', '300', '--seed', '4', '--json'];

  it('one and two workers find the same counterexample (byte-identical JSON)', async () => {
    const one = await cli(...args, '--workers', '1');
    const two = await cli(...args, '--workers', '2');
    expect(one.code).toBe(1);
    expect(two.out).toBe(one.out);
  });

  it('shards split the seed space; every shard reports on its own part', async () => {
    const a = await cli('fuzz', '--property', 'mountinfo-roundtrip', '--runs', '600', '--batch', '100', '--shard', '1/2', '--workers', '1');
    const b = await cli('fuzz', '--property', 'mountinfo-roundtrip', '--runs', '600', '--batch', '100', '--shard', '2/2', '--workers', '1');
    expect(a.out).toMatch(/ok {4}mountinfo-roundtrip {2}\(300 runs\)/);
    expect(b.out).toMatch(/ok {4}mountinfo-roundtrip {2}\(300 runs\)/);
  });

  it('--time runs until the budget is spent; --junit writes a report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpftc-junit-'));
    made.push(dir);
    const file = join(dir, 'junit.xml');
    const r = await cli('fuzz', '--profile', 'token-v10', '--property', 'delegation-needs-init-sysadmin', '--time', '1', '--workers', '1', '--junit', file);
    expect(r.code).toBe(1);
    const x = readFileSync(file, 'utf8');
    expect(x).toMatch(/<testsuite name="token-v10" tests="1" failures="1"/);
    expect(x).toMatch(/<failure message="[^"]*without CAP_SYS_ADMIN/);
  });

  it('bad campaign flags are one line and exit 2', async () => {
    for (const argv of [['fuzz', '--shard', '3/2'], ['fuzz', '--workers', '0'], ['fuzz', '--runs', '10', '--time', '5'], ['fuzz', '--time', '0']]) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err.split('\n')).toHaveLength(1);
    }
  });
});

describe('bpftc corpus merge', () => {
  it('deduplicates findings of several shards and never rewrites', async () => {
    const root = mkdtempSync(join(tmpdir(), 'bpftc-merge-'));
    made.push(root);
    const [a, b, into] = ['a', 'b', 'into'].map((d) => join(root, d));
    const base = ['fuzz', '--profile', 'token-v10', '--property', 'token-from-bpffs-root', '--runs', '600', '--batch', '300', '--workers', '1'];
    expect((await cli(...base, '--seed', '1', '--save', a!)).code).toBe(1);
    expect((await cli(...base, '--seed', '1', '--save', b!)).code).toBe(1); // the same finding again
    const r1 = await cli('corpus', 'merge', a!, b!, '--into', into!);
    expect(r1.out).toMatch(/2 findings read, 1 duplicates, 1 new/);
    const r2 = await cli('corpus', 'merge', a!, '--into', into!);
    expect(r2.out).toMatch(/1 findings read, 1 duplicates, 0 new/);
    expect((await cli('corpus', 'merge')).code).toBe(2);
    expect((await cli('corpus', 'merge', join(root, 'nope'))).code).toBe(2);
  });
});
