import type { Property } from './types.ts';
import { counterfactual, walk } from './walk.ts';
import { patched, polcapOn } from './lsm-util.ts';
import { SELINUX_VARIANTS, SelinuxLsm } from '../model/lsm/selinux.ts';

export const selinuxPolcapOffCompat: Property = {
  name: 'selinux-polcap-off-compat',
  claim:
    'With the bpf_token_perms policy capability off, every step has the result it has under SELinux without the token patch (the same policy, checks on the current SID only).',
  source: { kind: 'document', file: "seeds/000_f8d943f6c940056a.txt", section: "commit message", quote: "If disabled, previous behavior ((checks based on current process SID)) is preserved." },
  dimensions: ['polcap-off', 'policy-reload', 'reload-at-use', 'token-passed-domain', 'fd-race', 'bpf-lsm', 'token-map_create', 'token-prog_load'],
  provenance: [
    'seed 000 commit message: "a new policy capability bpf_token_perms is added to ensure backward compatibility. If disabled, previous behavior ((checks based on current process SID)) is preserved."',
    'spec/selinux-token.md §S3.5: the OFF path is never exercised by the selinux-testsuite',
  ],
  knownBad: ['selinux-token-v1', 'selinux-token-v7', 'selinux-token-merged'],
  holdsOn: ['selinux-token-fixed'],
  requires: 'selinux-token-patch',
  gen: { lsm: { polcap: 'off', races: true, bpfLsm: true } },
  check(s, profile) {
    return walk(s, profile, {
      before(st, step, i, ahead) {
        const se = patched(st);
        if (!se || polcapOn(se)) return null;
        const got = ahead ?? counterfactual(st, step);
        const old = counterfactual(st, step, (c) => {
          for (const l of c.k.security.lsms) if (l instanceof SelinuxLsm) l.variant = SELINUX_VARIANTS.none;
        });
        if (got.ret === old.ret) return null;
        const why = (got.avc ?? []).filter((a) => !a.granted).map((a) => `${a.hook}: ${a.scontext} -> ${a.tcontext} ${a.tclass}:${a.perm}`);
        return { step: i, message: `with bpf_token_perms off, ${step.op} gives ${got.ret}; SELinux without the token patch gives ${old.ret}${why.length ? ` (denied: ${why.join('; ')})` : ''}` };
      },
    });
  },
};
