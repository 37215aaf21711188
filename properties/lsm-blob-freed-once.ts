import type { Property } from './types.ts';
import { walk } from './walk.ts';
import type { ModelState } from '../model/run.ts';
import type { BpfPinned, BpfProg } from '../model/include/linux/bpf.ts';
import type { Dentry, SuperBlock } from '../model/include/linux/fs.ts';
import type { FileObj } from '../model/include/linux/file.ts';
import { cgroup_bpf_attached } from '../model/link.ts';

/** blobs held by live bpf objects: maps, programs, links and tokens reachable
 *  from any fd table, pinned in a bpffs reachable from an fd or a mount of a
 *  task's namespace, or attached to the scenario's cgroup; tokens held by
 *  programs (prog->aux->token), maps held by programs (prog->aux->used_maps),
 *  programs held by links (link->prog). (A bpffs
 *  no fd or mount reaches any more is not walked: the model keeps its pins, the
 *  kernel's kill_litter_super() puts them.) */
function liveBlobs(st: ModelState): number {
  const objs = new Set<{ security: unknown }>();
  const sbs = new Set<SuperBlock>();
  const addProg = (p: BpfProg): void => {
    objs.add(p);
    if (p.aux_token) objs.add(p.aux_token);
    // maps the verifier bound (fd_array): prog->aux->used_maps holds them
    for (const m of p.used_maps ?? []) objs.add(m);
  };
  const addObj = (o: FileObj | BpfPinned): void => {
    if (o.kind === 'map') objs.add(o.map);
    else if (o.kind === 'token') objs.add(o.token);
    else if (o.kind === 'prog') addProg(o.prog);
    else if (o.kind === 'link') addProg(o.link.prog);
  };
  const tables = new Set([...st.tasks.values()].map((t) => t.files));
  for (const files of tables)
    for (const f of files.fds) {
      if (!f) continue;
      addObj(f.obj);
      if (f.path) sbs.add(f.path.mnt.sb).add(f.path.dentry.sb);
    }
  for (const t of st.tasks.values()) for (const ms of t.mntns.targets?.values() ?? []) for (const m of ms) sbs.add(m.sb);
  const pinned = (d: Dentry): void => {
    if (d.inode.pinned) addObj(d.inode.pinned);
    for (const c of d.children.values()) pinned(c);
  };
  for (const sb of sbs) pinned(sb.s_root);
  const cg = cgroup_bpf_attached(st.k);
  cg.progs.forEach(addProg);
  cg.links.forEach((l) => addProg(l.prog));
  let n = 0;
  for (const o of objs) if (o.security !== null) n++;
  return n;
}

export const lsmBlobFreedOnce: Property = {
  name: 'lsm-blob-freed-once',
  claim:
    'Every security blob the LSM framework allocates for a bpf map, program or token is freed exactly once: after every step, allocations minus frees equals the blobs live objects hold, on success and on every failure path.',
  source: { kind: 'semantic', where: "security/security.c: the framework allocates each bpf map/prog/token blob (lsm_bpf_map_alloc() etc.) and frees it in security_bpf_map_free()/security_bpf_prog_free()/security_bpf_token_free() with kfree() and a NULL reset" },
  dimensions: ['fd-race', 'bpf-lsm', 'policy-reload', 'token-passed'],
  provenance: [
    'security/security.c security_bpf_map_create() / security_bpf_prog_load() / security_bpf_token_create(): the blob is freed inside the hook when an LSM refuses, and the caller (map_create() free_map_sec, bpf_prog_load() free_prog_sec, bpf_token_create() out_token) frees again; kfree happens once because the free resets the pointer (spec/integrity-rfc.md §I2.3)',
    '"[PATCH] lsm,selinux: Add LSM blob support for BPF objects" (Blaise Boscaccy, July 2025): the framework, not SELinux, allocates and frees the blobs',
  ],
  knownBad: ['mutant-blob-no-null-after-free'],
  holdsOn: ['linux-6.18', 'linux-6.18-selinux', 'selinux-token-merged', 'integrity-rfc'],
  gen: { lsm: { races: true, bpfLsm: true } },
  check(s, profile) {
    return walk(s, profile, {
      after(st, step, i) {
        const { alloc, free, doubleFree } = st.k.security.blobs;
        if (doubleFree) return { step: i, message: `${step.op} kfree()d a blob that was already freed (${doubleFree} double free)` };
        const live = liveBlobs(st);
        if (alloc - free !== live)
          return { step: i, message: `after ${step.op}: ${alloc} allocated - ${free} freed = ${alloc - free}, but live objects hold ${live}` };
        return null;
      },
    });
  },
};
