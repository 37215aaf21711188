// Generated C reproducers compile with cc and reproduce corpus scenarios on
// this kernel; a wrong expectation makes them exit 1 and mark the step.

import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reproC } from './repro.ts';
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
  it('carry the SELinux policy and contexts the scenario needs, as policy text', () => {
    const e = corpus.find((x) => x.file.includes('v7-polcap-off-not-backward-compatible'))!;
    const src = reproC(e.scenario);
    expect(src).toMatch(/^ \*     allow U_t P_t:cap2_userns bpf;$/m);
    expect(src).toMatch(/^ \*   actor user runs in domain U_t/m);
    expect(src).toContain('static const int repro_needs_lsm = 1;');
    expect(reproC(picks[0]!.scenario)).toContain('static const int repro_needs_lsm = 0;');
  });
  it.skipIf(!hasCc)('still compile', () => {
    const e = corpus.find((x) => x.file.includes('v7-prog-load-creator-check-dead-code'))!;
    expect(() => build(e.scenario, 'lsm_repro')).not.toThrow();
  });
});

describe.skipIf(skip !== null)(`C reproducers${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it.each(picks.map((e) => [e.file.split('/').pop()!, e] as const))('%s compiles and reproduces every step', (name, e) => {
    const r = spawnSync(build(e.scenario, name.replace(/\W/g, '_')), { encoding: 'utf8', timeout: 60_000 });
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
