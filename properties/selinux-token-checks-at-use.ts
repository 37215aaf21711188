import type { Property } from './types.ts';
import { walk } from './walk.ts';
import { CREATE_PERM, throughToken, tokenUse } from './lsm-util.ts';

export const selinuxTokenChecksAtUse: Property = {
  name: 'selinux-token-checks-at-use',
  claim:
    'With bpf_token_perms on, every map_create and prog_load that goes through a token is checked with avc_has_perm(creator_sid, current_sid, bpf, map_create/prog_load), the creator being that of the bpffs the token came from.',
  source: { kind: 'document', file: "seeds/000_f8d943f6c940056a.txt", section: "commit message, high-level workflow step 5", quote: "During verification of `map_create` and `prog_load`, SELinux uses `creator_sid` and the current SID to check policy permissions via:" },
  dimensions: ['policy-reload', 'reload-at-use', 'token-passed-domain', 'fd-race', 'bpf-lsm', 'token-map_create', 'token-prog_load'],
  provenance: [
    'seed 000 commit message, workflow step 5: "During verification of map_create and prog_load, SELinux uses creator_sid and the current SID to check policy permissions via avc_has_perm(creator_sid, current_sid, SECCLASS_BPF, BPF__MAP_CREATE, NULL)"',
    'spec/selinux-token.md §S4.2, §S4.3: security_bpf_map_create() receives the token; security_bpf_prog_load() receives NULL',
  ],
  // merged on 7.3.4: the prog_load hook gets prog->aux->token (verifier.c:21268) and
  // both hooks use the token's grantor_sid (hooks.c:7404, :7422) (FINDINGS.md 1, 3)
  knownBad: ['selinux-token-v1', 'selinux-token-v7', 'selinux-token-v7-6.12', 'mutant-merged-prog-load-null-token'],
  holdsOn: ['selinux-token-fixed', 'selinux-token-merged'],
  requires: 'selinux-token-patch',
  gen: { lsm: { polcap: 'on', races: true, bpfLsm: true } },
  check(s, profile) {
    return walk(s, profile, {
      before(st, step, i, ahead) {
        if (step.op !== 'map_create' && step.op !== 'prog_load') return null;
        const use = tokenUse(st, step);
        if (!use) return null;
        const r = throughToken(st, step, ahead);
        if (!r) return null;
        const { creator, cur } = use;
        const perm = CREATE_PERM[step.op]!;
        const hook = step.op === 'map_create' ? 'bpf_map_create' : 'bpf_prog_load';
        const recs = (r.avc ?? []).filter((a) => a.hook === hook && a.tclass === 'bpf' && a.perm === perm);
        if (recs.some((a) => a.scontext === creator && a.tcontext === cur)) return null;
        const seen = recs.length ? recs.map((a) => `${a.scontext} -> ${a.tcontext}`).join(', ') : 'none';
        return { step: i, message: `${step.op} through a token from ${creator}'s bpffs: no ${creator} -> ${cur} bpf:${perm} check (${hook} checks: ${seen})` };
      },
    });
  },
};
