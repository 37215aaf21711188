// The BPF-integrity parts of generated scenarios (opt-in through
// GenOptions.integrity; seed 002 and spec/integrity-rfc.md): program
// loads with signatures in every state and keyring (and Hornet's map-hash
// attribute), loads from a signed loader program (is_kernel), LSM orders
// (capability first, ipe/hornet/bpf in any order, IPE sometimes absent),
// IPE policies, and BPF-LSM programs denying the prog-load hooks.

import fc from 'fast-check';
import { record } from './record.ts';
import type { ProgLoadFault } from '../model/include/linux/bpf.ts';
import type { IpePolicyDecl, SignatureDecl, VerdictName } from '../scenario/types.ts';
import type { Cmd, TokenChoice } from './commands.ts';
import { cmdArb, flowArb } from './commands.ts';
import { type Compiled, type ScenarioExtra, compile } from './compile.ts';
import { type ConsumerDecl, type IntegrityStackDecl, type ProviderDecl, type VerdictValue, declaredNames } from '../scenario/integrity.ts';
import type { GenOptions } from './scenario.ts';
import { worldArb } from './world.ts';

export interface IntegrityGenOptions {
  /** BPF-LSM programs on bpf_prog_load_integrity / _post_integrity / bpf_prog_load (default true) */
  bpfLsm?: boolean;
  /** random LSM orders (default true; only with a profile that has the framework) */
  orders?: boolean;
  /** loads from a loader program through bpf_sys_bpf(): is_kernel (default true) */
  kernelLoads?: boolean;
  /** declared integrity providers and consumers (scenario `integrity`,
   *  issue 12) in about half the scenarios, placed anywhere in lsm= (default
   *  false); 'late': in 7/8 of the scenarios, providers delivering after bpf() returned more often;
   *  'conforming': only providers that keep seed 002's rules for providers */
  stack?: boolean | 'late' | 'conforming';
  /** signed loads whose fd_array holds 1-3 maps the loader makes first (fd_array_cnt
   *  binds them), and in half of them a thread of the loader (actor 0's, added to the
   *  world) dup2()s another map onto the first entry between Hornet's read of the array
   *  and the verifier's (race at "fd_array") (default false) */
  fdArray?: boolean;
}

const VERDICTS: readonly VerdictName[] = ['NONE', 'OK', 'UNSIGNED', 'PARTIALSIG', 'BADSIG'];

/** a signature: mostly well-formed and valid in a system keyring, so loads
 *  reach the LSM hooks; every other state and keyring too */
export const signatureArb: fc.Arbitrary<SignatureDecl> = record({
    state: fc.oneof(
      { weight: 6, arbitrary: fc.constant('valid' as const) },
      { weight: 1, arbitrary: fc.constantFrom('bad' as const, 'untrusted_key' as const, 'malformed' as const) },
    ),
    keyring: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('builtin' as const, 'secondary' as const) },
      { weight: 2, arbitrary: fc.constantFrom('platform' as const, 'session' as const, 'user' as const) },
      { weight: 1, arbitrary: fc.constant('missing' as const) },
    ),
    maps: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('none' as const, 'match' as const, 'match' as const, 'mismatch' as const) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    ),
  })
  .map(({ state, keyring, maps }) => (maps === undefined ? { state, keyring } : { state, keyring, maps }));

const noToken: fc.Arbitrary<TokenChoice> = record({ use: fc.constant('none' as const), h: fc.nat({ max: 1000 }) });
const withToken: fc.Arbitrary<TokenChoice> = record({ use: fc.constant('token' as const), h: fc.nat({ max: 1000 }) });

/** a program load aimed at the LSM hooks, signed most of the time: by the
 *  grantor (actor 0, all capabilities) without a token, or by the container
 *  (actor 1, the token's creator in a hand-off) through its token */
/** an injected fault on the load's integrity path (scenario prog_load `fault`):
 *  mostly none, each fault point in a few percent of loads; 'none' first so it
 *  is what a fault shrinks to */
export const faultArb: fc.Arbitrary<ProgLoadFault> = fc.oneof(
  { weight: 12, arbitrary: fc.constant('none' as const) },
  { weight: 5, arbitrary: fc.constantFrom('blob_enomem' as const, 'provider_enomem' as const, 'sig_efault' as const, 'sig_short' as const, 'keyring' as const) },
);

export function signedLoadArb(o: IntegrityGenOptions): fc.Arbitrary<Cmd> {
  // withCrossShrink: a load by another actor shrinks to one by actor 0
  const who = fc.oneof(
    { withCrossShrink: true },
    { weight: 5, arbitrary: record({ a: fc.constant(0), tok: noToken }) },
    { weight: 3, arbitrary: record({ a: fc.constant(1), tok: withToken }) },
    { weight: 1, arbitrary: record({ a: fc.nat({ max: 7 }), tok: fc.oneof(noToken, withToken) }) },
  );
  return record({
      who,
      type: fc.constantFrom(1, 1, 1, 2, 6, 8, 9, 17),
      sig: fc.option(signatureArb, { freq: 4 }),
      kernel: o.kernelLoads === false ? fc.constant(false) : fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      fault: faultArb,
      // thaw: the maps left unfrozen (a bit per map; Hornet hashes only frozen ones)
      // poke: after the load, an update of one of its maps (op map_update_elem), now and then
      fda: o.fdArray
        ? fc.option(
            fc.record(
              {
                n: fc.integer({ min: 1, max: 3 }),
                swap: fc.boolean(),
                thaw: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 15 }) }),
                poke: fc.nat({ max: 3 }),
              },
              { requiredKeys: ['n', 'swap', 'thaw'] },
            ),
            { freq: 2 },
          )
        : fc.constant(null),
    })
    .map(({ who, type, sig, kernel, fault, fda }): Cmd => {
      const c: Cmd = { k: 'prog_load', a: who.a, type, eat: null, insns: 2, flags: 0, tok: who.tok };
      if (fda) c.fda = fda;
      if (sig) c.sig = sig;
      if (kernel) c.kernel = true;
      if (fault !== 'none') c.fault = fault;
      return c;
    });
}

export const PROG_LOAD_HOOKS = ['bpf_prog_load_integrity', 'bpf_prog_load_post_integrity', 'bpf_prog_load'] as const;

/** a BPF-LSM program denying one prog-load hook for one task */
const denyArb: fc.Arbitrary<Cmd> = record({
  k: fc.constant('bpf_lsm_deny' as const),
  hook: fc.constantFrom(...PROG_LOAD_HOOKS),
  to: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.nat({ max: 7 }) }),
  errno: fc.constantFrom('EPERM', 'EACCES', 'EKEYREJECTED'),
});

/** the lsm= order: capability first, then ipe/hornet/bpf permuted, IPE sometimes left out */
export const orderArb: fc.Arbitrary<string[]> = record({ perm: fc.constantFrom([0, 1, 2], [0, 1, 2], [1, 0, 2], [0, 2, 1], [2, 0, 1], [1, 2, 0], [2, 1, 0]), ipe: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }) })
  .map(({ perm, ipe }) => ['capability', ...perm.map((i) => ['ipe', 'hornet', 'bpf'][i]!).filter((n) => ipe || n !== 'ipe')]);

/** an IPE policy: the v4 cover letter's (default deny; allow is_kernel; allow
 *  OK), optionally a keyring condition, other rules, fail-fast verdicts */
export const ipePolicyArb: fc.Arbitrary<IpePolicyDecl> = record({
    def: fc.oneof({ weight: 4, arbitrary: fc.constant('deny' as const) }, { weight: 1, arbitrary: fc.constant('allow' as const) }),
    kernel: fc.boolean(),
    keyring: fc.option(fc.constantFrom('builtin' as const, 'secondary' as const, 'platform' as const), { freq: 3 }),
    extra: fc.array(
      record({
        action: fc.constantFrom('allow' as const, 'deny' as const),
        bpf_signature: fc.constantFrom(...VERDICTS),
      }),
      { maxLength: 2 },
    ),
    failFast: fc.option(fc.uniqueArray(fc.constantFrom(...VERDICTS), { minLength: 1, maxLength: 2 }), { freq: 4 }),
  })
  .map(({ def, kernel, keyring, extra, failFast }) => {
    const rules: IpePolicyDecl['rules'] = [];
    if (kernel) rules.push({ action: 'allow', bpf_kernel: true });
    rules.push(keyring ? { action: 'allow', bpf_signature: 'OK', bpf_keyring: keyring } : { action: 'allow', bpf_signature: 'OK' });
    rules.push(...extra);
    const p: IpePolicyDecl = { default: def, rules };
    if (failFast) p.fail_fast = failFast;
    return p;
  });

/** a declared verdict: mostly an enumerator, sometimes an int outside the
 *  enum (Hornet's not-copied counts 256 and 512, the next value 5, -1);
 *  'OK' first, so a verdict shrinks to the default */
const declVerdictArb: fc.Arbitrary<VerdictValue> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom<VerdictValue>('OK', 'BADSIG', 'UNSIGNED', 'PARTIALSIG', 'NONE') },
  { weight: 1, arbitrary: fc.constantFrom<VerdictValue>(5, 256, 512, -1) },
);

/** the lsm_ids a declared LSM may pass besides its own: Hornet's, IPE's, the
 *  BPF LSM's (wrong ones) and the defaults of the first declared LSMs (duplicated ones) */
const OTHER_LSM_IDS = [114, 113, 109, 200, 201, 202] as const;

/** a provider that keeps every rule seed 002 states for one: it delivers
 *  from its bpf_prog_load_integrity callback (once or twice), a value of the
 *  enum, under its own lsm_id, and returns post_integrity's result */
const conformingProviderArb = (name: string): fc.Arbitrary<ProviderDecl> =>
  record({
      twice: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      verdict: fc.constantFrom<VerdictName>('OK', 'BADSIG', 'UNSIGNED', 'PARTIALSIG', 'NONE'),
      second: fc.constantFrom<VerdictName>('OK', 'BADSIG', 'UNSIGNED', 'PARTIALSIG', 'NONE'),
    })
    .map(({ twice, verdict, second }) => {
      const p: ProviderDecl = { name };
      if (twice) p.deliveries = 'twice';
      if (verdict !== 'OK') p.verdict = verdict;
      if (twice && second !== verdict) p.second_verdict = second;
      return p;
    });

const providerArb = (name: string, late: boolean): fc.Arbitrary<ProviderDecl> =>
  record({
      lsm_id: fc.option(fc.constantFrom(...OTHER_LSM_IDS), { freq: 6 }),
      deliveries: fc.oneof(
        { weight: 5, arbitrary: fc.constant('once' as const) },
        { weight: 3, arbitrary: fc.constantFrom('never' as const, 'twice' as const, 'after_return' as const) },
        { weight: late ? 6 : 0, arbitrary: fc.constant('after_return' as const) },
      ),
      verdict: declVerdictArb,
      second: declVerdictArb,
      // -1 EPERM: refuses itself; 0: drops a consumer's refusal; 1: a positive value
      ret: fc.option(fc.constantFrom(0, -1, 1), { freq: 8 }),
    })
    .map(({ lsm_id, deliveries, verdict, second, ret }) => {
      const p: ProviderDecl = { name };
      if (lsm_id !== null) p.lsm_id = lsm_id;
      if (deliveries !== 'once') p.deliveries = deliveries;
      if (verdict !== 'OK') p.verdict = verdict;
      if (deliveries === 'twice' && second !== verdict) p.second_verdict = second;
      if (ret !== null) p.ret = ret;
      return p;
    });

const consumerArb = (name: string): fc.Arbitrary<ConsumerDecl> =>
  record({
      lsm_id: fc.option(fc.constantFrom(...OTHER_LSM_IDS), { freq: 8 }),
      keep: fc.constantFrom('last' as const, 'first' as const, 'worst' as const),
      reenter: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      allow: fc.constantFrom<VerdictName[]>(['OK'], ['OK', 'UNSIGNED'], ['OK', 'NONE'], ['UNSIGNED', 'PARTIALSIG', 'BADSIG']),
      fail_fast: fc.option(fc.constantFrom<VerdictName[]>(['BADSIG'], ['BADSIG', 'PARTIALSIG'], ['OK']), { freq: 5 }),
      trust: fc.option(fc.constantFrom<number[]>([114], [200], [200, 201], [114, 200]), { freq: 5 }),
    })
    .map(({ lsm_id, keep, reenter, allow, fail_fast, trust }) => {
      const c: ConsumerDecl = { name };
      if (lsm_id !== null) c.lsm_id = lsm_id;
      if (keep !== 'last') c.keep = keep;
      if (reenter) c.reenter = true;
      if (allow.join() !== 'OK') c.allow = allow;
      if (fail_fast) c.fail_fast = fail_fast;
      if (trust) c.trust = trust;
      return c;
    });

/** a declaration (0-3 providers p0.., 0-2 consumers c0..) and where each
 *  declared LSM goes in lsm= (null: the default, after the others) */
export const stackArb = (kind: true | 'late' | 'conforming'): fc.Arbitrary<{ decl: IntegrityStackDecl; at: Array<number | null>; hornet: boolean }> => {
  // each declared LSM with its place in lsm= (null: appended); no chain(), so
  // every part shrinks on its own (an LSM away, a field to its default)
  const at = fc.option(fc.nat({ max: 6 }), { freq: 2 });
  const provider = kind === 'conforming' ? conformingProviderArb('') : providerArb('', kind === 'late');
  return record({
      providers: fc.array(fc.tuple(provider, at), { maxLength: 3 }),
      consumers: fc.array(fc.tuple(consumerArb(''), at), { maxLength: 2 }),
      // Hornet left out of lsm= in a quarter of the scenarios (the declared providers alone)
      // ('late': in half, so the late verdict is the only one a consumer gets)
      hornet: fc.oneof({ weight: kind === 'late' ? 1 : 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    })
    .map(({ providers, consumers, hornet }) => {
      const decl: IntegrityStackDecl = {};
      if (providers.length) decl.providers = providers.map(([p], i) => ({ ...p, name: `p${i}` }));
      if (consumers.length) decl.consumers = consumers.map(([c], i) => ({ ...c, name: `c${i}` }));
      return { decl, at: [...providers, ...consumers].map(([, a]) => a), hornet };
    });
};

/** the lsm= order with the declared LSMs inserted after capability at their
 *  positions (null: appended); null when every one is appended to the default */
export function placeDeclared(base: string[] | null, profileOrder: readonly string[], names: readonly string[], at: ReadonlyArray<number | null>, hornet = true): string[] | null {
  if (base === null && hornet && at.every((x) => x === null)) return null;
  const order = [...(base ?? profileOrder)].filter((n) => hornet || n !== 'hornet');
  names.forEach((n, i) => {
    const a = at[i];
    if (a === null || a === undefined) order.push(n);
    else order.splice(Math.min(1 + a, order.length), 0, n);
  });
  return order;
}

/** the canonical hand-off from the bpffs root (the mount variants are not
 *  what these claims are about, and the root variant shrinks shortest) */
const rootFlowArb: fc.Arbitrary<Cmd> = flowArb.map((f) => (f.k === 'flow' ? { ...f, variant: 'root' as const } : f));

export function integrityScenarioArb(o: GenOptions, io: IntegrityGenOptions, sysctl: fc.Arbitrary<0 | 1 | 2>): fc.Arbitrary<Compiled> {
  const framework = o.profile.integrity !== undefined;
  const arbs: Array<fc.WeightedArbitrary<Cmd>> = [
    { weight: 3, arbitrary: cmdArb },
    { weight: 5, arbitrary: signedLoadArb(io) },
  ];
  if (io.bpfLsm !== false) arbs.push({ weight: 1, arbitrary: denyArb });
  return record({
      world: worldArb(o.grantor),
      sysctl,
      flows: fc.oneof({ weight: 3, arbitrary: fc.array(rootFlowArb, { minLength: 1, maxLength: 2 }) }, { weight: 2, arbitrary: fc.constant([]) }),
      cmds: fc.array(fc.oneof(...arbs), { minLength: 1, maxLength: o.maxCommands ?? 40, size: o.size ?? 'medium' }),
      order: framework && io.orders !== false ? fc.option(orderArb, { freq: 2 }) : fc.constant(null),
      ipe: framework ? fc.option(ipePolicyArb, { freq: 6 }) : fc.constant(null),
      stack: io.stack !== undefined && io.stack !== false ? fc.option(stackArb(io.stack), { freq: io.stack === 'late' ? 8 : 2 }) : fc.constant(null),
    })
    .map(({ world: w, sysctl, flows, cmds, order, ipe, stack }) => {
      // fdArray: a thread of actor 0 (the one that races its fd_array)
      const a0 = w.actors[0]!;
      const world = io.fdArray ? { ...w, actors: [...w.actors, { name: `${a0.name}t`, userns: a0.userns, kuid: a0.kuid, caps: a0.caps, thread_of: a0.name }] } : w;
      const extra: ScenarioExtra = {};
      if (order) extra.lsm_order = order;
      if (ipe) extra.ipe = ipe;
      if (stack && (stack.decl.providers || stack.decl.consumers)) {
        extra.integrity = stack.decl;
        const placed = placeDeclared(order, o.profile.lsm?.order ?? ['capability'], declaredNames(stack.decl), stack.at, stack.hornet);
        if (placed) extra.lsm_order = placed;
        else delete extra.lsm_order;
      }
      return compile(world, o.profile, sysctl, [...flows, ...cmds], undefined, extra);
    });
}
