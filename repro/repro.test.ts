// Generated C reproducers compile with cc and reproduce corpus scenarios on
// this kernel; a wrong expectation makes them exit 1 and mark the step.

import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reproC } from './repro.ts';
import { cLiteral } from './cliteral.ts';
import { adaptToMachine, probeKernelSync, runOnKernel } from '../oracle/driver.ts';
import fc from 'fast-check';
import { scenarioArb } from '../generators/scenario.ts';
import { findProfile } from '../model/profile.ts';
import { loadCorpus } from '../corpus/load.ts';
import type { Scenario } from '../scenario/types.ts';

const hasCc = spawnSync('cc', ['--version']).status === 0;
const probe = probeKernelSync();
const skip = !hasCc ? 'no C compiler' : 'skip' in probe ? probe.skip : null;
const dir = mkdtempSync(join(tmpdir(), 'bpftc-repro-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function build(s: Scenario, name: string): string {
  const src = join(dir, `${name}.c`);
  writeFileSync(src, reproC(s));
  const bin = join(dir, name);
  execFileSync('cc', ['-O0', '-w', '-o', bin, src]);
  return bin;
}

const corpus = loadCorpus(new URL('../corpus', import.meta.url).pathname);
const picks = ['canonical-delegation', '011-token-create-success', '071-map-create-every-map-type', '082-owner-rule'].map(
  (p) => corpus.find((e) => e.file.includes(p))!,
);

describe('C reproducers of LSM scenarios', () => {
  it('carry the SELinux policy and contexts the scenario needs, as escaped policy text', () => {
    const e = corpus.find((x) => x.file.includes('v7-polcap-off-not-backward-compatible'))!;
    const src = reproC(e.scenario);
    expect(src).toContain(cLiteral('  allow U_t P_t:cap2_userns bpf;', '    '));
    expect(src).toContain(cLiteral('actor user runs in domain U_t (e.g. runcon -t U_t)', '    '));
    expect(src).toContain('static const int repro_needs_lsm = 1;');
    expect(reproC(picks[0]!.scenario)).toContain('static const int repro_needs_lsm = 0;');
  });
  it('say that a thread_of actor runs as its own process (audit: it ran without a word)', () => {
    const R = { name: 'root', userns: 'init', kuid: 0, caps: 'all' as const, mntns: 'init' };
    const src = reproC({
      format: 'bpftc/1',
      actors: [R, { name: 't', userns: 'init', kuid: 0, caps: 'all', thread_of: 'root' }],
      steps: [{ actor: 't', op: 'map_create', map_type: 2 }],
    });
    expect(src).toContain(cLiteral('actor t is a thread of root (one fd table); the embedded executor runs it as its own process (model-only)', '    '));
    expect(src).toContain('static const int repro_needs_lsm = 1;');
  });
  it.skipIf(!hasCc)('still compile, and --describe prints the set-up (without running anything)', () => {
    const e = corpus.find((x) => x.file.includes('v7-polcap-off-not-backward-compatible'))!;
    const r = spawnSync(build(e.scenario, 'lsm_repro'), ['--describe'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ {4}allow U_t P_t:cap2_userns bpf;$/m);
    expect(r.stdout).toMatch(/^ {2}actor user runs in domain U_t/m);
    expect(r.stdout).toMatch(/^ {2}1\. .* -> expect /m);
  });
});

describe.skipIf(skip !== null)(`C reproducers${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it.each(picks.map((e) => [e.file.split('/').pop()!, e] as const))('%s compiles and reproduces every step', (name, e) => {
    // the expectations are the model's for this machine (adaptToMachine(): e.g. a kernel
    // build that refuses arenas, model/kconfig.ts arenaEperm)
    const s = 'skip' in probe ? e.scenario : adaptToMachine(e.scenario, probe);
    const r = spawnSync(build(s, name.replace(/\W/g, '_')), { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout).toMatch(/all \d+ steps gave the expected results/);
    expect(r.status).toBe(0);
  });

  it('reproducers agree with the oracle on generated scenarios (expectations taken from the kernel run)', async () => {
    if ('skip' in probe) return;
    const gen = fc.sample(scenarioArb({ profile: findProfile('linux-6.18')!, sysctl: probe.unprivileged_bpf_disabled, maxCommands: 15 }), { numRuns: 3, seed: 9 });
    for (const [n, c] of gen.entries()) {
      const s = adaptToMachine(c.scenario, probe);
      const [k] = await runOnKernel([s]);
      expect(k!.error).toBeUndefined();
      // the kernel's results become the expectations: the reproducer must see the same
      const withKernel: Scenario = { ...s, steps: s.steps.map((st, i) => ({ ...st, expect: k!.results[i]!.ret })) };
      const r = spawnSync(build(withKernel, `gen${n}`), { encoding: 'utf8', timeout: 60_000 });
      expect(r.stdout).toMatch(/all \d+ steps gave the expected results/);
    }
  }, 120_000);

  it('a wrong expectation exits 1 and marks the step', () => {
    const e = picks[0]!;
    const s: Scenario = { ...e.scenario, steps: e.scenario.steps.map((st, i) => (i === 0 ? { ...st, expect: 'EPERM' } : st)) };
    const r = spawnSync(build(s, 'wrong'), { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^<> 1\. child: fsopen\(\) as fs +got ok +expected EPERM/m);
  });
});

describe('C reproducers of hostile scenario text', () => {
  /** one scenario whose every free-text field (name, description, actor, user
   *  namespace, handles, labels, path, fsconfig key/value, mount data) is `t(i)` */
  const textual = (t: (i: number) => string): Scenario => ({
    format: picks[0]!.scenario.format,
    name: t(0),
    description: t(1),
    userns: [{ name: t(2), parent: 'init', owner: 0, map: { base: 100000, count: 65536 } }],
    actors: [
      { name: t(3), userns: 'init', kuid: 0, caps: 'all' },
      { name: t(4), userns: t(2), kuid: 100000, caps: 'all', mntns: 'own' },
    ],
    steps: [
      { actor: t(3), op: 'fsopen', fs: 'bpf', as: t(5), label: t(6) },
      { actor: t(3), op: 'fsconfig', fd: t(5), cmd: 'set_string', key: t(7), value: t(8) },
      { actor: t(3), op: 'open', dirfd: t(5), path: t(9), label: t(10) },
      { actor: t(3), op: 'mount', data: t(11) },
      { actor: t(3), op: 'send_fd', fd: t(5), to: t(4), as: t(12) },
    ],
  });
  // string literals -> "" (adjacent literals are one), and a list entry 0 (no string, e.g. no
  // expected text because the model's result changed with the text) counts as a string
  const strip = (src: string): string =>
    src
      .replace(/"(?:[A-Za-z0-9 ]|\\[0-3][0-7]{2})*"/g, '""')
      .replace(/""(?:\s*"")+/g, '""')
      .replace(/^ {2}0,$/gm, '  "",');

  it('the C source with its string literals removed does not depend on the scenario text', () => {
    const base = strip(reproC(textual((i) => `t${i}`)));
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }), { minLength: 13, maxLength: 13 }), (xs) => {
        const names = xs.map((x, i) => `${i}${x}`); // distinct, non-empty
        expect(strip(reproC(textual((i) => names[i]!)))).toBe(base);
      }),
      { seed: 3, numRuns: 40 },
    );
    // the same for text written to break out of a comment or a literal
    const evil = (i: number): string => `${i}*/ } int x${i}; system("touch /pwned"); /* ??/\n"\\*\\\n/ %n`;
    const src = reproC(textual(evil));
    expect(strip(src)).toBe(base);
    expect(src).not.toContain('touch /pwned');
    expect(src).not.toContain('system("');
    expect(src.split('\n').filter((l) => l.includes('*/')).length).toBe(base.split('\n').filter((l) => l.includes('*/')).length);
  });

  it.skipIf(!hasCc)('a name written to end a comment compiles to data and prints as text (--describe)', () => {
    const evil = (i: number): string => `${i}*/ int main(void){return system("touch /pwned");} /*\n\x1b[2J`;
    const r = spawnSync(build(textual(evil), 'evil'), ['--describe'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('scenario: 0*/ int main(void){return system("touch /pwned");} /*\\u{a}\\u{1b}[2J');
    expect(r.stdout).not.toContain('\x1b');
  });
});
