// The failure report a reviewer pastes into a mail, and known findings as a
// baseline (issue 14).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main.ts';
import { compactNames, joinShellLines, replayOf, shellLines } from './report.ts';
import { DEFAULT_KNOWN, loadKnown, matchKnown, withFix } from './known.ts';
import { findProfile } from '../model/profile.ts';

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'bpftc-report-'));
  made.push(d);
  return d;
};

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** two v7 failures, replayed in this process: the token_create fd race (FINDINGS 3) and a capability check no finding covers */
const SEED = '2980047484';
const RACE = ['--profile', 'selinux-token-v7', '--property', 'fd-race-independence', '--seed', SEED, '--path', '5:7:0:0:0:0:0:0:0:0:0:6:3:3:3:3:3:3:3:3:3:3:5:3:3:3:4:7:7:7:7:10:12:13:12:13:15:16:19:18:20:19:25:9:9:14:14:14:14:16:9:9'];
const CAPABLE_V7 = ['--profile', 'selinux-token-v7', '--property', 'selinux-token-capable', '--seed', SEED, '--path', '162:21:0:0:0:0:0:1:1:1:1:2:2:1:2:5:4:4:4:5:5:3:3:3:3'];
// v6's token_capable with the token creator as subject (A9, review history): no finding's
const CAPABLE = ['--profile', 'selinux-token-v6', '--property', 'selinux-token-capable', '--seed', SEED, '--path', '33:20:0:0:0:0:1:1:3:4:4:4:4:4:4:4:4:4:4:4:4:4'];

describe('compactNames', () => {
  it('shortens runs of three or more consecutive versions only', () => {
    expect(compactNames(['selinux-token-v1', 'selinux-token-v2', 'selinux-token-v3', 'selinux-token-merged'])).toBe('selinux-token-v1..v3, selinux-token-merged');
    expect(compactNames(['selinux-token-v1', 'selinux-token-v2', 'linux-6.18'])).toBe('selinux-token-v1, selinux-token-v2, linux-6.18');
  });
});

describe('shellLines', () => {
  it('continues a long command over lines of at most 100 columns that the shell reads back as the command', () => {
    const cmd = `npx bpftc fuzz --profile selinux-token-v7 --property fd-race-independence --seed 1 --path ${'12:3:'.repeat(40)}7`;
    const lines = shellLines(cmd, '      replay:');
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(100);
    expect(joinShellLines(lines, 'replay:')).toBe(cmd);
    // the shell agrees: the words it sees are the command's
    const script = `set -- ${lines.join('\n').replace(/^ *replay: /, '')}\nprintf '%s\\n' "$@"`;
    expect(execFileSync('sh', ['-c', script], { encoding: 'utf8' })).toBe(`${cmd.split(' ').join('\n')}\n`);
  });
});

describe('fuzz failure report for mail', () => {
  it('has the claim, its source, the kernel range, the finding, the trace, the replay and the reproducer in 100 columns', async () => {
    const r = await cli('fuzz', ...CAPABLE_V7);
    expect(r.code).toBe(1);
    for (const l of r.out.split('\n')) if (!l.includes(' avc:  ')) expect(l.length, l).toBeLessThanOrEqual(100);
    expect(r.out).toMatch(/^ {6}finding: known: FINDINGS\.md 3 /m);
    expect(r.out).toMatch(/^ {6}claim: With bpf_token_perms on, every capability/m);
    expect(r.out).toMatch(/^ {6}source: seeds\/000_f8d943f6c940056a\.txt, Changes in v6: "Updated bpf_token_capable/m);
    expect(r.out).toMatch(/^ {6}kernel range: violated on selinux-token-v1\.\.v7, selinux-token-v7-6\.12; holds on\s+selinux-token-merged, selinux-token-fixed$/m);
    expect(r.out).toMatch(/^ {6}first violating decision: btf_load -> EPERM \[bpf_token_capable cap2_userns:bpf\]$/m);
    expect(r.out).toMatch(/^ {5}allow U_t U_t:cap2_userns \*;$/m);
    expect(r.out).toMatch(/^ {6}reproducer: npx bpftc repro DIR\/selinux-token-capable--selinux-token-v7--seed2980047484\.json/m);
    // the replay read back as the shell reads it replays the same failure
    const again = await cli(...replayOf(r.out)!.replace(/^npx bpftc /, '').split(' '));
    expect(again.out).toBe(r.out);
  });

  it('the README shows current output: the token-v10 failure and the v7 fd race', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const blocks: string[] = [];
    let cur: string[] | null = null;
    for (const l of readme.split('\n')) {
      if (cur === null && l.startsWith('```')) cur = [];
      else if (cur !== null && l === '```') {
        blocks.push(cur.join('\n'));
        cur = null;
      } else cur?.push(l);
    }
    const v10 = await cli('fuzz', '--profile', 'token-v10', '--property', 'token-from-bpffs-root', '--runs', '2000', '--seed', '1');
    expect(blocks).toContain(v10.out);
    const race = await cli('fuzz', ...RACE);
    // the README's run is the campaign (--runs 1000 --seed 1) that found it: the same text but its first line's run count
    expect(blocks.map((b) => b.split('\n').slice(1, -2).join('\n'))).toContain(race.out.split('\n').slice(1, -2).join('\n'));
  });

  it('after --save the reproducer names the saved file, and bpftc repro takes it', async () => {
    const dir = tmp();
    const r = await cli('fuzz', ...CAPABLE, '--save', dir);
    const file = /^ {6}saved: (.+)$/m.exec(r.out)![1]!;
    const lines = r.out.split('\n');
    expect(joinShellLines(lines.slice(lines.findIndex((l) => l.startsWith('      reproducer: '))), 'reproducer:')).toBe(`npx bpftc repro ${file} --c --out repro.c`);
    expect((await cli('repro', file, '--c', '--out', join(dir, 'repro.c'))).code).toBe(0);
  });
});

describe('known findings as a baseline (--known, --fail-on new)', () => {
  it('every finding of corpus/findings that names a property is a baseline entry', () => {
    const k = loadKnown(DEFAULT_KNOWN);
    expect(k.find((x) => x.id === '3' && x.property === 'fd-race-independence')?.decision).toBe('token_create -> EACCES [bpf_token_create bpf:map_create_as]');
  });

  it('checks the findings on the campaign profile: a finding fixed there names no failure of it', () => {
    const on = (p: string): string[] => loadKnown(DEFAULT_KNOWN, p).filter((k) => k.property === 'selinux-token-checks-at-use').map((k) => k.id);
    // FINDINGS 1 (prog_load never checked against the creator) holds on v7, not on the merged code
    expect(on('selinux-token-v7')).toContain('1');
    expect(on('selinux-token-merged')).not.toContain('1');
    // no finding of a layer the profile lacks
    expect(loadKnown(DEFAULT_KNOWN, 'linux-6.18').filter((k) => k.property.startsWith('selinux-'))).toEqual([]);
  });

  it('two findings at the same decision: the one recorded on the campaign profile is named', () => {
    const k = loadKnown(DEFAULT_KNOWN, 'selinux-token-v7');
    const a = k.find((x) => x.id === '1' && x.property === 'selinux-token-headline')!;
    const b = k.find((x) => x.id === '6' && x.property === 'selinux-token-headline')!;
    expect(a.decision).toBe(b.decision);
    expect(matchKnown(k, a.property, a.decision, 'selinux-token-v7')?.id).toBe('1');
    expect(matchKnown(k, a.property, a.decision, 'selinux-token-merged')?.id).toBe('6');
  });

  it('matches by property and first violating decision, not by trace text: the v7 fd race is FINDINGS 3', async () => {
    const r = await cli('fuzz', ...RACE, '--json');
    const res = (JSON.parse(r.out) as { results: Array<{ known: { finding: string; file: string } | null; scenario: { steps: unknown[] } }> }).results[0]!;
    expect(res.known?.finding).toBe('3');
    // the finding's own trace is another one (another race, other names, another step count)
    const theirs = JSON.parse(readFileSync(res.known!.file, 'utf8')) as { steps: unknown[] };
    expect(JSON.stringify(theirs.steps)).not.toBe(JSON.stringify(res.scenario.steps));
    const t = await cli('fuzz', ...RACE);
    expect(t.out).toMatch(/^ {6}finding: known: FINDINGS\.md 3 \(findings\/v7-token-create-fd-race\.json\)$/m);
  });

  it('by cause: a failure at another decision is the finding whose fix alone makes it hold along the same path', async () => {
    // v7: the fd race of finding 3 also breaks selinux-token-capable, at a decision of its own
    const r = await cli('fuzz', ...CAPABLE_V7, '--json');
    const res = (JSON.parse(r.out) as { results: Array<{ known: { finding: string; by: string } | null; decision: string }> }).results[0]!;
    expect(res.known).toMatchObject({ finding: '3', by: 'fix' });
    expect(loadKnown(DEFAULT_KNOWN, 'selinux-token-v7').some((k) => k.id === '3' && k.decision === res.decision && k.property === 'selinux-token-capable')).toBe(false);
    expect((await cli('fuzz', ...CAPABLE_V7)).out).toMatch(/finding: known: FINDINGS\.md 3 \(findings\/v7-token-create-fd-race\.json; holds with that fix\s+alone\)/);
    // v6's own defect (A9): finding 6's fix (*_as at use) makes the property hold only by
    // refusing the token before token_capable is asked, another path: no cause
    const v6 = await cli('fuzz', ...CAPABLE, '--json');
    expect((JSON.parse(v6.out) as { results: Array<{ known: unknown }> }).results[0]!.known).toBeNull();
  });

  it('a fix that changes nothing on the profile names no cause (withFix)', () => {
    expect(withFix(findProfile('selinux-token-merged')!, '3')).toBeNull(); // merged has validatedObjects
    expect(withFix(findProfile('linux-6.18')!, '1')).toBeNull(); // no SELinux layer
    expect(withFix(findProfile('selinux-token-v7')!, '2')).toBeNull(); // no fix entry: it gates everything off
    expect(withFix(findProfile('integrity-fixed')!, 'I1')).toBeNull();
    expect(withFix(findProfile('selinux-token-v7')!, '3')?.lsm?.selinuxFix).toEqual({ validatedObjects: true });
  });

  it('--fail-on new exits 0 on known failures only, 1 on a new one; --known DIR sets the baseline', async () => {
    expect((await cli('fuzz', ...RACE)).code).toBe(1);
    expect((await cli('fuzz', ...RACE, '--fail-on', 'new')).code).toBe(0);
    expect((await cli('fuzz', ...CAPABLE, '--fail-on', 'new')).code).toBe(1);
    // the new failure saved and named as a finding: known from then on
    const save = tmp();
    await cli('fuzz', ...CAPABLE, '--save', save);
    const f = join(save, readdirSync(save)[0]!);
    const sc = JSON.parse(readFileSync(f, 'utf8')) as { meta: Record<string, unknown> };
    sc.meta.finding = 'NEW1';
    writeFileSync(f, JSON.stringify(sc));
    const r = await cli('fuzz', ...CAPABLE, '--fail-on', 'new', '--known', save);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/finding: known: FINDINGS\.md NEW1/);
    // against that baseline the fd race is new
    expect((await cli('fuzz', ...RACE, '--fail-on', 'new', '--known', save)).code).toBe(1);
  });

  it('bad --fail-on and --known are one line, exit 2', async () => {
    for (const argv of [['--fail-on', 'some'], ['--known', '/nonexistent/dir']]) {
      const r = await cli('fuzz', ...RACE, ...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err.split('\n')).toHaveLength(1);
    }
  });
});
