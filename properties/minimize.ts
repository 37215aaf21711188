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
  return fails(prop, profile, pruned) ? pruned : s;
}
