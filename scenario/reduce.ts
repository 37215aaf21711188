// Pure reductions of a trace, shared by the three shrinkers (property
// counterexamples, spec-version diff witnesses, model/kernel disagreements):
// greedy step removal, dropping unused declarations, renumbering handles.
// Each caller re-checks the reduced trace with its own predicate.

import { type ConsumerDecl, type IntegrityStackDecl, type ProviderDecl, declaredNames } from './integrity.ts';
import type { ActorDecl, LsmAction, PolicyDecl, Scenario, SelinuxDecl, Step } from './types.ts';

/** Greedy delta debugging over steps, largest chunks first: removes steps
 *  while `keep` still holds, up to `budget` tries. */
export function reduceSteps(s0: Scenario, keep: (s: Scenario) => boolean, budget = Infinity): Scenario {
  let s = s0;
  let tries = 0;
  for (let chunk = Math.max(1, s.steps.length >> 1); chunk >= 1; chunk >>= 1) {
    for (let i = s.steps.length - chunk; i >= 0 && tries < budget; i--) {
      const cand: Scenario = { ...s, steps: [...s.steps.slice(0, i), ...s.steps.slice(i + chunk)] };
      tries++;
      if (keep(cand)) {
        s = cand;
        i = Math.min(i, s.steps.length - chunk + 1);
      }
    }
  }
  return s;
}

/** Actors/userns referenced by the steps (and by the declarations they need). */
export function pruneDecls(s: Scenario): Scenario {
  const used = new Set<string>();
  for (const st of s.steps) {
    used.add(st.actor);
    if (st.op === 'send_fd') used.add(st.to);
    if (st.op === 'setns') used.add(st.of);
    if (st.op === 'fork') used.add(st.child);
    // the thread that races the step, and the task a BPF-LSM program refuses,
    // are actors the step needs (dropping them left the model without the task)
    if ('race' in st && st.race) used.add(st.race.actor);
    for (const act of st.lsm ?? []) if (act.action === 'bpf_lsm_deny') used.add(act.task);
  }
  // declarations an used actor depends on
  let grew = true;
  while (grew) {
    grew = false;
    for (const a of s.actors) {
      if (!used.has(a.name)) continue;
      for (const dep of [a.mntns, a.thread_of, a.fork_of]) {
        if (dep && dep !== 'own' && dep !== 'init' && !used.has(dep)) {
          used.add(dep);
          grew = true;
        }
      }
    }
  }
  const actors = s.actors.filter((a) => used.has(a.name));
  const ns = new Set<string>(actors.map((a) => a.userns));
  let more = true;
  while (more) {
    more = false;
    for (const u of s.userns ?? []) if (ns.has(u.name) && u.parent !== 'init' && !ns.has(u.parent)) {
      ns.add(u.parent);
      more = true;
    }
  }
  const userns = (s.userns ?? []).filter((u) => ns.has(u.name));
  const out: Scenario = { ...s, actors, steps: s.steps };
  if (s.userns !== undefined) out.userns = userns;
  return out;
}

/** handle-valued fields of a step and of its race declaration */
const HANDLE_FIELDS = ['fd', 'dirfd', 'bpffs', 'token', 'btf'] as const;

/** renumber handles in order of definition (fs1, mnt2, dir3 ...): the
 *  generator's counters leave gaps once steps are removed, and a trace that
 *  reads fs1..tok5 is quicker to follow. Unchanged if a name is defined twice
 *  or a new name would collide with a handle referenced but never defined. */
export function renumberHandles(s: Scenario): Scenario {
  const map = new Map<string, string>();
  for (const st of s.steps) {
    if (st.as === undefined) continue;
    if (map.has(st.as)) return s;
    map.set(st.as, `${st.as.replace(/\d+$/, '') || 'h'}${map.size + 1}`);
  }
  const rn = (h: string): string => map.get(h) ?? h;
  const newNames = new Set(map.values());
  let collision = false;
  const steps = s.steps.map((st) => {
    const o: Record<string, unknown> = { ...st };
    const fields: string[] = [...HANDLE_FIELDS];
    if (st.op === 'dup2') fields.push('to'); // send_fd's `to` is an actor
    for (const f of fields) {
      const v = o[f];
      if (typeof v !== 'string') continue;
      if (!map.has(v) && newNames.has(v)) collision = true;
      o[f] = rn(v);
    }
    if (st.as !== undefined) o.as = rn(st.as);
    if ('race' in st && st.race) {
      const r = { ...st.race, fd: rn(st.race.fd) };
      if (st.race.to !== undefined) r.to = rn(st.race.to);
      if ((!map.has(st.race.fd) && newNames.has(st.race.fd))) collision = true;
      o.race = r;
    }
    return o as unknown as Scenario['steps'][number];
  });
  return collision ? s : { ...s, steps };
}

// ---------------------------------------------------------------------------
// Every other part of a trace (issue 14): after the steps, the policy's allow
// rules and the permissions of each rule, the policy capabilities and options,
// the administrator's LSM actions, the race of a step, the actors' capability
// sets, threads, mount namespaces and contexts, the user namespaces, the
// sysctl. Each part is delta-debugged like the steps (largest chunks first);
// `keep` decides (the callers keep a candidate only if it still shows the
// same first violating decision or the same difference).

/** greedy chunked removal over a list: the smallest sublist `keep` accepts */
export function reduceList<T>(items: readonly T[], keep: (xs: T[]) => boolean, budget = { left: Infinity }): T[] {
  let xs = [...items];
  for (let chunk = Math.max(1, xs.length >> 1); chunk >= 1; chunk >>= 1) {
    for (let i = xs.length - chunk; i >= 0 && budget.left > 0; i--) {
      const cand = [...xs.slice(0, i), ...xs.slice(i + chunk)];
      budget.left--;
      if (keep(cand)) {
        xs = cand;
        i = Math.min(i, xs.length - chunk + 1);
      }
    }
  }
  return xs;
}

/** an allow rule as source, target:class and its permissions (model/lsm/policy.ts parseRule's shape) */
function splitRule(r: string): { head: string; perms: string[] } | null {
  const m = /^\s*(\S+\s+\S+:\S+)\s+(.+?)\s*$/.exec(r);
  return m ? { head: m[1]!, perms: m[2]!.split(/\s+/) } : null;
}

/** a policy's parts, each reduced while `keep` holds for the policy put back in place */
function reducePolicy<P extends PolicyDecl>(p0: P, keep: (p: P) => boolean, budget: { left: number }): P {
  let p = p0;
  const tryP = (c: P): void => {
    if (budget.left <= 0) return;
    budget.left--;
    if (keep(c)) p = c;
  };
  p = { ...p, allow: reduceList(p.allow, (allow) => keep({ ...p, allow }), budget) };
  // the permissions of each remaining rule
  for (let i = 0; i < p.allow.length; i++) {
    const r = splitRule(p.allow[i]!);
    if (!r || r.perms.length < 2) continue;
    const perms = reduceList(r.perms, (ps) => ps.length > 0 && keep({ ...p, allow: p.allow.map((x, j) => (j === i ? `${r.head} ${ps.join(' ')}` : x)) }), budget);
    p = { ...p, allow: p.allow.map((x, j) => (j === i ? `${r.head} ${perms.join(' ')}` : x)) };
  }
  if (p.polcap?.length) p = { ...p, polcap: reduceList(p.polcap, (polcap) => keep({ ...p, polcap }), budget) };
  if (p.permissive?.length) p = { ...p, permissive: reduceList(p.permissive, (permissive) => keep({ ...p, permissive }), budget) };
  // options back to their defaults
  for (const k of ['polcap', 'permissive', 'defines_token_perms', 'handle_unknown', 'enforcing'] as const) {
    if (p[k] === undefined) continue;
    const c = { ...p };
    delete c[k];
    tryP(c);
  }
  return p;
}

/** a fork_of actor's userns, kuid and caps are its parent's declared ones (the canonical
 *  form, scenario/validate.ts): again after the parent's changed */
export function refillForks(actors: ActorDecl[]): ActorDecl[] {
  const out: ActorDecl[] = [];
  for (const a of actors) {
    const p = a.fork_of === undefined ? undefined : out.find((x) => x.name === a.fork_of);
    out.push(p ? { name: a.name, userns: p.userns, kuid: p.kuid, caps: p.caps, fork_of: a.fork_of! } : a);
  }
  return out;
}

/** one actor's declaration simplified: fewer capabilities, no thread, mount namespace or context of its own */
function reduceActor(s: Scenario, i: number, keep: (s: Scenario) => boolean, budget: { left: number }): Scenario {
  const put = (a: ActorDecl): Scenario => ({ ...s, actors: refillForks(s.actors.map((x, j) => (j === i ? a : x))) });
  let a = s.actors[i]!;
  if (a.fork_of !== undefined) return s; // all of it is its parent's
  if (Array.isArray(a.caps) && a.caps.length) {
    const base = a;
    a = { ...a, caps: reduceList(base.caps as string[], (caps) => keep(put({ ...base, caps })), budget) };
  }
  for (const k of ['thread_of', 'mntns', 'context'] as const) {
    if (a[k] === undefined || budget.left <= 0) continue;
    const c = { ...a };
    delete c[k];
    budget.left--;
    if (keep(put(c))) a = c;
  }
  return put(a);
}

/** the LSM actions of step `i`, and the policies they load */
function reduceStepParts(s: Scenario, i: number, keep: (s: Scenario) => boolean, budget: { left: number }): Scenario {
  const put = (st: Step): Scenario => ({ ...s, steps: s.steps.map((x, j) => (j === i ? st : x)) });
  let st = s.steps[i]!;
  if (st.lsm?.length) {
    const base = st;
    const lsm = reduceList(base.lsm!, (xs) => keep(put(xs.length ? { ...base, lsm: xs } : without(base, 'lsm'))), budget);
    st = lsm.length ? { ...st, lsm } : without(st, 'lsm');
    for (let k = 0; k < (st.lsm?.length ?? 0); k++) {
      const act = st.lsm![k]!;
      if (act.action !== 'policy_load') continue;
      const cur = st;
      const withPolicy = (policy: PolicyDecl): Step => ({ ...cur, lsm: cur.lsm!.map((x, j): LsmAction => (j === k ? { ...(x as Extract<LsmAction, { action: 'policy_load' }>), policy } : x)) });
      st = withPolicy(reducePolicy(act.policy, (policy) => keep(put(withPolicy(policy))), budget));
    }
  }
  if ('race' in st && st.race && budget.left > 0) {
    budget.left--;
    const c = without(st, 'race');
    if (keep(put(c))) st = c;
  }
  return put(st);
}

function without<T extends object, K extends keyof T>(o: T, k: K): T {
  const c = { ...o };
  delete c[k];
  return c;
}

/** every part of `s` but its steps, reduced while `keep` holds (a few rounds, to a fixpoint) */
export function reduceParts(s0: Scenario, keep: (s: Scenario) => boolean, budget = 4000): Scenario {
  const b = { left: budget };
  let s = s0;
  for (let round = 0; round < 3 && b.left > 0; round++) {
    const before = JSON.stringify(s);
    const pruned = pruneDecls(s);
    if (pruned.actors.length !== s.actors.length || (pruned.userns?.length ?? 0) !== (s.userns?.length ?? 0)) {
      b.left--;
      if (keep(pruned)) s = pruned;
    }
    if (s.selinux) {
      const cur = s;
      s = { ...s, selinux: reducePolicy<SelinuxDecl>(cur.selinux!, (selinux) => keep({ ...cur, selinux }), b) };
    }
    for (let i = 0; i < s.steps.length; i++) s = reduceStepParts(s, i, keep, b);
    for (let i = 0; i < s.actors.length; i++) s = reduceActor(s, i, keep, b);
    if (s.sysctl !== undefined && b.left > 0) {
      b.left--;
      const c = without(s, 'sysctl');
      if (keep(c)) s = c;
    }
    if (s.ipe?.rules.length) {
      const cur = s;
      s = { ...s, ipe: { ...cur.ipe!, rules: reduceList(cur.ipe!.rules, (rules) => keep({ ...cur, ipe: { ...cur.ipe!, rules } }), b) } };
    }
    if (s.integrity) s = reduceIntegrity(s, keep, b);
    if (JSON.stringify(s) === before) break;
  }
  return s;
}

/** `s` with this integrity declaration; LSMs no longer declared leave lsm_order too */
function withIntegrity(s: Scenario, decl: IntegrityStackDecl): Scenario {
  const names = declaredNames(decl);
  const gone = declaredNames(s.integrity).filter((n) => !names.includes(n));
  const d: IntegrityStackDecl = {};
  if (decl.providers?.length) d.providers = decl.providers;
  if (decl.consumers?.length) d.consumers = decl.consumers;
  const c: Scenario = { ...s, integrity: d };
  if (s.lsm_order) c.lsm_order = s.lsm_order.filter((n) => !gone.includes(n));
  if (!decl.providers?.length && !decl.consumers?.length) delete c.integrity;
  return c;
}

/** the integrity declaration (issue 12): its providers and consumers, then each one's optional fields */
function reduceIntegrity(s0: Scenario, keep: (s: Scenario) => boolean, b: { left: number }): Scenario {
  let s = s0;
  for (const list of ['providers', 'consumers'] as const) {
    const cur = s;
    const items = cur.integrity?.[list];
    if (!items?.length) continue;
    const kept = reduceList(items as Array<ProviderDecl | ConsumerDecl>, (xs) => keep(withIntegrity(cur, { ...cur.integrity, [list]: xs })), b);
    if (kept.length !== items.length) s = withIntegrity(cur, { ...cur.integrity, [list]: kept });
    const entries = (s.integrity?.[list] ?? []) as Array<ProviderDecl | ConsumerDecl>;
    for (let i = 0; i < entries.length; i++)
      for (const key of Object.keys(entries[i]!)) {
        if (key === 'name' || b.left <= 0) continue;
        b.left--;
        const now = (s.integrity?.[list] ?? []) as Array<ProviderDecl | ConsumerDecl>;
        const entry = { ...now[i]! } as Record<string, unknown>;
        delete entry[key];
        const c = withIntegrity(s, { ...s.integrity, [list]: now.map((e, j) => (j === i ? entry : e)) });
        if (keep(c)) s = c;
      }
  }
  return s;
}
