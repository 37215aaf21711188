// The BPF-integrity layer (seed 002): the core signature check of 6.18 runs
// before any LSM hook; each integrity property holds where it should (the
// RFC as posted for the claims it keeps, integrity-fixed for all) -- the
// known-bad catches are in properties.test.ts.
// Longer campaigns: BPFTC_RUNS=20000 BPFTC_SEED=7 npm test

import { describe, expect, it } from 'vitest';
import { findProperty } from './index.ts';
import { checkProperty } from './check.ts';
import { findProfile } from '../model/profile.ts';
import { runScenario } from '../model/run.ts';
import type { Scenario, SignatureDecl } from '../scenario/types.ts';
import { validateScenario } from '../scenario/validate.ts';

const RUNS = Number(process.env.BPFTC_RUNS ?? 400);
const SEED = Number(process.env.BPFTC_SEED ?? 1);

/** where each integrity property must hold (besides linux-6.18, checked in properties.test.ts) */
const HOLDS_ON: Record<string, string[]> = {
  'integrity-verdicts-before-authz': ['integrity-rfc', 'integrity-fixed'],
  'integrity-failure-frees-and-rejects': ['integrity-rfc', 'integrity-fixed'],
  'integrity-free-once': ['integrity-fixed'],
  'integrity-post-integrity-reaches-caller': ['integrity-rfc', 'integrity-fixed'],
  'integrity-verdict-ok-iff-signed': ['integrity-fixed'],
  'integrity-hooks-see-token': ['integrity-fixed'],
  'integrity-order-independence': ['integrity-rfc', 'integrity-fixed'],
  'integrity-verdict-in-enum': ['integrity-fixed'],
  'integrity-late-verdict-no-effect': ['integrity-rfc', 'integrity-fixed'],
};

describe.each(Object.entries(HOLDS_ON))('property %s', (name, profiles) => {
  it.each(profiles)(`holds on %s (${RUNS} runs, seed ${SEED})`, (p) => {
    const prop = findProperty(name)!;
    const r = checkProperty(prop, findProfile(p)!, { runs: RUNS, seed: SEED });
    if (!r.ok) throw new Error(`${r.counterexample.violation.message} (seed ${SEED}, path ${r.counterexample.path})`);
    expect(r.runs).toBe(RUNS);
  });
});

function load(signature?: SignatureDecl, extra: Partial<Scenario> = {}): Scenario {
  return {
    format: 'bpftc/1',
    actors: [{ name: 'root', userns: 'init', kuid: 0, caps: 'all', mntns: 'init' }],
    steps: [signature ? { actor: 'root', op: 'prog_load', prog_type: 1, signature } : { actor: 'root', op: 'prog_load', prog_type: 1 }],
    ...extra,
  };
}

describe('6.18 core signature check (bpf_prog_verify_signature) before any LSM hook', () => {
  const cases: Array<[SignatureDecl, string]> = [
    [{ state: 'valid', keyring: 'builtin' }, 'ok'],
    [{ state: 'valid', keyring: 'session' }, 'ok'],
    [{ state: 'valid', keyring: 'missing' }, 'EINVAL'], // `if (!key) return -EINVAL;`
    [{ state: 'malformed', keyring: 'secondary' }, 'EBADMSG'], // pkcs7_parse_message()
    [{ state: 'bad', keyring: 'builtin' }, 'EKEYREJECTED'], // pkcs7_digest(): digest mismatch
    [{ state: 'untrusted_key', keyring: 'platform' }, 'ENOKEY'], // pkcs7_validate_trust()
  ];
  it.each(cases)('%j -> %s on linux-6.18 and integrity-rfc; a refusal runs no LSM callback and allocates no blob', (sig, want) => {
    for (const p of ['linux-6.18', 'integrity-rfc']) {
      const r = runScenario(load(sig, { ipe: { default: 'allow', rules: [] } }), { profile: findProfile(p)! });
      expect(r.results[0]!.ret).toBe(want);
      if (want !== 'ok') {
        expect(r.state.k.security.lsmTrace).toEqual([]);
        expect(r.state.k.security.blobs).toEqual({ alloc: 0, free: 0, doubleFree: 0 });
      }
    }
  });
});

describe('integrity-rfc: the RFC as posted', () => {
  it('IPE with the v4 cover-letter policy refuses unsigned user loads and allows loader (is_kernel) loads', () => {
    const ipe = { default: 'deny' as const, rules: [{ action: 'allow' as const, bpf_kernel: true }, { action: 'allow' as const, bpf_signature: 'OK' as const }] };
    const s = load(undefined, { ipe });
    s.steps.push({ actor: 'root', op: 'prog_load', prog_type: 1, kernel: true });
    const r = runScenario(s, { profile: findProfile('integrity-rfc')! });
    expect(r.results.map((x) => x.ret)).toEqual(['EACCES', 'ok']);
  });
  it('Hornet hard-wires the secondary keyring: a valid signature from the session keyring is PARTIALSIG', () => {
    const s = load({ state: 'valid', keyring: 'session', maps: 'match' }, { ipe: { default: 'deny', rules: [{ action: 'allow', bpf_signature: 'PARTIALSIG' }] } });
    expect(runScenario(s, { profile: findProfile('integrity-fixed')! }).results[0]!.ret).toBe('ok');
  });
  it('scenarios with signatures, loader loads and IPE policies validate', () => {
    const s = load({ state: 'valid', keyring: 'builtin', maps: 'match' }, { lsm_order: ['capability', 'hornet', 'ipe', 'bpf'], ipe: { default: 'deny', rules: [{ action: 'allow', bpf_signature: 'OK', bpf_keyring: 'builtin' }], fail_fast: ['BADSIG'] } });
    s.steps.push({ actor: 'root', op: 'prog_load', prog_type: 1, kernel: true, lsm: [{ action: 'bpf_lsm_deny', hook: 'bpf_prog_load_integrity', task: 'root', errno: 'EPERM' }] });
    expect(() => validateScenario(JSON.parse(JSON.stringify(s)))).not.toThrow();
    expect(() => validateScenario({ ...s, ipe: { default: 'maybe', rules: [] } })).toThrow(/\$\.ipe\.default/);
    expect(() => validateScenario({ ...s, steps: [{ actor: 'root', op: 'prog_load', prog_type: 1, signature: { state: 'valid', keyring: 'nope' } }] })).toThrow(/signature\.keyring/);
  });
});

describe('prog_load fault injection (issue 12)', () => {
  const sig: SignatureDecl = { state: 'valid', keyring: 'builtin', maps: 'match' };
  const run = (p: string, fault: 'blob_enomem' | 'provider_enomem' | 'sig_efault' | 'sig_short' | 'keyring') => {
    const s = load(sig, { ipe: { default: 'allow', rules: [] } });
    s.steps[0] = { ...s.steps[0]!, op: 'prog_load', prog_type: 1, signature: sig, fault } as Scenario['steps'][number];
    expect(() => validateScenario(JSON.parse(JSON.stringify(s)))).not.toThrow();
    return runScenario(s, { profile: findProfile(p)! });
  };
  it('blob_enomem: lsm_bpf_prog_alloc() fails, ENOMEM before any callback', () => {
    const r = run('integrity-rfc', 'blob_enomem');
    expect(r.results[0]!.ret).toBe('ENOMEM');
    // only the caller's free_prog_sec: security_bpf_prog_free() with a NULL blob
    expect(r.state.k.security.lsmTrace.filter((e) => e.hook !== 'security_bpf_prog_free' && e.hook !== 'bpf_prog_free')).toEqual([]);
    expect(r.state.k.security.blobs.alloc).toBe(0);
  });
  it('provider_enomem: Hornet returns -ENOMEM as is, no verdict delivered', () => {
    const r = run('integrity-rfc', 'provider_enomem');
    expect(r.results[0]!.ret).toBe('ENOMEM');
    expect(r.state.k.security.lsmTrace.some((e) => e.hook === 'deliver')).toBe(false);
  });
  it('sig_short / sig_efault: RFC 08/11 delivers the bytes NOT copied as the verdict; integrity-fixed refuses with EFAULT', () => {
    for (const [f, n] of [['sig_short', 256], ['sig_efault', 512]] as const) {
      const bad = run('integrity-rfc', f);
      expect(bad.state.k.security.lsmTrace.find((e) => e.hook === 'deliver')?.verdictValue).toBe(n);
      const good = run('integrity-fixed', f);
      expect(good.results[0]!.ret).toBe('EFAULT');
    }
  });
  it('keyring: the core check finds no key, EINVAL', () => {
    expect(run('integrity-rfc', 'keyring').results[0]!.ret).toBe('EINVAL');
  });
  it('integrity-verdict-in-enum is caught on integrity-rfc with a shrunk one-load counterexample', () => {
    const r = checkProperty(findProperty('integrity-verdict-in-enum')!, findProfile('integrity-rfc')!, { runs: 400, seed: 1 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.counterexample.violation.message).toMatch(/hornet delivered verdict (256|512), not a value of enum lsm_integrity_verdict/);
    expect(r.counterexample.scenario.steps.filter((s) => s.op === 'prog_load')).toHaveLength(1);
  });
});
