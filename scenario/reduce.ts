// Pure reductions of a trace, shared by the three shrinkers (property
// counterexamples, spec-version diff witnesses, model/kernel disagreements):
// greedy step removal, dropping unused declarations, renumbering handles.
// Each caller re-checks the reduced trace with its own predicate.

import type { Scenario } from './types.ts';

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
  }
  // declarations an used actor depends on
  let grew = true;
  while (grew) {
    grew = false;
    for (const a of s.actors) {
      if (!used.has(a.name)) continue;
      for (const dep of [a.mntns, a.thread_of]) {
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
