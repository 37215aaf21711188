// Integrity providers and consumers as deployments configure them (issue 12;
// scenario `integrity`): what seed 002's framework does with each
// configuration. security_bpf_prog_load_post_integrity() is
// `return call_int_hook(bpf_prog_load_post_integrity, prog, attr, token,
// kernel, lsmid, verdict);` and nothing else (seed 002 security/security.c).
import { describe, expect, it } from 'vitest';
import { runScenario } from '../model/run.ts';
import { findProfile } from '../model/profile.ts';
import { validateScenario } from '../scenario/validate.ts';
import type { Scenario } from '../scenario/types.ts';
import type { IntegrityStackDecl } from '../scenario/integrity.ts';
import { findProperty } from './index.ts';
import { orderDependence } from './integrity-order-independence.ts';
import { checkProperty } from './check.ts';
import { dimensionsOf } from './dimensions.ts';
import { loadCorpus } from '../corpus/load.ts';
import { scenarioArb } from '../generators/scenario.ts';
import type { Dimension } from './types.ts';
import fc from 'fast-check';

const fixed = findProfile('integrity-fixed')!;

function loads(integrity: IntegrityStackDecl, lsm_order?: string[], n = 1): Scenario {
  const s: Scenario = {
    format: 'bpftc/1',
    actors: [{ name: 'root', userns: 'init', kuid: 0, caps: 'all', mntns: 'init' }],
    integrity,
    steps: Array.from({ length: n }, (_, i) => ({ actor: 'root', op: 'prog_load' as const, prog_type: 1, as: `p${i}` })),
  };
  if (lsm_order) s.lsm_order = lsm_order;
  validateScenario(JSON.parse(JSON.stringify(s)));
  return s;
}

/** the deliveries of a run: caller:lsm_id:verdict(late)->ret */
function run(s: Scenario) {
  const r = runScenario(s, { profile: fixed });
  const deliveries = r.state.k.security.lsmTrace.filter((e) => e.hook === 'deliver').map((e) => `${e.lsm}:${e.lsmId}:${e.verdictValue}${e.late ? '(late)' : ''}->${e.ret}`);
  return { rets: r.results.map((x) => x.ret), deliveries, trace: r.state.k.security.lsmTrace };
}

const ORDER = ['capability', 'p0', 'c0'];

describe('the framework of seed 002 with configured providers and consumers', () => {
  it('declared LSMs follow the profile order without lsm_order; Hornet delivers first there', () => {
    const r = run(loads({ providers: [{ name: 'p0' }], consumers: [{ name: 'c0' }] }));
    expect(r.deliveries).toEqual(['hornet:114:2->0', 'p0:200:1->0']);
    expect(r.rets).toEqual(['ok']);
  });
  it('never: the consumer decides on NONE (its zeroed slot)', () => {
    expect(run(loads({ providers: [{ name: 'p0', deliveries: 'never' }], consumers: [{ name: 'c0', allow: ['NONE'] }] }, ORDER)).rets).toEqual(['ok']);
  });
  it('twice: the second delivery reaches the consumer again; first / last / worst keep different verdicts', () => {
    const p = { name: 'p0', deliveries: 'twice' as const, verdict: 'BADSIG' as const, second_verdict: 'OK' as const };
    const with_ = (keep: 'first' | 'last' | 'worst') => run(loads({ providers: [p], consumers: [{ name: 'c0', keep }] }, ORDER));
    expect(with_('last').deliveries).toEqual(['p0:200:4->0', 'p0:200:1->0']);
    expect(with_('last').rets).toEqual(['ok']);
    expect(with_('first').rets).toEqual(['EACCES']);
    expect(with_('worst').rets).toEqual(['EACCES']);
  });
  it('an out-of-enum verdict passes the framework; no consumer allows it', () => {
    const r = run(loads({ providers: [{ name: 'p0', verdict: 512 }], consumers: [{ name: 'c0', keep: 'worst', allow: ['OK', 'NONE'] }] }, ORDER));
    expect(r.deliveries).toEqual(['p0:200:512->0']);
    expect(r.rets).toEqual(['EACCES']);
  });
  it('a positive return stops the phase, frees the blob, and comes back from bpf() as if it were an fd', () => {
    const r = run(loads({ providers: [{ name: 'p0', ret: 1 }], consumers: [{ name: 'c0' }] }, ORDER));
    expect(r.rets).toEqual(['ok']);
    expect(r.trace.map((e) => e.hook)).toContain('kfree');
    expect(r.trace.some((e) => e.hook === 'bpf_prog_load')).toBe(false);
  });
  it('the lsm_id is not checked: a provider passing Hornet\'s id is taken for Hornet by a consumer that trusts only 114', () => {
    const r = run(loads({ providers: [{ name: 'p0', lsm_id: 114 }], consumers: [{ name: 'c0', trust: [114] }] }, ORDER));
    expect(r.deliveries).toEqual(['p0:114:1->0']);
    expect(r.rets).toEqual(['ok']);
    expect(run(loads({ providers: [{ name: 'p0' }], consumers: [{ name: 'c0', trust: [114] }] }, ORDER)).rets).toEqual(['EACCES']);
  });
  it('after_return: the verdict arrives after bpf() returned (the load decided on NONE); on a refused load the prog has no blob', () => {
    const r = run(loads({ providers: [{ name: 'p0', deliveries: 'after_return' }], consumers: [{ name: 'c0' }] }, ORDER));
    expect(r.rets).toEqual(['EACCES']);
    expect(r.deliveries).toEqual(['p0:200:1(late)->0']);
    expect(r.trace.find((e) => e.hook === 'deliver')!.blob).toBe(false);
  });
  it('a consumer that re-enters delivers its kept verdict under its own id; two of them stop when nothing changes', () => {
    const r = run(loads({ providers: [{ name: 'p0' }], consumers: [{ name: 'c0', reenter: true }, { name: 'c1', reenter: true, keep: 'worst' }] }, ['capability', 'p0', 'c0', 'c1']));
    expect(r.deliveries).toEqual(['p0:200:1->0', 'c0:201:1->0', 'c1:202:1->0']);
    expect(r.rets).toEqual(['ok']);
  });
  it('a consumer refusal inside a re-entered delivery comes back through the re-entering consumer and the provider', () => {
    const r = run(loads({ providers: [{ name: 'p0' }], consumers: [{ name: 'c0', reenter: true }, { name: 'c1', trust: [201], fail_fast: ['OK'] }] }, ['capability', 'p0', 'c0', 'c1']));
    expect(r.deliveries).toEqual(['p0:200:1->-13', 'c0:201:1->-13']);
    expect(r.rets).toEqual(['EACCES']);
  });
  it('the dimensions of a declaration', () => {
    const s = loads({ providers: [{ name: 'p0', deliveries: 'twice', lsm_id: 114, verdict: 5, ret: 1 }, { name: 'p1', deliveries: 'after_return' }], consumers: [{ name: 'c0', reenter: true }] });
    expect([...dimensionsOf(s, fixed).dims].sort()).toEqual(['late-verdict', 'multi-provider', 'out-of-enum-verdict', 'positive-return', 'reentering-consumer', 'repeat-verdict', 'wrong-lsm-id']);
  });
});

describe('the existing properties over configured stacks', () => {
  it('order dependence (integrity-order-independence\'s check over any number of providers): with a second provider, the IPE-like consumer (last verdict wins) decides by lsm= order (shrunk: one declared provider)', () => {
    // the property's claim is about one provider; its order check over any number (orderDependence)
    const prop = findProperty('integrity-order-independence')!;
    const r = checkProperty({ ...prop, gen: { integrity: { stack: 'conforming' } }, check: (s, p) => (p.integrity ? orderDependence(s, p) : null) }, fixed, { runs: 400, seed: 1 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const s = r.counterexample.scenario;
    expect(s.integrity?.providers).toHaveLength(1);
    expect(s.integrity?.consumers).toBeUndefined();
    expect(s.steps.filter((x) => x.op === 'prog_load')).toHaveLength(1);
  });
});

describe('corpus/examples/integrity-stack-deployment.json', () => {
  it('the unsigned load passes IPE only with p0 after hornet in lsm=', () => {
    const e = loadCorpus(new URL('../corpus/examples/', import.meta.url).pathname).find((x) => x.file.endsWith('integrity-stack-deployment.json'))!;
    const swapped = { ...e.scenario, lsm_order: ['capability', 'p0', 'hornet', 'ipe', 'late0', 'cw', 'bpf'] };
    expect(runScenario(e.scenario).results.map((r) => r.ret)).toEqual(['ok', 'ok', 'EACCES']);
    expect(runScenario(swapped).results.map((r) => r.ret)).toEqual(['EACCES', 'ok', 'EACCES']);
  });
});

describe('generators: integrity stacks (fc.statistics-style counts over a fixed sample)', () => {
  it('each stack dimension in at least 3% of 300 scenarios (stack: true, integrity-fixed, seed 9)', () => {
    const dims: Dimension[] = ['multi-provider', 'repeat-verdict', 'late-verdict', 'wrong-lsm-id', 'reentering-consumer', 'out-of-enum-verdict', 'positive-return'];
    const sample = fc.sample(scenarioArb({ profile: fixed, maxCommands: 40, integrity: { stack: true } }), { numRuns: 300, seed: 9 });
    const counts = Object.fromEntries(dims.map((d) => [d, 0])) as Record<Dimension, number>;
    for (const c of sample) for (const d of dimensionsOf(c.scenario, fixed, c.results).dims) if (d in counts) counts[d]++;
    console.log(dims.map((d) => `${d} ${((100 * counts[d]) / sample.length).toFixed(1)}%`).join(', '));
    for (const d of dims) expect(counts[d] / sample.length, d).toBeGreaterThanOrEqual(0.03);
  });
});
