import type { Property } from './types.ts';
import { fileOf, walk } from './walk.ts';
import type { BpfToken } from '../model/token.ts';
import { CREATE_PERM, currentContext, enforcing, grants, patched, throughToken, tokenUse } from './lsm-util.ts';

export const selinuxTokenHeadline: Property = {
  name: 'selinux-token-headline',
  claim:
    "With bpf_token_perms on, no map_create or prog_load goes through a token unless the token's creator grants it: current holds map_create_as/prog_load_as on the creator, and the creator holds map_create/prog_load on current.",
  source: { kind: 'ours', why: "Issue 4's headline invariant, stronger than seed 000: the patch checks *_as at token creation only (\"At token creation time, SELinux verifies ...\"), so a token passed to another domain, or a reload after creation, is outside what the patch claims (FINDINGS 4 is a design question)." },
  dimensions: ['policy-reload', 'reload-at-use', 'token-passed-domain', 'fd-race', 'bpf-lsm', 'token-map_create', 'token-prog_load'],
  provenance: [
    'seed 000 commit message: "SELinux policies can now enforce constraints on BPF token usage based on both the delegating (privileged) process and the recipient (unprivileged) process"',
    'seed 000: avc_has_perm(creator_sid, current_sid, SECCLASS_BPF, BPF__MAP_CREATE) at map_create and prog_load; *_as "to act on behalf of the creator_sid"',
    'issue 4: the design\'s headline invariant',
  ],
  knownBad: ['selinux-token-v1', 'selinux-token-v2'],
  holdsOn: ['selinux-token-fixed'],
  requires: 'selinux-token-patch',
  gen: { lsm: { polcap: 'on', races: true, bpfLsm: true } },
  check(s, profile) {
    // who made each token (ground truth for the message: a token passed to
    // another domain is finding 4's shape)
    const madeBy = new Map<BpfToken, string>();
    return walk(s, profile, {
      after(st, step, _i, r) {
        const se = patched(st);
        if (!se || step.op !== 'token_create' || r.ret !== 'ok') return null;
        const f = fileOf(st, step, step.as);
        if (f && f.obj.kind === 'token') madeBy.set(f.obj.token, currentContext(se, st, step));
        return null;
      },
      before(st, step, i, ahead) {
        if (step.op !== 'map_create' && step.op !== 'prog_load') return null;
        const use = tokenUse(st, step);
        if (!use) return null;
        const { se, f, creator, cur } = use;
        if (!enforcing(se, cur, creator)) return null;
        if (!throughToken(st, step, ahead)) return null;
        const perm = CREATE_PERM[step.op]!;
        const missing: string[] = [];
        if (!grants(se, cur, creator, 'bpf', `${perm}_as`)) missing.push(`allow ${cur} ${creator}:bpf ${perm}_as`);
        if (!grants(se, creator, cur, 'bpf', perm)) missing.push(`allow ${creator} ${cur}:bpf ${perm}`);
        if (!missing.length) return null;
        const maker = f.obj.kind === 'token' ? madeBy.get(f.obj.token) : undefined;
        const passed = maker !== undefined && maker !== cur ? ` (token created by ${maker})` : '';
        return { step: i, message: `${step.op} by ${cur} succeeded through a token from ${creator}'s bpffs${passed}, but the policy has no ${missing.join(' / ')}` };
      },
    });
  },
};
