import type { Property } from './types.ts';
import { walk } from './walk.ts';
import { selinuxOf } from './lsm-util.ts';
import type { SuperBlock } from '../model/vfs.ts';
import { SECSID_NULL } from '../model/lsm/policy.ts';
import type { ModelState } from '../model/run.ts';

/** every bpffs superblock reachable from some fd table: through a path, or through the fs
 *  context that created it (so it is seen at FSCONFIG_CMD_CREATE, when its creator_sid is
 *  set, not first at fsmount: a policy loaded in between must not count as loaded at its
 *  birth; found by fuzz --profile selinux-token-v7 --property all --runs 20000 --seed 21) */
function bpffsSbs(st: ModelState): SuperBlock[] {
  const out = new Set<SuperBlock>();
  for (const t of st.tasks.values())
    for (const f of t.files.fds) {
      if (f?.path && f.path.mnt.sb.fsType === 'bpf') out.add(f.path.mnt.sb);
      const sb = f?.obj.kind === 'fs_context' ? f.obj.fc.root?.sb : undefined;
      if (sb && sb.fsType === 'bpf') out.add(sb);
    }
  return [...out];
}

export const selinuxCreatorSid: Property = {
  name: 'selinux-creator-sid',
  claim:
    "Every bpffs superblock has a defined creator_sid (unlabeled until set up), and once SELinux is initialised it is the SID of the task that ran FSCONFIG_CMD_CREATE (or of the policy loader, for a superblock made before the first policy load).",
  source: { kind: 'document', file: "seeds/000_f8d943f6c940056a.txt", section: "commit message, high-level workflow step 3", quote: "SELinux records the `creator_sid` of the privileged process during mount setup." },
  dimensions: ['policy-reload'],
  provenance: [
    'seed 000 commit message, workflow step 3: "SELinux records the creator_sid of the privileged process during mount setup"',
    'seed 000 changelog v4: "Added initialization of creator_sid in selinux_sb_alloc_security" (A4); spec/selinux-token.md §S2.1: vfs_get_tree() -> security_sb_set_mnt_opts() runs in the CMD_CREATE caller; delayed_superblock_init() in the policy loader',
  ],
  knownBad: ['selinux-token-v1', 'selinux-token-v3'],
  holdsOn: ['selinux-token-v7', 'selinux-token-fixed'],
  requires: 'selinux-token-patch',
  gen: { lsm: {} },
  check(s, profile) {
    // superblock id -> was SELinux initialised when it was created
    const bornInitialised = new Map<number, boolean>();
    return walk(s, profile, {
      after(st, step, i) {
        const se = selinuxOf(st.k);
        if (!se || !se.variant.tokenPatch) return null;
        for (const sb of bpffsSbs(st)) {
          if (!bornInitialised.has(sb.id)) bornInitialised.set(sb.id, se.initialized);
          const got = se.creatorOf(sb);
          if (got === SECSID_NULL) return { step: i, message: `bpffs superblock ${sb.id} has creator_sid SECSID_NULL (never initialised)` };
          if (!se.initialized || !sb.createdBy) continue;
          const want = bornInitialised.get(sb.id) ? se.credSid(sb.createdBy) : se.sidOf('kernel_t');
          if (got !== want)
            return { step: i, message: `bpffs superblock ${sb.id}: creator_sid is ${se.contextOf(got)}, expected ${se.contextOf(want)} (${step.op})` };
        }
        return null;
      },
    });
  },
};
