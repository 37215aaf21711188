// The findings of FINDINGS.md are reachable by random search, not only by
// the hand-written corpus: the LSM generator (generators/lsm.ts: token life
// across domains, one-hole policies) reaches finding 1 (prog_load creator
// check dead) and finding 4 (a passed token skips *_as) on v7 within a few
// thousand runs of the headline property; on the merged code (7.3.4 core:
// the prog_load hook gets the token) only finding 4.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findProperty } from './index.ts';
import { checkProperty } from './check.ts';
import { findProfile } from '../model/profile.ts';
import { scenarioArb } from '../generators/scenario.ts';
import { formatLsmDepth, lsmDepthOf } from '../generators/stats.ts';

const SEED = Number(process.env.BPFTC_SEED ?? 1);
const RUNS = 3000;
const headline = findProperty('selinux-token-headline')!;
const checksAtUse = findProperty('selinux-token-checks-at-use')!;

/** finding 1: a prog_load through a token without creator -> current prog_load */
const FINDING_1 = /^prog_load by (\w+) succeeded through a token from P_t's bpffs.*but the policy has no allow P_t \1:bpf prog_load$/;
/** finding 4: a token made by one domain, used by another that lacks *_as */
const FINDING_4 = /^(map_create|prog_load) by (\w+) succeeded through a token from P_t's bpffs \(token created by (?!\2)\w+\), but the policy has no allow \2 P_t:bpf \1_as/;

describe.each([
  ['selinux-token-v7', true],
  ['selinux-token-merged', false],
] as const)('random search on %s', (name, finding1) => {
  const profile = findProfile(name)!;

  it(`selinux-token-headline fails within ${RUNS} runs (fast-check search)`, () => {
    const r = checkProperty(headline, profile, { runs: RUNS, seed: SEED });
    expect(r.ok).toBe(false);
  });

  it(`finding 4${finding1 ? ' and finding 1 both occur' : ' occurs, finding 1 does not,'} among ${RUNS} generated scenarios`, () => {
    const arb = scenarioArb({ profile, maxCommands: 40, ...headline.gen });
    const msgs = fc.sample(arb, { numRuns: RUNS, seed: SEED }).flatMap((c) => {
      const v = headline.check(c.scenario, profile);
      return v ? [v.message] : [];
    });
    const f1 = msgs.filter((m) => FINDING_1.test(m));
    const f4 = msgs.filter((m) => FINDING_4.test(m));
    if (finding1) expect(f1.length, msgs.join('\n')).toBeGreaterThanOrEqual(3);
    else expect(f1, msgs.join('\n')).toEqual([]);
    expect(f4.length, msgs.join('\n')).toBeGreaterThanOrEqual(3);
  });

  it.runIf(finding1)(`selinux-token-checks-at-use finds the dead prog_load creator check (finding 1) within ${RUNS} runs`, () => {
    const r = checkProperty(checksAtUse, profile, { runs: RUNS, seed: SEED });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.counterexample.violation.message).toMatch(/^prog_load through a token from P_t's bpffs: no P_t -> \w+ bpf:prog_load check/);
  });
});

describe('LSM generator depth', () => {
  const profile = findProfile('selinux-token-merged')!;
  const sample = fc.sample(scenarioArb({ profile, lsm: { races: true, bpfLsm: true } }), { numRuns: 600, seed: 5 });

  it('reaches tokens under SELinux, token use, passed tokens, AVC denials, reloads, races and BPF-LSM programs', () => {
    const d = sample.map(lsmDepthOf);
    const frac = (k: keyof (typeof d)[number]): number => d.filter((x) => x[k]).length / d.length;
    console.log(formatLsmDepth(sample));
    expect(frac('tokenUnderSelinux')).toBeGreaterThan(0.4);
    expect(frac('tokenUseUnderSelinux')).toBeGreaterThan(0.15);
    expect(frac('tokenPassed')).toBeGreaterThan(0.2);
    expect(frac('avcDenial')).toBeGreaterThan(0.2);
    expect(frac('avcDenialEnforced')).toBeGreaterThan(0.1);
    expect(frac('policyReload')).toBeGreaterThan(0.2);
    expect(frac('race')).toBeGreaterThan(0.3);
    expect(frac('bpfLsm')).toBeGreaterThan(0.2);
  });
});
