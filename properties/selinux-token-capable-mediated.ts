import type { Property } from './types.ts';
import { counterfactual, walk } from './walk.ts';
import { tokenUse } from './lsm-util.ts';
import type { HookCall } from '../model/lsm.ts';

export const selinuxTokenCapableMediated: Property = {
  name: 'selinux-token-capable-mediated',
  claim:
    'With bpf_token_perms on, every capability a task asserts through a token gets an SELinux decision of its own (security_bpf_token_capable, class cap_userns or cap2_userns), whatever its subject and object.',
  source: {
    kind: 'document',
    file: 'seeds/000_f8d943f6c940056a.txt',
    section: 'Changes in v5',
    quote: "Added implementation of selinux_bpf_token_capable which is originally from Daniel's patch",
  },
  dimensions: ['policy-reload', 'reload-at-use', 'token-passed-domain', 'fd-race', 'bpf-lsm', 'token-map_create', 'token-prog_load'],
  provenance: [
    'spec/selinux-token.md §S3.4: v1-v4 have no bpf_token_capable hook (A7), v5 adds one; spec/token-core.md §T3.2: bpf_token_capable() calls security_bpf_token_capable() after ns_capable()',
    'weaker than selinux-token-capable (which also fixes subject and object): isolates the v4 -> v5 fix from the v5 -> v6 and v6 -> v7 ones',
  ],
  knownBad: ['selinux-token-v1', 'selinux-token-v4'],
  holdsOn: ['selinux-token-v5', 'selinux-token-v6', 'selinux-token-v7', 'selinux-token-fixed'],
  requires: 'selinux-token-patch',
  gen: { lsm: { polcap: 'on', races: true, bpfLsm: true } },
  check(s, profile) {
    return walk(s, profile, {
      before(st, step, i) {
        const use = tokenUse(st, step);
        if (!use) return null;
        const trace: HookCall[] = [];
        const r = counterfactual(st, step, (c) => {
          c.k.security.trace = trace;
        });
        const calls = trace.filter((h) => h.hook === 'bpf_token_capable').length;
        const recs = (r.avc ?? []).filter((a) => a.hook === 'bpf_token_capable' && (a.tclass === 'cap_userns' || a.tclass === 'cap2_userns'));
        if (recs.length >= calls) return null;
        return { step: i, message: `${step.op} by ${use.cur} asserted ${calls} capabilities through a token from ${use.creator}'s bpffs; SELinux decided on ${recs.length}` };
      },
    });
  },
};
