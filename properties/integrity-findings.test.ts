// The findings of the BPF integrity-verification RFC (seed 002; FINDINGS.md
// I1-I5; the latent I4 runs on integrity-rfc-cast-fixed): every scenario under
// corpus/findings/ of an I-entry with meta.profile integrity-rfc still violates
// its property on the RFC as posted, and no longer does with the gap fixed
// (integrity-fixed) or on 6.18 without the framework. The F-entries (configured
// stacks, issue 12) are not gaps the corrected variant fixes: F2 (pre-existing)
// violates its property on integrity-fixed too, F1 (design question) is an
// order dependence of the consumer, shown in both orders.

import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../corpus/load.ts';
import { findProperty } from './index.ts';
import { findProfile } from '../model/profile.ts';
import { runScenario } from '../model/run.ts';
import type { Scenario } from '../scenario/types.ts';

const DIR = new URL('../corpus/findings/', import.meta.url).pathname;
const all = loadCorpus(DIR);
const findings = all.filter((f) => f.scenario.meta?.profile === 'integrity-rfc' && f.scenario.meta.finding?.startsWith('I'));
const ofEntry = (id: string) => all.filter((f) => f.scenario.meta?.finding === id);

describe('integrity findings (corpus/findings/integrity-rfc-*, FINDINGS.md I1-I5)', () => {
  it('has the findings', () => {
    expect(findings.length).toBeGreaterThanOrEqual(4);
    expect(new Set(findings.map((f) => f.scenario.meta!.property))).toEqual(
      new Set(['integrity-verdict-ok-iff-signed', 'integrity-free-once', 'integrity-hooks-see-token', 'integrity-verdict-in-enum']),
    );
  });
  it.each(findings.map((f) => [f.file.slice(DIR.length), f] as const))('%s violates its property on integrity-rfc, not on integrity-fixed or linux-6.18', (_f, f) => {
    const prop = findProperty(f.scenario.meta!.property!)!;
    expect(f.scenario.meta!.kernel_checkable).toBe(false);
    expect(prop.check(f.scenario, findProfile('integrity-rfc')!)).not.toBeNull();
    expect(prop.check(f.scenario, findProfile('integrity-fixed')!)).toBeNull();
    expect(prop.check(f.scenario, findProfile('linux-6.18')!)).toBeNull();
  });
});

describe('configured-stack findings (FINDINGS.md F1, F2)', () => {
  it('F2: a provider\'s positive return is a successful bpf() on the RFC and on integrity-fixed; integrity-failure-frees-and-rejects leaves it out (its claim: a negative result)', () => {
    const [f] = ofEntry('F2');
    for (const p of ['integrity-rfc', 'integrity-fixed']) {
      const r = runScenario(f!.scenario, { profile: findProfile(p)! });
      expect(r.results.map((x) => x.ret), p).toEqual(['ok']);
      expect(r.state.k.security.lsmTrace.filter((e) => e.hook === 'bpf_prog_load_integrity').map((e) => e.ret), p).toContain(1);
      expect(findProperty('integrity-failure-frees-and-rejects')!.check(f!.scenario, findProfile(p)!), p).toBeNull();
    }
  });
  it('F1: the same loads in the two orders: the unsigned one is decided by the order, the signed one is allowed in both', () => {
    const f = ofEntry('F1').map((x) => x.scenario);
    expect(f).toHaveLength(2);
    const [a, b] = f as [Scenario, Scenario];
    expect(a.steps.map((s) => s.op)).toEqual(b.steps.map((s) => s.op));
    expect(new Set(a.lsm_order)).toEqual(new Set(b.lsm_order));
    for (const p of ['integrity-rfc', 'integrity-fixed']) {
      const rets = f.map((s) => runScenario(s, { profile: findProfile(p)! }).results.map((r) => r.ret));
      expect(rets.map((r) => r[0]).sort(), p).toEqual(['EACCES', 'ok']);
      expect(rets.map((r) => r[1]), p).toEqual(['ok', 'ok']);
    }
  });
  it('F1: a consumer with either later proposal (keep the worst; read only Hornet\'s lsm_id) refuses the unsigned load in both orders', () => {
    for (const c of [{ name: 'cw', keep: 'worst' as const }, { name: 'ch', trust: [114] }])
      for (const x of ofEntry('F1')) {
        const s: Scenario = { ...x.scenario, lsm_order: [...x.scenario.lsm_order!, c.name], integrity: { ...x.scenario.integrity, consumers: [c] } };
        expect(runScenario(s, { profile: findProfile('integrity-rfc')! }).results.map((r) => r.ret), `${c.name} ${x.file}`).toEqual(['EACCES', 'ok']);
      }
  });
});
