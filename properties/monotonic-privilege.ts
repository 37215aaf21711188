import type { Property } from './types.ts';
import { counterfactual, taskOf, tokenOfStep, walk } from './walk.ts';
import { CAP_BPF, CAP_EMPTY, CAP_NET_ADMIN, CAP_PERFMON, CAP_SYS_ADMIN, capDrop, capName, capRaised } from '../model/caps.ts';
import type { ModelState } from '../model/run.ts';
import type { Cred } from '../model/userns.ts';
import type { Step, StepResult } from '../scenario/types.ts';
import type { BpfToken } from '../model/token.ts';
import type { HookCall } from '../model/lsm.ts';
import { BPF_BTF_GET_FD_BY_ID, BPF_BTF_LOAD, BPF_MAP_CREATE, BPF_PROG_LOAD } from '../model/enums.ts';
import { fixupAttachType } from '../model/syscall.ts';

export const AUTH_OPS = new Set(['token_create', 'map_create', 'prog_load', 'btf_load', 'btf_get_fd_by_id', 'fsopen', 'fsmount', 'fsconfig']);
const CAPS = [CAP_BPF, CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_PERFMON];
const MASKS = ['allowed_cmds', 'allowed_maps', 'allowed_progs', 'allowed_attachs'] as const;

/** a weakening of the step's privilege; `cap`: the capability it drops (-1: all of them), none for a token bit */
export interface Weakening {
  what: string;
  cap?: number;
  mutate: (c: ModelState) => void;
}

export function weakenings(st: ModelState, step: Step): Weakening[] {
  const out: Weakening[] = [];
  const t = taskOf(st, step);
  for (const cap of CAPS) {
    if (!capRaised(t.cred.cap_effective, cap)) continue;
    out.push({
      what: `without CAP_${capName(cap)}`,
      cap,
      mutate: (c) => {
        const ct = c.tasks.get(step.actor)!;
        ct.cred = { ...ct.cred, cap_effective: capDrop(ct.cred.cap_effective, cap) };
      },
    });
  }
  if (t.cred.cap_effective !== CAP_EMPTY)
    out.push({
      what: 'without any capability',
      cap: -1,
      mutate: (c) => {
        const ct = c.tasks.get(step.actor)!;
        ct.cred = { ...ct.cred, cap_effective: CAP_EMPTY };
      },
    });
  const tk = tokenOfStep(st, step);
  if (tk) {
    const named = namedBits(step);
    for (const m of MASKS) {
      let other = false;
      for (let b = 0; b < 64; b++) {
        if (!(tk[m] & (1n << BigInt(b)))) continue;
        // the budget: the bits the request names, and one other set bit of the mask
        if (named[m] !== b) {
          if (other) continue;
          other = true;
        }
        out.push({
          what: `with bit ${b} of the token's ${m} cleared`,
          mutate: (c) => {
            const ctk = tokenOfStep(c, step) as BpfToken;
            ctk[m] &= ~(1n << BigInt(b));
          },
        });
      }
    }
  }
  return out;
}

/** the step run on a copy of the state with its hook calls traced, and the actor's cred in that copy (what the trace's capable calls name) */
export function tracedRun(st: ModelState, step: Step): { orig: StepResult; trace: HookCall[]; cred: Cred } {
  const trace: HookCall[] = [];
  let cred: Cred | null = null;
  const orig = counterfactual(st, step, (c) => {
    c.k.security.trace = trace;
    cred = c.tasks.get(step.actor)!.cred;
  });
  return { orig, trace, cred: cred! };
}

/**
 * did the step's run grant the actor a capability check of `cap` (-1: of any
 * capability)? The model reads a task's effective set only in cap_capable()
 * (model/userns.ts), called only from Kernel.ns_capable() (model/kernel.ts),
 * which traces each check cap_capable() grants as a `capable` hook call with
 * its cred and cap (security_capable()'s arguments); the ops here change no
 * credentials. A check cap_capable() refuses stays refused with fewer
 * capabilities. So a run that was granted no check of `cap` for the actor's
 * cred runs the same without `cap`, step for step (the same failure), and that
 * weakening need not be run (issue 13: the copies of the state were a third of
 * a linux-6.18 campaign; properties/monotonic-privilege.test.ts runs the ones
 * left out and finds each ending as the step did).
 */
export function grantedTo(trace: readonly HookCall[], cred: Cred, cap: number): boolean {
  for (const h of trace) if (h.hook === 'capable' && h.args?.[0] === cred && (cap === -1 || h.args[2] === cap)) return true;
  return false;
}

/** the bit of each mask that the request names (its command, map type,
 *  program type, attach type: the bits kernel/bpf/token.c bpf_token_allow_*()
 *  test for it), -1 where it names none */
function namedBits(step: Step): Record<(typeof MASKS)[number], number> {
  const none = { allowed_cmds: -1, allowed_maps: -1, allowed_progs: -1, allowed_attachs: -1 };
  switch (step.op) {
    case 'map_create':
      return { ...none, allowed_cmds: BPF_MAP_CREATE, allowed_maps: step.map_type };
    case 'prog_load':
      return { ...none, allowed_cmds: BPF_PROG_LOAD, allowed_progs: step.prog_type, allowed_attachs: fixupAttachType(step.prog_type, step.expected_attach_type ?? 0) };
    case 'btf_load':
      return { ...none, allowed_cmds: BPF_BTF_LOAD };
    case 'btf_get_fd_by_id':
      return { ...none, allowed_cmds: BPF_BTF_GET_FD_BY_ID };
    default:
      return none;
  }
}

export const monotonicPrivilege: Property = {
  name: 'monotonic-privilege',
  claim:
    'Removing capabilities or delegation bits never turns a failure into a success, except where an LSM refuses bpf_token_capable for the step (dropping the token then restores the init-namespace capability checks: FINDINGS L1, a design decision).',
  source: { kind: 'ours', why: "No document states that removing privilege never helps; the suite reads it into seed 001 (\"BPF token doesn't grant BPF functionality directly, it just turns capable() checks into ns_capable() checks\"). It does not hold when an LSM refuses bpf_token_capable (clearing a delegation bit then drops the token and restores the init-namespace checks: FINDINGS L1, a design decision), so the claim leaves that case out." },
  dimensions: ['bpf-lsm', 'token-passed', 'token-map_create', 'token-prog_load', 'delegated-types'],
  provenance: [
    'seed 001 (v12 cover letter): a token "doesn\'t grant BPF functionality directly, it just turns capable() checks into ns_capable() checks"; delegation only ever widens what a token allows',
    'kernel/bpf/token.c bpf_token_capable(), syscall.c map_create()/bpf_prog_load(): every check is a conjunction of capability and delegation tests',
    "the search, budgeted (issue 13): every effective capability of the actor (each alone, then all), and of each of the token's masks the bit the request names (its command, map, program or attach type) plus one other set bit; clearing every set bit, one at a time, copied the state once per set bit (over a hundred times per failing step with a token of 'any' delegation)",
  ],
  knownBad: ['mutant-insn-limit-swapped'],
  holdsOn: ['linux-6.18'],
  // unprivileged loads only exist with the sysctl at 0; BPF-LSM programs on
  // every hook, the token hooks most often (the claim ranges over them)
  gen: { sysctl: 0, lsm: { bpfLsm: true, reloads: false } },
  check(s, profile) {
    return walk(s, profile, {
      before(st, step, i, ahead) {
        if (!AUTH_OPS.has(step.op)) return null;
        // a success (known ahead: no copy of the state to run it on)
        if (ahead?.ret === 'ok') return null;
        // nothing to take away (no capability, no token): no copy of the state at all
        const ws = weakenings(st, step);
        if (!ws.length) return null;
        const { orig, trace, cred } = tracedRun(st, step);
        if (orig.ret === 'ok') return null;
        // L1: a refused bpf_token_capable has no fallback, a dropped token has
        if (trace.some((h) => h.hook === 'bpf_token_capable' && h.ret !== 0)) return null;
        for (const w of ws) {
          if (w.cap !== undefined && !grantedTo(trace, cred, w.cap)) continue;
          const r = counterfactual(st, step, w.mutate);
          if (r.ret === 'ok') return { step: i, message: `${step.op} fails with ${orig.ret}, but succeeds ${w.what}` };
        }
        return null;
      },
    });
  },
};
