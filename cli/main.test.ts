// The CLI's contract: exit codes, one-line errors, determinism, and a corpus
// that failed runs never rewrite.

import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main.ts';
import { replayOf } from '../campaign/report.ts';

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

describe('bpftc', () => {
  it('fuzz on linux-6.18 passes (exit 0)', async () => {
    const r = await cli('fuzz', '--runs', '100', '--seed', '3');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\b\d+ passed, 0 failed, \d+ not applicable \(profile linux-6\.18, seed 3\)/);
    // claims about layers linux-6.18 lacks are reported, not silently passed
    expect(r.out).toMatch(/^n\/a {3}selinux-token-headline {2}\(linux-6\.18 has no selinux-token-patch layer\)$/m);
  });

  it('fuzz --property NAME on a profile without its layer is n/a with exit 1, never a pass', async () => {
    const r = await cli('fuzz', '--profile', 'linux-6.18', '--property', 'selinux-creator-sid', '--runs', '10');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^n\/a {3}selinux-creator-sid {2}\(linux-6\.18 has no selinux-token-patch layer\): not checked$/m);
    expect(r.out).not.toMatch(/passed/);
  });

  it('fuzz on token-v10 fails with a numbered trace and a replay line (exit 1)', async () => {
    const r = await cli('fuzz', '--profile', 'token-v10', '--property', 'token-from-bpffs-root', '--runs', '2000', '--seed', '1');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL {2}token-from-bpffs-root/);
    expect(r.out).toMatch(/>> ?\d+\. \w+: token_create/);
    // the replay command may be continued over lines (at most 100 columns each)
    const replay = replayOf(r.out)!.replace(/^npx bpftc /, '').split(' ');
    const again = await cli(...replay);
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/after 1 runs/);
  });

  it('same seed and options give byte-identical output, text and JSON', async () => {
    const a = await cli('fuzz', '--profile', 'token-v10', '--runs', '300', '--seed', '9', '--json');
    const b = await cli('fuzz', '--profile', 'token-v10', '--runs', '300', '--seed', '9', '--json');
    expect(a.out).toBe(b.out);
    const j = JSON.parse(a.out) as { results: Array<{ ok: boolean; scenario?: { format: string } }> };
    expect(j.results.some((x) => !x.ok && x.scenario?.format === 'bpftc/1')).toBe(true);
  });

  it('--help after any command prints the usage (exit 0); no command prints it with exit 2', async () => {
    for (const argv of [['help'], ['--help'], ['fuzz', '--help'], ['oracle', '-h'], ['run', 'x.json', '--help']]) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(0);
      expect(r.out).toMatch(/^usage: bpftc <command> \[flags\]/);
    }
    expect((await cli()).code).toBe(2);
  });

  it('bad usage is one line and exit 2', async () => {
    for (const argv of [
      ['fuzz', '--runs', 'x'],
      ['fuzz', '--profile', 'nope'],
      ['fuzz', '--property', 'nope'],
      ['fuzz', '--frobnicate'],
      ['fuzz', 'extra'],
      ['run'],
      ['run', '/nonexistent.json'],
      ['nope'],
    ]) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err.split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/^bpftc: /);
    }
  });

  it('run checks expectations and names the JSON path of a malformed file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpftc-cli-'));
    made.push(dir);
    const good = join(dir, 'good.json');
    const s = {
      format: 'bpftc/1',
      actors: [{ name: 'a', userns: 'init', kuid: 1000, caps: [], mntns: 'init' }],
      steps: [{ actor: 'a', op: 'fsopen', expect: 'ok' }],
    };
    writeFileSync(good, JSON.stringify(s));
    const r = await cli('run', good);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/MISMATCH step 1: expected ok, got EPERM/);
    writeFileSync(good, JSON.stringify({ ...s, steps: [{ actor: 'a', op: 'fsopen', expect: 'EPERM' }] }));
    expect((await cli('run', good)).code).toBe(0);
    writeFileSync(good, JSON.stringify({ ...s, actors: [{ name: 'a', userns: 'u9', kuid: 0, caps: 'all' }] }));
    const bad = await cli('run', good);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/good\.json:\$\.actors\[0\]\.userns: unknown user namespace "u9"/);
  });

  it('--save writes new corpus files and never overwrites', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpftc-save-'));
    made.push(dir);
    const args = ['fuzz', '--profile', 'token-v10', '--property', 'delegation-needs-init-sysadmin', '--runs', '200', '--seed', '1', '--save', dir];
    expect((await cli(...args)).code).toBe(1);
    const first = readdirSync(dir);
    expect(first).toHaveLength(1);
    const before = readFileSync(join(dir, first[0]!), 'utf8');
    expect((await cli(...args)).code).toBe(1);
    expect(readdirSync(dir)).toHaveLength(2);
    expect(readFileSync(join(dir, first[0]!), 'utf8')).toBe(before);
    const saved = JSON.parse(before) as { meta: { property: string; profile: string; seed: number; path: string } };
    expect(saved.meta).toMatchObject({ property: 'delegation-needs-init-sysadmin', profile: 'token-v10' });
    expect((await cli('run', join(dir, first[0]!))).code).toBe(0);
    // meta.seed and meta.path replay the failure directly
    const replay = await cli('fuzz', '--profile', 'token-v10', '--property', saved.meta.property, '--seed', String(saved.meta.seed), '--path', saved.meta.path);
    expect(replay.code).toBe(1);
    expect(replay.out).toMatch(/after 1 runs/);
  });

  it('lists properties and profiles', async () => {
    expect((await cli('properties')).out).toMatch(/^token-within-delegation/m);
    expect((await cli('profiles')).out).toMatch(/^token-v10/m);
  });
});
