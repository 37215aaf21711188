// The LSM parts of generated scenarios (opt-in through GenOptions.lsm):
// security contexts for 2-4 domains, a thread sharing the container's fd
// table, random SELinux policies over the rules that matter (everything
// allowed but a few removed rules), the bpf_token_perms polcap, policies with
// or without the new permissions x handle_unknown, enforcing modes and
// permissive domains, policy reloads, BPF-LSM denials, fd-table races.

import fc from 'fast-check';
import { record } from './record.ts';
import { perKey } from './memo.ts';
import type { ActorDecl, PolicyDecl, SelinuxDecl } from '../scenario/types.ts';
import type { World } from './world.ts';
import type { Cmd } from './commands.ts';
import { BPF_LSM_HOOKS } from '../model/lsm/bpf_lsm.ts';
import { LSM_AT_HOOKS, type LsmAtHook } from '../scenario/vocab.ts';

export interface LsmGenOptions {
  /** fd-table races (another thread dup2/close) between the kernel's fd lookup and the hooks */
  races?: boolean;
  /** BPF-LSM programs denying one hook for one task */
  bpfLsm?: boolean;
  /** policy reloads between token creation and use (default true) */
  reloads?: boolean;
  /** polcap bpf_token_perms: always on, always off, or random (default) */
  polcap?: 'on' | 'off';
  /** policy reloads inside the syscall: half the reloads carry an `at`
   *  hook point (README "In-syscall policy loads") */
  inSyscall?: boolean;
  /** BPF-LSM programs that return any value (issue 12): half of them carry a
   *  `ret` (positive ones included, and values past -MAX_ERRNO) instead of -errno */
  anyRet?: boolean;
}

/** the raw returns a BPF-LSM program draws with anyRet: positive, the range's
 *  edges and just past them, the int extremes */
export const ANY_RETS = [1, 2, 0x7fffffff, -4095, -4096, -2147483648] as const;

export const DOMAINS = ['P_t', 'U_t', 'V_t', 'W_t'] as const;

/** the permissions whose presence or absence the token checks depend on */
const CANDIDATES: Array<[string, string]> = [
  ...['map_create', 'prog_load', 'map_create_as', 'prog_load_as', 'map_read', 'map_write', 'prog_run'].map((p): [string, string] => ['bpf', p]),
  ['cap_userns', 'sys_admin'],
  ['cap_userns', 'net_admin'],
  ['cap2_userns', 'bpf'],
  ['cap2_userns', 'perfmon'],
  ['fd', 'use'],
];

/** the rules the token checks name (grantor P_t, container domains U_t, V_t):
 *  first in the candidate order, so removals can aim at them */
const KEY: Array<{ s: string; t: string; c: string; p: string }> = [
  ...['map_create', 'prog_load'].flatMap((p) => ['U_t', 'V_t'].map((t) => ({ s: 'P_t', t, c: 'bpf', p }))),
  ...['map_create_as', 'prog_load_as'].flatMap((p) => ['U_t', 'V_t'].map((s) => ({ s, t: 'P_t', c: 'bpf', p }))),
  ...['bpf', 'perfmon'].flatMap((p) => ['U_t', 'V_t'].map((s) => ({ s, t: 'P_t', c: 'cap2_userns', p }))),
  ...['map_create', 'prog_load'].flatMap((p) => ['U_t', 'V_t'].map((s) => ({ s, t: s, c: 'bpf', p }))),
  { s: 'P_t', t: 'U_t', c: 'fd', p: 'use' },
  { s: 'U_t', t: 'P_t', c: 'fd', p: 'use' },
  { s: 'V_t', t: 'U_t', c: 'fd', p: 'use' },
];
export const KEY_COUNT = KEY.length;

/** the key rules among n domains (they come first in candidates(n)) */
function keyCount(n: number): number {
  const doms = DOMAINS.slice(0, n) as readonly string[];
  return KEY.filter((x) => doms.includes(x.s) && doms.includes(x.t)).length;
}

/** every (source, target, class, perm) candidate over n domains, key rules first */
function candidates(n: number): Array<{ s: string; t: string; c: string; p: string }> {
  return candidatesOf(n).cands;
}

/** candidates(n) and their "s t:class" groups in first-appearance order, made
 *  once per n (issue 13: policyRules() made them for every generated policy) */
const candidatesOf = perKey((n: number): { cands: Array<{ s: string; t: string; c: string; p: string }>; groups: Array<{ key: string; perms: string[]; idx: number[] }> } => {
  const cands = makeCandidates(n);
  const byKey = new Map<string, { key: string; perms: string[]; idx: number[] }>();
  cands.forEach((x, idx) => {
    const key = `${x.s} ${x.t}:${x.c}`;
    const g = byKey.get(key) ?? { key, perms: [], idx: [] };
    g.perms.push(x.p);
    g.idx.push(idx);
    byKey.set(key, g);
  });
  return { cands, groups: [...byKey.values()] };
});

function makeCandidates(n: number): Array<{ s: string; t: string; c: string; p: string }> {
  const doms = DOMAINS.slice(0, n) as readonly string[];
  const key = KEY.filter((x) => doms.includes(x.s) && doms.includes(x.t));
  const same = (a: { s: string; t: string; c: string; p: string }, b: typeof a): boolean => a.s === b.s && a.t === b.t && a.c === b.c && a.p === b.p;
  const out: Array<{ s: string; t: string; c: string; p: string }> = [...key];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      for (const [c, p] of CANDIDATES) {
        if (i === j && c !== 'bpf') continue; // self capabilities and fds: always allowed
        const x = { s: DOMAINS[i]!, t: DOMAINS[j]!, c, p };
        if (!key.some((k) => same(k, x))) out.push(x);
      }
  return out;
}

/** the rules of n domains that no removal touches (each domain's capabilities), and each
 *  group's rule with none of its permissions removed: the same texts for every policy of
 *  n domains, made once (issue 13: a twentieth of a SELinux campaign's allocations) */
const fixedRulesOf = perKey((n: number): { base: readonly string[]; whole: readonly string[] } => {
  const base: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = DOMAINS[i]!;
    for (const c of ['capability', 'capability2', 'cap_userns', 'cap2_userns']) base.push(`${d} ${d}:${c} *`);
  }
  const whole = candidatesOf(n).groups.map((g) => `${g.key} ${g.key.endsWith(':bpf') ? '*' : g.perms.join(' ')}`);
  return { base, whole };
});

/** allow rules: every domain holds its own capabilities; every candidate rule
 *  not removed; grouped as "s t:class perms" ("*" for a complete class) */
export function policyRules(n: number, removed: number[]): string[] {
  const { base, whole } = fixedRulesOf(n);
  const rules: string[] = [...base];
  const { cands, groups } = candidatesOf(n);
  const gone = new Set(removed.map((r) => r % cands.length));
  groups.forEach((g, k) => {
    const kept = gone.size ? g.perms.filter((_, j) => !gone.has(g.idx[j]!)) : g.perms;
    if (!kept.length) return;
    if (kept.length === g.perms.length) rules.push(whole[k]!);
    else rules.push(`${g.key} ${kept.join(' ')}`);
  });
  return rules;
}

export function policyArb(n: number, o: LsmGenOptions): fc.Arbitrary<PolicyDecl> {
  const total = candidates(n).length;
  return record({
      removed: fc.oneof(
        // exactly one hole in the rules the token checks name: the policy
        // shapes of the findings (P_t -> U_t prog_load missing, V_t -> P_t *_as missing)
        // (the first eight key rules, the create and *_as rules between the
        // grantor and the containers, three times as often as the others)
        {
          weight: 8,
          arbitrary: fc
            .oneof({ weight: 3, arbitrary: fc.nat({ max: Math.min(8, keyCount(n)) - 1 }) }, { weight: 1, arbitrary: fc.nat({ max: keyCount(n) - 1 }) })
            .map((i) => [i]),
        },
        { weight: 4, arbitrary: fc.uniqueArray(fc.nat({ max: Math.min(KEY_COUNT, total) - 1 }), { maxLength: 2 }) },
        { weight: 3, arbitrary: fc.uniqueArray(fc.nat({ max: total - 1 }), { maxLength: 6 }) },
        { weight: 1, arbitrary: fc.uniqueArray(fc.nat({ max: total - 1 }), { maxLength: 40 }) },
      ),
      polcap: o.polcap ? fc.constant(o.polcap === 'on') : fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      defines: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      unknown: fc.constantFrom('deny' as const, 'allow' as const, 'reject' as const),
      enforcing: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      permissive: fc.option(fc.nat({ max: n - 1 }), { freq: 6 }),
    })
    .map(({ removed, polcap, defines, unknown, enforcing, permissive }) => {
      const p: PolicyDecl = { allow: policyRules(n, removed) };
      if (polcap) p.polcap = ['bpf_token_perms'];
      if (!defines) {
        p.defines_token_perms = false;
        p.handle_unknown = unknown;
      }
      if (!enforcing) p.enforcing = false;
      if (permissive !== null) p.permissive = [DOMAINS[permissive]!];
      return p;
    });
}

export interface LsmSetup {
  /** number of domains (2-4) */
  domains: number;
  /** context index per actor slot */
  contexts: number[];
  /** the container thread's context (same as c1's most of the time) */
  threadContext: number | null;
  policy: PolicyDecl;
  /** no policy at boot: a policy_load comes later */
  loadedAtBoot: boolean;
  /** a world made for token use across domains: the container's c1 (U_t)
   *  and a second container task c2 (V_t with 3+ domains) hold every
   *  capability, so tokens get created, passed and used */
  focus: boolean;
}

export function lsmSetupArb(o: LsmGenOptions): fc.Arbitrary<LsmSetup> {
  // one record per number of domains, not one per generated case (issue 13)
  return fc.integer({ min: 2, max: 4 }).chain(
    perKey((n: number): fc.Arbitrary<LsmSetup> =>
      record({
      domains: fc.constant(n),
      contexts: fc.array(fc.nat({ max: n - 1 }), { minLength: 8, maxLength: 8 }),
      threadContext: fc.option(fc.nat({ max: n - 1 }), { freq: 4 }),
      policy: policyArb(n, o),
      loadedAtBoot: fc.oneof({ weight: 8, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      focus: fc.boolean(),
      }),
    ),
  );
}

/** contexts: root P_t, c1 U_t, c2 V_t (or U_t with 2 domains), others drawn;
 *  a thread c1t of c1 (shares its fd table) */
export function lsmWorld(w: World, l: LsmSetup): { world: World; selinux: SelinuxDecl } {
  const fixed: Record<string, number> = { root: 0, c1: 1, c2: Math.min(2, l.domains - 1) };
  let base = w.actors;
  if (l.focus) {
    // c1 and c2 (actor indices 1 and 2) in u1 with every capability
    const c1 = base.find((a) => a.name === 'c1')!;
    const u1 = w.userns.find((u) => u.name === 'u1')!;
    const c2: ActorDecl = base.find((a) => a.name === 'c2') ?? { name: 'c2', userns: 'u1', kuid: u1.map.base + u1.map.count - 1, caps: 'all' };
    base = [base[0]!, { ...c1, caps: 'all' }, { ...c2, caps: 'all' }, ...base.filter((a) => a.name !== 'root' && a.name !== 'c1' && a.name !== 'c2')];
  }
  const actors: ActorDecl[] = base.map((a, i) => ({ ...a, context: DOMAINS[fixed[a.name] ?? l.contexts[i]! % l.domains]! }));
  const c1 = actors.find((a) => a.name === 'c1')!;
  actors.push({
    name: 'c1t',
    userns: c1.userns,
    kuid: c1.kuid,
    caps: c1.caps,
    thread_of: 'c1',
    context: l.threadContext === null ? c1.context! : DOMAINS[l.threadContext]!,
  });
  const selinux: SelinuxDecl = l.loadedAtBoot ? { ...l.policy } : { ...l.policy, loaded: false };
  return { world: { userns: w.userns, actors }, selinux };
}

/** LSM commands mixed into the command list */
export type LsmCmd =
  | { k: 'policy_load'; policy: PolicyDecl; at?: LsmAtHook }
  | { k: 'bpf_lsm_deny'; hook: string; to: number; errno: string; ret?: number }
  | { k: 'race_next'; op: 'dup2' | 'close'; h: number };

export function lsmCmdArb(n: number, o: LsmGenOptions): fc.Arbitrary<LsmCmd> {
  const arbs: Array<fc.WeightedArbitrary<LsmCmd>> = [];
  if (o.reloads !== false)
    arbs.push({
      weight: 1,
      arbitrary: o.inSyscall
        ? fc
            .tuple(policyArb(n, o), fc.option(fc.constantFrom(...LSM_AT_HOOKS), { freq: 2 }))
            .map(([policy, at]): LsmCmd => (at === null ? { k: 'policy_load', policy } : { k: 'policy_load', policy, at }))
        : policyArb(n, o).map((policy) => ({ k: 'policy_load' as const, policy })),
    });
  if (o.bpfLsm) {
    const deny = record({
      k: fc.constant('bpf_lsm_deny' as const),
      hook: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('bpf_token_cmd', 'bpf_token_capable') }, { weight: 1, arbitrary: fc.constantFrom(...BPF_LSM_HOOKS) }),
      to: fc.oneof({ weight: 3, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.nat({ max: 7 }) }),
      errno: fc.constantFrom('EPERM', 'EACCES'),
    });
    // anyRet: a raw return in half of them (fc.option shrinks it away: back to -errno)
    const arbitrary: fc.Arbitrary<LsmCmd> = o.anyRet
      ? fc.tuple(deny, fc.option(fc.constantFrom(...ANY_RETS), { freq: 2 })).map(([d, ret]): LsmCmd => (ret === null ? d : { ...d, ret }))
      : deny;
    arbs.push({ weight: 1, arbitrary });
  }
  if (o.races)
    arbs.push({ weight: 6, arbitrary: record({ k: fc.constant('race_next' as const), op: fc.constantFrom('dup2' as const, 'close' as const), h: fc.nat({ max: 1000 }) }) });
  if (!arbs.length) return fc.constant({ k: 'race_next', op: 'close', h: 0 });
  return fc.oneof(...arbs);
}

/** Token life across domains (compiled by the ordinary compiler): the
 *  canonical hand-off (c1 opens, the grantor root delegates map_create and/or
 *  prog_load with common types and creates the superblock, c1 creates the
 *  token), sometimes the token passed to another task (c2 most often: another
 *  domain, finding 4's shape), then token-backed map_create / prog_load of
 *  delegated types by the holder or by c1 (finding 1's shape is a
 *  prog_load by c1). With `pre`, some uses are preceded by an LSM command
 *  (a policy reload, a BPF-LSM program, a race), which the compiler attaches
 *  to the use step itself: the claims range over reloads on the very step
 *  that uses the token. */
export function tokenLifeArbWith(pre?: fc.Arbitrary<Cmd>): fc.Arbitrary<Cmd[]> {
  return record({
      cmds: fc.oneof(
        { weight: 3, arbitrary: fc.constant('map_create:prog_load') },
        { weight: 1, arbitrary: fc.constantFrom('map_create', 'prog_load', 'any') },
      ),
      maps: fc.constantFrom('array:hash:stack:queue', 'any', 'stack'),
      progs: fc.constantFrom('socket_filter:xdp:kprobe', 'any', 'socket_filter'),
      pass: fc.option(fc.oneof({ weight: 4, arbitrary: fc.constant(2) }, { weight: 1, arbitrary: fc.nat({ max: 7 }) }), { freq: 3 }),
      uses: fc.array(
        record({
          prog: fc.boolean(),
          byCreator: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
          type: fc.nat({ max: 100 }),
          h: fc.nat({ max: 100 }),
          pre: pre ? fc.option(pre, { freq: 2 }) : fc.constant(null),
        }),
        { minLength: 1, maxLength: 4 },
      ),
    })
    .map(({ cmds, maps, progs, pass, uses }) => {
      const out: Cmd[] = [
        {
          k: 'flow',
          opener: 1,
          grantor: 0,
          tokenBy: -1,
          opts: [
            { key: 'delegate_cmds', value: cmds },
            { key: 'delegate_maps', value: maps },
            { key: 'delegate_progs', value: progs },
            { key: 'delegate_attachs', value: 'any' },
          ],
          create: true,
          variant: 'root',
          reconf: [],
        },
      ];
      if (pass !== null) out.push({ k: 'pass_token', a: 1, h: 0, to: pass });
      const holder = pass ?? 1;
      for (const u of uses) {
        const a = u.byCreator ? 1 : holder;
        // h = 1 (mod 4): the compiler picks a type the token delegates
        const tok = { use: 'token' as const, h: 4 * u.h + 1 };
        if (u.pre) out.push(u.pre);
        out.push(u.prog ? { k: 'prog_load', a, type: u.type, eat: null, insns: 2, flags: 0, tok } : { k: 'map_create', a, type: u.type, attr: null, tok });
      }
      return out;
    });
}

export const tokenLifeArb: fc.Arbitrary<Cmd[]> = tokenLifeArbWith();

/** the LSM commands a generator with these options draws, each kind equally
 *  often (for tokenLifeArbWith's per-use administration), or null for none */
export function lsmPreArb(n: number, o: LsmGenOptions): fc.Arbitrary<LsmCmd> | null {
  const kinds: Array<fc.Arbitrary<LsmCmd>> = [];
  if (o.reloads !== false) kinds.push(lsmCmdArb(n, { ...o, bpfLsm: false, races: false }));
  if (o.bpfLsm) kinds.push(lsmCmdArb(n, { ...o, reloads: false, races: false }));
  if (o.races) kinds.push(lsmCmdArb(n, { ...o, reloads: false, bpfLsm: false }));
  return kinds.length ? fc.oneof(...kinds) : null;
}
