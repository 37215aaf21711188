// Trace-level minimization after fast-check's shrinking: fast-check shrinks
// abstract commands (a delegation hand-off is one command of ~8 steps), so
// here single steps, then unused actors and namespaces, are removed while the
// property still fails (greedy delta debugging, largest chunks first).

import type { Scenario } from '../scenario/types.ts';
import type { Profile } from '../model/profile.ts';
import type { Property, Violation } from './types.ts';

function fails(prop: Property, profile: Profile, s: Scenario): Violation | null {
  try {
    return prop.check(s, profile);
  } catch {
    return null; // a reduction that no longer makes sense (dangling reference) does not count
  }
}

function withoutSteps(s: Scenario, from: number, n: number): Scenario {
  return { ...s, steps: [...s.steps.slice(0, from), ...s.steps.slice(from + n)] };
}

/** drop actors no step names (and userns no actor lives in) */
function pruneDecls(s: Scenario): Scenario {
  const used = new Set<string>();
  for (const st of s.steps) {
    used.add(st.actor);
    if (st.op === 'send_fd') used.add(st.to);
  }
  // keep actors others depend on (mntns sharing, threads)
  for (const a of s.actors) if (used.has(a.name)) {
    if (a.mntns && a.mntns !== 'own' && a.mntns !== 'init') used.add(a.mntns);
    if (a.thread_of) used.add(a.thread_of);
  }
  const actors = s.actors.filter((a) => used.has(a.name));
  const ns = new Set(actors.map((a) => a.userns));
  const decls = s.userns ?? [];
  for (let changed = true; changed; ) {
    changed = false;
    for (const u of decls) if (ns.has(u.name) && !ns.has(u.parent) && u.parent !== 'init') {
      ns.add(u.parent);
      changed = true;
    }
  }
  return { ...s, actors, userns: decls.filter((u) => ns.has(u.name)) };
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

export function minimize(prop: Property, profile: Profile, s0: Scenario, budget = 4000): Scenario {
  let s = s0;
  let tries = 0;
  for (let chunk = Math.max(1, s.steps.length >> 1); chunk >= 1; chunk >>= 1) {
    for (let i = s.steps.length - chunk; i >= 0 && tries < budget; i--) {
      const cand = withoutSteps(s, i, chunk);
      tries++;
      if (fails(prop, profile, cand)) {
        s = cand;
        i = Math.min(i, s.steps.length - chunk + 1);
      }
    }
  }
  const pruned = pruneDecls(s);
  if (fails(prop, profile, pruned)) s = pruned;
  const renamed = renumberHandles(s);
  return renamed !== s && fails(prop, profile, renamed) ? renamed : s;
}
