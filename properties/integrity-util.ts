// Helpers shared by the integrity properties (seed 002): each prog_load
// step's LSM events (model/lsm.ts LsmTraceEntry), the prog it created, and a
// walk that hands every property the events of each step.

import type { Scenario, Step, StepResult } from '../scenario/types.ts';
import type { Profile } from '../model/profile.ts';
import type { ModelState } from '../model/run.ts';
import type { LsmTraceEntry } from '../model/lsm.ts';
import type { BpfProg } from '../model/syscall.ts';
import type { BpfMap } from '../model/include/linux/bpf.ts';
import type { Violation } from './types.ts';
import { walk } from './walk.ts';

/** the callbacks of the three prog-load hooks (not bpf_prog_free) */
export const PROG_LOAD_CALLBACKS = new Set(['bpf_prog_load_integrity', 'bpf_prog_load_post_integrity', 'bpf_prog_load']);

export interface LoadEvents {
  /** the prog the step's load allocated (lsm_bpf_prog_alloc), if it got that far */
  prog: BpfProg | null;
  /** every LSM event of the step, in order */
  all: LsmTraceEntry[];
  /** the events of that prog */
  mine: LsmTraceEntry[];
}

export function loadEvents(st: ModelState): LoadEvents {
  const all = st.k.security.lsmTrace;
  const prog = all.find((e) => e.hook === 'lsm_bpf_prog_alloc')?.prog ?? null;
  return { prog, all, mine: prog ? all.filter((e) => e.prog === prog) : [] };
}

/** walks the scenario; `check` sees every prog_load step with its events */
export function walkLoads(
  s: Scenario,
  profile: Profile,
  check: (st: ModelState, step: Extract<Step, { op: 'prog_load' }>, i: number, r: StepResult, ev: LoadEvents) => Violation | null,
): Violation | null {
  return walk(s, profile, {
    before(st) {
      st.k.security.lsmTrace = [];
      return null;
    },
    after(st, step, i, r) {
      if (step.op !== 'prog_load') return null;
      return check(st, step, i, r, loadEvents(st));
    },
  });
}

/** the maps Hornet's hash loop read for this load's prog, when Hornet delivered OK for it
 *  and read at least one (model/lsm.ts SecurityStack.hashed); else null */
export function hornetOkHashed(st: ModelState, ev: LoadEvents): readonly BpfMap[] | null {
  const prog = ev.prog;
  const h = prog ? st.k.security.hashed.find((x) => x.prog === prog) : undefined;
  if (!h || !h.maps.length) return null;
  return ev.mine.some((e) => e.hook === 'deliver' && e.lsm === 'hornet' && e.verdict === 'OK') ? h.maps : null;
}

/** "map id 3, map id 5" */
export const mapIds = (ms: readonly { id: number }[]): string => ms.map((m) => `map id ${m.id}`).join(', ');

export function eventText(e: LsmTraceEntry): string {
  const who = e.lsm ? `${e.lsm}:` : '';
  const v = e.verdict ? ` verdict=${e.verdict}` : '';
  return `${who}${e.hook}${v}${e.hook === 'deliver' || PROG_LOAD_CALLBACKS.has(e.hook) ? ` -> ${e.ret}` : ''}${e.blob ? '' : ' (blob NULL)'}`;
}

/** the step's LSM events in one line (for violation messages and FINDINGS.md) */
export function eventsText(ev: LoadEvents): string {
  return ev.mine.map(eventText).join(', ');
}
