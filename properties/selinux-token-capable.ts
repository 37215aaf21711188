import type { Property } from './types.ts';
import { counterfactual, walk } from './walk.ts';
import { tokenUse } from './lsm-util.ts';
import { CLASSES } from '../model/lsm/policy.ts';
import type { HookCall } from '../model/lsm.ts';

export const selinuxTokenCapable: Property = {
  name: 'selinux-token-capable',
  claim:
    "With bpf_token_perms on, every capability a task asserts through a token is checked once by SELinux with the task itself (current) as subject and the token's grantor (the creator of its bpffs) as object, in cap_userns/cap2_userns.",
  source: { kind: 'document', file: "seeds/000_f8d943f6c940056a.txt", section: "Changes in v6", quote: "Updated bpf_token_capable to use grantor_sid as object in permission check" },
  dimensions: ['policy-reload', 'reload-at-use', 'token-passed-domain', 'fd-race', 'bpf-lsm', 'token-map_create', 'token-prog_load'],
  provenance: [
    'seed 000 changelog v5-v7: selinux_bpf_token_capable() from Daniel\'s patch, then "use grantor_sid as object", then "Bug fix ... where incorrect source sid was used in avc_has_perm"',
    'Paul Moore (v5 review, spec/selinux-token.md §S3.4): subject = current, object = the token grantor; spec/token-core.md §T3.2: bpf_token_capable() calls security_bpf_token_capable() after ns_capable()',
  ],
  knownBad: ['selinux-token-v4', 'selinux-token-v5', 'selinux-token-v6', 'selinux-token-v7'],
  holdsOn: ['selinux-token-fixed', 'selinux-token-merged'],
  requires: 'selinux-token-patch',
  // the polcap gates the check (seed 000: with it off, "previous behavior ...
  // is preserved", and before the patch there is no bpf_token_capable hook)
  gen: { lsm: { polcap: 'on', races: true, bpfLsm: true } },
  check(s, profile) {
    return walk(s, profile, {
      before(st, step, i) {
        const use = tokenUse(st, step);
        if (!use) return null;
        const { creator: grantor, cur } = use;
        const trace: HookCall[] = [];
        const r = counterfactual(st, step, (c) => {
          c.k.security.trace = trace;
        });
        const calls = trace.filter((h) => h.hook === 'bpf_token_capable').length;
        const recs = (r.avc ?? []).filter((a) => a.hook === 'bpf_token_capable');
        if (recs.length !== calls)
          return { step: i, message: `${step.op} asserted ${calls} capabilities through a token from ${grantor}'s bpffs; SELinux checked ${recs.length}` };
        for (const a of recs) {
          const okClass = (a.tclass === 'cap_userns' || a.tclass === 'cap2_userns') && CLASSES[a.tclass]!.includes(a.perm);
          if (a.scontext !== cur || a.tcontext !== grantor || !okClass)
            return { step: i, message: `${step.op} by ${cur} through a token from ${grantor}'s bpffs: capability checked as ${a.scontext} -> ${a.tcontext} ${a.tclass}:${a.perm}, expected ${cur} -> ${grantor}` };
        }
        return null;
      },
    });
  },
};
