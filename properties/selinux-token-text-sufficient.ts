import type { Property } from './types.ts';
import { counterfactual, fileOf, walk } from './walk.ts';
import { creatorContext, currentContext, enforcing, patched, polcapOn, tokenUse } from './lsm-util.ts';
import { SelinuxLsm } from '../model/lsm/selinux.ts';
import { compilePolicy } from '../model/lsm/policy.ts';
import type { ModelState } from '../model/run.ts';
import type { StepResult } from '../scenario/types.ts';
import type { HookCall } from '../model/lsm.ts';
import { delegates } from './token-within-delegation.ts';

/** The policy seed 000 describes as what token use needs, for a task in
 *  `cur` using a token from `creator`'s bpffs, and nothing about tokens
 *  beyond it: current holds map_create_as/prog_load_as on the creator (token
 *  creation), the creator holds map_create/prog_load on current (workflow step
 *  5), current asserts capabilities on the grantor in cap_userns/cap2_userns
 *  (changelog v6/v7); plus what the step needs regardless of tokens: current's
 *  own capabilities, map_read/map_write/prog_run on the objects it creates
 *  (selinux_bpf_map()/selinux_bpf_prog() on the new fd), fd use, file access.
 *  With bpf_token_perms on, selinux_bpf() returns 0, so no self
 *  map_create/prog_load is part of it. */
export function textPolicyRules(cur: string, creator: string): string[] {
  return [
    `${cur} ${creator}:bpf map_create_as prog_load_as`,
    `${creator} ${cur}:bpf map_create prog_load`,
    `${cur} ${creator}:cap_userns *`,
    `${cur} ${creator}:cap2_userns *`,
    ...['capability', 'capability2', 'cap_userns', 'cap2_userns'].map((c) => `${cur} ${cur}:${c} *`),
    `${cur} ${cur}:bpf map_read map_write prog_run`,
    '* *:fd use',
    '* *:file *',
  ];
}

function withTextPolicy(cur: string, creator: string): (c: ModelState) => void {
  return (c) => {
    for (const l of c.k.security.lsms)
      if (l instanceof SelinuxLsm && l.policy) l.policy = compilePolicy({ allow: textPolicyRules(cur, creator), polcap: ['bpf_token_perms'] });
  };
}

function withoutSelinux(c: ModelState): void {
  c.k.security.lsms = c.k.security.lsms.filter((l) => !(l instanceof SelinuxLsm));
}

const denials = (r: StepResult): string =>
  (r.avc ?? []).filter((a) => !a.granted && !a.permissive).map((a) => `${a.hook}: ${a.scontext} -> ${a.tcontext} ${a.tclass}:${a.perm}`).join('; ') || 'none recorded';

export const selinuxTokenTextSufficient: Property = {
  name: 'selinux-token-text-sufficient',
  claim:
    "With bpf_token_perms on, a policy written exactly as seed 000 describes token use (current -> creator map_create_as/prog_load_as, creator -> current map_create/prog_load, current -> grantor capabilities) lets token creation and every token-backed map_create/prog_load through that succeed without SELinux: the patch denies nothing its text allows.",
  source: {
    kind: 'document',
    file: 'seeds/000_f8d943f6c940056a.txt',
    section: 'commit message',
    quote:
      'With this change, SELinux policies can now enforce constraints on BPF token usage based on both the delegating (privileged) process and the recipient (unprivileged) process.',
  },
  dimensions: ['policy-reload', 'reload-at-use', 'token-passed-domain', 'fd-race', 'bpf-lsm', 'token-map_create', 'token-prog_load'],
  provenance: [
    'spec/selinux-token.md §S1.2 (creator -> current at map_create/prog_load), §S1.3 (*_as at token creation), §S1.5 (example policy), §S3.4 (capabilities: current -> grantor)',
    'the other direction of selinux-token-checks-at-use, selinux-token-as-at-create and selinux-token-capable: a check that denies what the text allows is as much a gap as one that allows what it forbids (issue 9)',
  ],
  // merged on 7.3.4: the prog_load creator check runs and the grantor is the validated one
  knownBad: ['selinux-token-v6', 'selinux-token-v7'],
  holdsOn: ['selinux-token-fixed', 'selinux-token-merged'],
  requires: 'selinux-token-patch',
  gen: { lsm: { polcap: 'on', races: true, bpfLsm: true } },
  check(s, profile) {
    return walk(s, profile, {
      before(st, step, i) {
        let cur: string;
        let creator: string;
        if (step.op === 'token_create') {
          const se = patched(st);
          if (!se || !polcapOn(se)) return null;
          const f = fileOf(st, step, step.bpffs);
          const sb = f?.path?.mnt.sb;
          if (!sb || sb.fsType !== 'bpf' || se.bornBeforePolicy.has(sb.id)) return null;
          const c = creatorContext(se, sb);
          if (!c) return null;
          creator = c;
          cur = currentContext(se, st, step);
        } else if (step.op === 'map_create' || step.op === 'prog_load') {
          const use = tokenUse(st, step);
          if (!use || !enforcing(use.se)) return null;
          // token-backed: the kernel keeps the token (it delegates the request)
          if (use.f.obj.kind !== 'token' || !delegates(use.f.obj.token, step, profile)) return null;
          ({ cur, creator } = use);
        } else return null;
        const trace: HookCall[] = [];
        const open = counterfactual(st, step, (c) => {
          withoutSelinux(c);
          c.k.security.trace = trace;
        });
        if (open.ret !== 'ok') return null;
        // another LSM (a BPF-LSM program) made the kernel drop the token: not token use
        if (trace.some((h) => h.hook === 'bpf_token_cmd' && h.ret !== 0)) return null;
        const got = counterfactual(st, step, withTextPolicy(cur, creator));
        if (got.ret === 'ok') return null;
        return {
          step: i,
          message: `${step.op} by ${cur} (bpffs of ${creator}) succeeds without SELinux but gives ${got.ret} under the policy the patch text describes (denied: ${denials(got)})`,
        };
      },
    });
  },
};
