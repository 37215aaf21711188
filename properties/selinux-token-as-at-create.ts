import type { Property } from './types.ts';
import { counterfactual, fileOf, walk } from './walk.ts';
import { creatorContext, currentContext, patched, polcapOn } from './lsm-util.ts';
import { BPF_MAP_CREATE, BPF_PROG_LOAD } from '../model/enums.ts';

export const selinuxTokenAsAtCreate: Property = {
  name: 'selinux-token-as-at-create',
  claim:
    "With bpf_token_perms on, BPF_TOKEN_CREATE checks current -> creator map_create_as / prog_load_as for exactly the commands in the token's allowed_cmds, the creator being that of the bpffs the kernel validated; every such check names that creator.",
  source: { kind: 'document', file: "seeds/000_f8d943f6c940056a.txt", section: "commit message", quote: "At token creation time, SELinux verifies that the current process has the appropriate `*_as` permission (depending on the `allowed_cmds` value in the bpf_token) to act on behalf of the `creator_sid`." },
  dimensions: ['policy-reload', 'fd-race', 'bpf-lsm'],
  provenance: [
    'seed 000 commit message: "At token creation time, SELinux verifies that the current process has the appropriate *_as permission (depending on the allowed_cmds value in the bpf_token) to act on behalf of the creator_sid"',
    'spec/selinux-token.md §S4.1: bpf_token_create() resolves bpffs_fd, validates the path, and hands it to security_bpf_token_create(token, attr, &path)',
  ],
  // merged (7.3.4 hooks.c:7439): the creator of the validated path's superblock
  knownBad: ['selinux-token-v7'],
  holdsOn: ['selinux-token-fixed', 'selinux-token-merged'],
  requires: 'selinux-token-patch',
  gen: { lsm: { polcap: 'on', races: true, bpfLsm: true } },
  check(s, profile) {
    return walk(s, profile, {
      before(st, step, i, ahead) {
        if (step.op !== 'token_create') return null;
        const se = patched(st);
        if (!se || !polcapOn(se)) return null;
        // the file the kernel resolves before any other thread can run
        const f = fileOf(st, step, step.bpffs);
        const sb = f?.path?.mnt.sb;
        if (!sb || sb.fsType !== 'bpf' || f.path!.dentry !== sb.s_root || !sb.s_fs_info) return null;
        const creator = creatorContext(se, sb);
        if (!creator) return null;
        const cur = currentContext(se, st, step);
        const r = ahead ?? counterfactual(st, step);
        const recs = (r.avc ?? []).filter((a) => a.hook === 'bpf_token_create');
        for (const a of recs)
          if (a.scontext !== cur || a.tcontext !== creator)
            return { step: i, message: `token_create from ${creator}'s bpffs checked ${a.scontext} -> ${a.tcontext} bpf:${a.perm}, expected ${cur} -> ${creator}` };
        if (r.ret !== 'ok') return null;
        const cmds = sb.s_fs_info.delegate_cmds;
        const want = [
          ...(cmds & (1n << BigInt(BPF_MAP_CREATE)) ? ['map_create_as'] : []),
          ...(cmds & (1n << BigInt(BPF_PROG_LOAD)) ? ['prog_load_as'] : []),
        ];
        const got = recs.map((a) => a.perm);
        if (want.join() !== got.join())
          return { step: i, message: `token_create with allowed_cmds 0x${cmds.toString(16)} checked [${got.join(', ')}], expected [${want.join(', ')}]` };
        return null;
      },
    });
  },
};
