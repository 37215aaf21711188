// BPF_PROG_ATTACH, BPF_PROG_DETACH and BPF_LINK_CREATE on the scenario's
// cgroup (kernel/bpf/syscall.c bpf_prog_attach(), bpf_prog_detach(),
// link_create(), bpf_prog_attach_check_attach_type(); kernel/bpf/cgroup.c
// cgroup_bpf_prog_attach(), __cgroup_bpf_attach(), __cgroup_bpf_detach(),
// cgroup_bpf_link_attach()), check by check in kernel order (linux 6.18;
// 7.3.4 syscall.c:4491-4720, :5810-5840, cgroup.c:806-856, :1115-1145,
// :1388-1438, :1540-1570 read alike). The attach-time capability check runs
// through prog->aux->token as the attaching task (`current`), which may be
// another task than the loader. Non-cgroup program types reach only their
// first checks here (the language has no maps, netdevs or perf events to
// attach to): they are not drawn by the generator.

import type { Kernel, Task } from './kernel.ts';
import { E2BIG, EBADF, EINVAL, ENODEV, ENOENT, EOPNOTSUPP, EPERM } from './errno.ts';
import { hasBpfLsm } from './kconfig.ts';
import type { BpfAttr, BpfLink, BpfProg, BpfProgListEntry, CgroupBpf } from './include/linux/bpf.ts';
import type { FileOperations } from './kernel.ts';
import { ATTACH, PROG } from './enums.ts';
import { CAP_NET_ADMIN, CAP_SYS_ADMIN } from './caps.ts';
import { allocFd, fdget } from './vfs.ts';
import { bpf_prog_inc, bpf_prog_put } from './bpfobj.ts';
import { P as DP } from './include/decision.ts';

/** the executor's fd of the scenario's cgroup v2 directory (attr target_fd), by name */
export const CGROUP_TARGET_FD = -4096;

const F_ALLOW_OVERRIDE = 1;
const F_ALLOW_MULTI = 2;
const F_REPLACE = 4;
const F_BEFORE = 8;
const F_AFTER = 16;
const F_ID = 32;
const F_PREORDER = 64;
const F_LINK = 1 << 13;
const MASK_BASE = F_ALLOW_OVERRIDE | F_ALLOW_MULTI | F_REPLACE | F_PREORDER;
const MASK_MPROG = F_REPLACE | F_BEFORE | F_AFTER | F_ID | F_LINK;
/** BPF_CGROUP_MAX_PROGS */
const CGROUP_MAX_PROGS = 64;

const A = ATTACH as Record<string, number>;
const P = PROG as Record<string, number>;

/** attach_type_to_prog_type() */
export function attach_type_to_prog_type(at: number): number {
  const name = Object.keys(A).find((n) => A[n] === at) ?? '';
  if (['CGROUP_INET_INGRESS', 'CGROUP_INET_EGRESS'].includes(name)) return P.CGROUP_SKB!;
  if (['CGROUP_INET_SOCK_CREATE', 'CGROUP_INET_SOCK_RELEASE', 'CGROUP_INET4_POST_BIND', 'CGROUP_INET6_POST_BIND'].includes(name)) return P.CGROUP_SOCK!;
  if (/^CGROUP_(INET[46]_(BIND|CONNECT|GETPEERNAME|GETSOCKNAME)|UNIX_(CONNECT|GETPEERNAME|GETSOCKNAME|SENDMSG|RECVMSG)|UDP[46]_(SENDMSG|RECVMSG))$/.test(name))
    return P.CGROUP_SOCK_ADDR!;
  if (name === 'CGROUP_SOCK_OPS') return P.SOCK_OPS!;
  if (name === 'CGROUP_DEVICE') return P.CGROUP_DEVICE!;
  if (name === 'SK_MSG_VERDICT') return P.SK_MSG!;
  if (['SK_SKB_STREAM_PARSER', 'SK_SKB_STREAM_VERDICT', 'SK_SKB_VERDICT'].includes(name)) return P.SK_SKB!;
  if (name === 'LIRC_MODE2') return P.LIRC_MODE2!;
  if (name === 'FLOW_DISSECTOR') return P.FLOW_DISSECTOR!;
  if (name === 'CGROUP_SYSCTL') return P.CGROUP_SYSCTL!;
  if (['CGROUP_GETSOCKOPT', 'CGROUP_SETSOCKOPT'].includes(name)) return P.CGROUP_SOCKOPT!;
  if (['TRACE_ITER', 'TRACE_RAW_TP', 'TRACE_FENTRY', 'TRACE_FEXIT', 'MODIFY_RETURN'].includes(name)) return P.TRACING!;
  if (name === 'LSM_MAC' || name === 'LSM_CGROUP') return P.LSM!;
  if (name === 'SK_LOOKUP') return P.SK_LOOKUP!;
  if (name === 'XDP') return P.XDP!;
  if (['TCX_INGRESS', 'TCX_EGRESS', 'NETKIT_PRIMARY', 'NETKIT_PEER'].includes(name)) return P.SCHED_CLS!;
  return 0; // BPF_PROG_TYPE_UNSPEC
}

/** is_cgroup_prog_type() */
function is_cgroup_prog_type(ptype: number, atype: number, checkAtype: boolean): boolean {
  if ([P.CGROUP_DEVICE, P.CGROUP_SKB, P.CGROUP_SOCK, P.CGROUP_SOCK_ADDR, P.CGROUP_SOCKOPT, P.CGROUP_SYSCTL, P.SOCK_OPS].includes(ptype)) return true;
  if (ptype === P.LSM) return checkAtype ? atype === A.LSM_CGROUP : true;
  return false;
}

/** bpf_prog_attach_check_attach_type(): the capability check of a cgroup skb
 *  program runs through prog->aux->token as `t`, the attaching task
 *  (ModelFns: the mutant mutant-attach-capable-as-loader swaps it) */
export function bpf_prog_attach_check_attach_type(k: Kernel, t: Task, prog: BpfProg, at: number): number {
  const type = prog.type;
  if ([P.CGROUP_SOCK, P.CGROUP_SOCK_ADDR, P.CGROUP_SOCKOPT, P.SK_LOOKUP].includes(type))
    return k.check('bpf_prog_attach_check_attach_type/expected', at !== prog.expected_attach_type) ? -EINVAL : 0;
  if (type === P.CGROUP_SKB) {
    // "cg-skb progs can be loaded by unpriv user. check permissions at attach time."
    if (k.check('bpf_prog_attach_check_attach_type/net_admin', !k.fn.bpf_token_capable(k, t, prog.aux_token, CAP_NET_ADMIN))) return -EPERM;
    if (attach_type_to_prog_type(at) !== type) return -EINVAL;
    return k.check('bpf_prog_attach_check_attach_type/expected', prog.enforce_expected_attach_type === true && prog.expected_attach_type !== at) ? -EINVAL : 0;
  }
  if (type === P.EXT) return 0;
  if (type === P.SCHED_CLS) return [A.TCX_INGRESS, A.TCX_EGRESS, A.NETKIT_PRIMARY, A.NETKIT_PEER].includes(at) ? 0 : -EINVAL;
  // (NETFILTER, PERF_EVENT, TRACEPOINT, KPROBE: their own attach types; not in the language)
  const ptype = attach_type_to_prog_type(at);
  return k.check('bpf_prog_attach_check_attach_type/expected', ptype === 0 || ptype !== type) ? -EINVAL : 0;
}

type ProgListEntry = BpfProgListEntry;

/** the scenario's cgroup's cgrp->bpf (a field of the Kernel: copied with the state) */
function cgroupOf(k: Kernel): CgroupBpf {
  return k.cgrp_bpf;
}

/** what the scenario's cgroup holds (cgrp->bpf.progs[]): the programs attached
 *  by BPF_PROG_ATTACH (each a reference) and the attached links (held by their
 *  fds and pins, not by the cgroup). For the properties that count live objects. */
export function cgroup_bpf_attached(k: Kernel): { progs: BpfProg[]; links: BpfLink[] } {
  const progs: BpfProg[] = [];
  const links: BpfLink[] = [];
  for (const list of cgroupOf(k).progs.values())
    for (const e of list) {
      if (e.prog) progs.push(e.prog);
      if (e.link) links.push(e.link);
    }
  return { progs, links };
}

/** cgroup_get_from_fd(): only the scenario's cgroup directory; any other fd
 *  (/dev/null, a bpffs file, none) -EBADF */
function cgroup_get_from_fd(fd: number): boolean {
  return fd === CGROUP_TARGET_FD;
}

/** bpf_prog_get_type() / bpf_prog_get() (ptype null): a reference, or -errno */
function bpf_prog_get_type(t: Task, ufd: number, ptype: number | null): BpfProg | number {
  const f = fdget(t.files, ufd);
  if (!f) return -EBADF;
  if (f.obj.kind !== 'prog') return -EINVAL;
  if (ptype !== null && f.obj.prog.type !== ptype) return -EINVAL;
  bpf_prog_inc(f.obj.prog);
  return f.obj.prog;
}

/** __cgroup_bpf_attach() (hierarchy_allows_attach(): the scenario's cgroup
 *  has no ancestor with a non-overridable program, as on the oracle machine) */
function cgroup_bpf_attach(k: Kernel, prog: BpfProg | null, link: BpfLink | null, at: number, flags: number): number {
  const cg = cgroupOf(k);
  const saved = flags & (F_ALLOW_OVERRIDE | F_ALLOW_MULTI);
  const bad = ((flags & F_ALLOW_OVERRIDE) !== 0 && (flags & F_ALLOW_MULTI) !== 0) || ((flags & F_REPLACE) !== 0 && (flags & F_ALLOW_MULTI) === 0);
  if (k.check('cgroup_bpf_attach/flags', bad)) return -EINVAL;
  if (flags & F_REPLACE) return -EINVAL; // (replace_bpf_fd 0: /dev/null is no program)
  const list = cg.progs.get(at) ?? [];
  if (k.check('cgroup_bpf_attach/saved_flags', list.length > 0 && (cg.flags.get(at) ?? 0) !== saved)) return -EPERM;
  if (list.length >= CGROUP_MAX_PROGS) return -E2BIG;
  let pl: ProgListEntry | null = null;
  if (!(flags & F_ALLOW_MULTI)) pl = list[0] ?? null;
  else if (k.check('cgroup_bpf_attach/twice', list.some((e) => (prog && e.prog === prog) || (link && e.link === link)))) return -EINVAL;
  let old: BpfProg | null = null;
  if (pl) {
    old = pl.prog;
    pl.prog = prog;
    pl.link = link;
  } else list.push({ prog, link });
  cg.progs.set(at, list);
  cg.flags.set(at, saved);
  if (old) bpf_prog_put(k, old);
  return 0;
}

/** bpf_prog_attach() (CHECK_ATTR() done by __sys_bpf) */
export function bpf_prog_attach(k: Kernel, t: Task, attr: BpfAttr): number {
  const at = attr.attach_type ?? 0;
  const flags = attr.attach_flags ?? 0;
  const ptype = attach_type_to_prog_type(at);
  if (k.check('bpf_prog_attach/ptype', ptype === 0)) return -EINVAL;
  const mask = ptype === P.SCHED_CLS ? MASK_MPROG : is_cgroup_prog_type(ptype, 0, false) ? MASK_BASE | MASK_MPROG : MASK_BASE;
  if (k.check('bpf_prog_attach/flags', (flags & ~mask) !== 0)) return -EINVAL;
  const prog = bpf_prog_get_type(t, attr.attach_bpf_fd ?? 0, ptype);
  if (k.check('bpf_prog_attach/prog', typeof prog === 'number') || typeof prog === 'number') return prog as number;
  if (k.check('bpf_prog_attach/check_attach_type', k.fn.bpf_prog_attach_check_attach_type(k, t, prog, at) !== 0)) {
    bpf_prog_put(k, prog);
    return -EINVAL;
  }
  let ret: number;
  if (is_cgroup_prog_type(ptype, prog.expected_attach_type, true)) {
    // cgroup_bpf_prog_attach()
    if (k.check('cgroup_bpf_attach/target', !cgroup_get_from_fd(attr.target_fd ?? 0))) ret = -EBADF;
    else ret = cgroup_bpf_attach(k, prog, null, at, flags);
  } else if (ptype === P.SCHED_CLS) ret = -ENODEV; // tcx/netkit: target_ifindex = the cgroup fd's number, no such device
  else ret = -EINVAL; // sock_map_get_from_fd(), lirc_prog_attach(), netns_bpf_prog_attach(): target_fd is no map/lirc/0
  if (ret) bpf_prog_put(k, prog);
  return ret;
}

/** bpf_prog_detach() -> cgroup_bpf_prog_detach() -> __cgroup_bpf_detach() */
export function bpf_prog_detach(k: Kernel, t: Task, attr: BpfAttr): number {
  const at = attr.attach_type ?? 0;
  const ptype = attach_type_to_prog_type(at);
  if (ptype === P.SCHED_CLS) {
    // bpf_mprog_supported(): the mprog flags, attach_bpf_fd's program (its error
    // returned), or without one bpf_mprog_detach_empty() = bpf_net_capable()
    // (7.3.4 syscall.c:4665-4686, include/linux/bpf_mprog.h:344-352; 6.18 alike),
    // then tcx/netkit_prog_detach(): target_ifindex (the cgroup fd's number) is no device
    if ((attr.attach_flags ?? 0) & ~MASK_MPROG) return -EINVAL;
    if (attr.attach_bpf_fd) {
      const got = bpf_prog_get_type(t, attr.attach_bpf_fd, ptype);
      if (typeof got === 'number') return got;
      bpf_prog_put(k, got);
    } else if (!k.capable(t.cred, CAP_NET_ADMIN) && !k.capable(t.cred, CAP_SYS_ADMIN)) return -EPERM;
    return -ENODEV;
  }
  if (k.check('bpf_prog_detach/flags', ptype === 0 || !is_cgroup_prog_type(ptype, 0, false) || (attr.attach_flags ?? 0) !== 0)) return -EINVAL;
  if (!cgroup_get_from_fd(attr.target_fd ?? 0)) return -EBADF;
  const got = bpf_prog_get_type(t, attr.attach_bpf_fd ?? 0, ptype);
  const prog = typeof got === 'number' ? null : got;
  const ret = cgroup_bpf_detach(k, t, prog, null, at);
  if (prog) bpf_prog_put(k, prog);
  return ret;
}

function cgroup_bpf_detach(k: Kernel, t: Task, prog: BpfProg | null, link: BpfLink | null, at: number): number {
  // __cgroup_bpf_detach() -> bpf_cgroup_atype_find() (7.3.4 kernel/bpf/cgroup.c:1213-1215,
  // :182-202; 6.18 alike): LSM_MAC has no cgroup attach type (EINVAL); LSM_CGROUP takes the
  // slot of the program's attach_btf_id, and with none (no LSM program: the model loads none
  // with BTF) the first unused slot, so an empty list gives ENOENT below; without
  // CONFIG_BPF_LSM it is EOPNOTSUPP (:232-239)
  if (at === A.LSM_MAC) return -EINVAL;
  if (at === A.LSM_CGROUP && !hasBpfLsm(k.profile.token.kconfig)) return -EOPNOTSUPP;
  const cg = cgroupOf(k);
  const list = cg.progs.get(at) ?? [];
  const multi = ((cg.flags.get(at) ?? 0) & F_ALLOW_MULTI) !== 0;
  let i: number;
  if (!multi) {
    if (k.check('bpf_prog_detach/entry', list.length === 0)) return -ENOENT;
    // the host build's bpf_net_capable() for a detach that does not name the attached
    // program (none, one of another type, or another one: the legacy list detaches its
    // first entry whatever is named) (profile knob legacyDetachNeedsNetCapable; not upstream)
    if (k.profile.token.legacyDetachNeedsNetCapable && !link && list[0]!.prog !== prog && k.check('bpf_prog_detach/vendor_net_capable', !k.capable(t.cred, CAP_NET_ADMIN) && !k.capable(t.cred, CAP_SYS_ADMIN))) return -EPERM;
    i = 0;
  } else {
    if (k.check('bpf_prog_detach/entry', !prog && !link)) return -EINVAL;
    i = list.findIndex((e) => e.prog === prog && e.link === link);
    if (k.check('bpf_prog_detach/entry', i < 0)) return -ENOENT;
  }
  const [pl] = list.splice(i, 1);
  if (list.length === 0) cg.flags.set(at, 0);
  if (pl?.prog) bpf_prog_put(k, pl.prog);
  return 0;
}

/** link_create() (CHECK_ATTR() done by __sys_bpf) -> cgroup_bpf_link_attach() */
export function link_create(k: Kernel, t: Task, attr: BpfAttr): number {
  const at = attr.attach_type ?? 0;
  if (at === A.STRUCT_OPS) return -EINVAL; // bpf_struct_ops_link_create(): prog_fd is no struct_ops map
  const prog = bpf_prog_get_type(t, attr.attach_bpf_fd ?? 0, null);
  if (k.check('link_create/prog', typeof prog === 'number') || typeof prog === 'number') return prog as number;
  let ret = k.fn.bpf_prog_attach_check_attach_type(k, t, prog, at);
  if (k.check('link_create/check_attach_type', ret !== 0)) {
    bpf_prog_put(k, prog);
    return ret;
  }
  const cgroupType = [P.CGROUP_SKB, P.CGROUP_SOCK, P.CGROUP_SOCK_ADDR, P.SOCK_OPS, P.CGROUP_DEVICE, P.CGROUP_SYSCTL, P.CGROUP_SOCKOPT].includes(prog.type);
  if (k.check('link_create/prog_type', !cgroupType)) {
    bpf_prog_put(k, prog);
    return -EINVAL;
  }
  // cgroup_bpf_link_attach(): flags (0 here), cgroup_get_from_fd(), bpf_link_prime() (the fd), cgroup_bpf_attach()
  if (k.check('cgroup_bpf_attach/target', !cgroup_get_from_fd(attr.target_fd ?? 0))) {
    bpf_prog_put(k, prog);
    return -EBADF;
  }
  const slot = allocFd(t);
  if (slot < 0) {
    bpf_prog_put(k, prog);
    return slot;
  }
  const link: BpfLink = { id: k.nextId(), prog, attach_type: at, refcnt: 1, detached: false };
  ret = cgroup_bpf_attach(k, null, link, at, F_ALLOW_MULTI);
  if (ret) {
    bpf_prog_put(k, prog); // bpf_link_cleanup()
    return ret;
  }
  return k.newAnonFd(t, { kind: 'link', link });
}

/** bpf_link_inc() */
export function bpf_link_inc(link: BpfLink): void {
  link.refcnt++;
}

/** bpf_link_put(): the last reference releases the link
 *  (bpf_cgroup_link_release(): detached from the cgroup), then its prog */
export function bpf_link_put(k: Kernel, link: BpfLink): void {
  link.refcnt--;
  if (link.refcnt > 0) return;
  if (!link.detached) {
    link.detached = true;
    const cg = cgroupOf(k);
    const list = cg.progs.get(link.attach_type) ?? [];
    const i = list.findIndex((e) => e.link === link);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) cg.flags.set(link.attach_type, 0);
  }
  bpf_prog_put(k, link.prog);
}

/** bpf_link_fops: ->release = bpf_link_release() -> bpf_link_put() */
export const bpf_link_fops: FileOperations = {
  release(k, f) {
    if (f.obj.kind === 'link') bpf_link_put(k, f.obj.link);
  },
};

/** this layer's decision points (model/coverage.ts): one check each, with the
 *  kernel function it mirrors and the errno it fails with */
export const LINK_DECISIONS = [
  ...DP('attach', 'bpf_prog_attach (kernel/bpf/syscall.c)', [
    ['ptype', 'attach_type_to_prog_type() knows the attach type', 'EINVAL'],
    ['flags', 'only the attach flags of the program type', 'EINVAL'],
    ['prog', 'bpf_prog_get_type(): a program of that type', 'EBADF/EINVAL'],
    ['check_attach_type', 'bpf_prog_attach_check_attach_type() (any failure becomes EINVAL)', 'EINVAL'],
  ]),
  ...DP('attach', 'bpf_prog_attach_check_attach_type (kernel/bpf/syscall.c)', [
    ['net_admin', 'cgroup skb: bpf_token_capable(prog->aux->token, CAP_NET_ADMIN) of the attaching task', 'EPERM'],
    ['expected', 'the attach type fits the expected attach type', 'EINVAL'],
  ]),
  ...DP('attach', 'cgroup_bpf_attach (kernel/bpf/cgroup.c)', [
    ['target', 'cgroup_get_from_fd(): target_fd is a cgroup v2 directory', 'EBADF'],
    ['flags', 'ALLOW_OVERRIDE and ALLOW_MULTI not both, no REPLACE', 'EINVAL'],
    ['saved_flags', 'programs attached with other flags', 'EPERM'],
    ['twice', 'the same program twice with ALLOW_MULTI', 'EINVAL'],
  ]),
  ...DP('attach', 'bpf_prog_detach (kernel/bpf/syscall.c)', [
    ['flags', 'no attach flags for cgroup types; a known attach type', 'EINVAL'],
    ['entry', 'find_detach_entry(): something (that program) is attached', 'ENOENT/EINVAL'],
    ['vendor_net_capable', 'this kernel build: a detach not naming the attached program needs CAP_NET_ADMIN or CAP_SYS_ADMIN (profile knob, not upstream)', 'EPERM'],
  ]),
  ...DP('attach', 'link_create (kernel/bpf/syscall.c)', [
    ['prog', 'bpf_prog_get(): a program', 'EBADF/EINVAL'],
    ['check_attach_type', 'bpf_prog_attach_check_attach_type() (its errno)', 'EPERM/EINVAL'],
    ['prog_type', 'a cgroup program type (others not in the language)', 'EINVAL'],
  ]),
] as const;
declare module './include/decision.ts' {
  interface DecisionPointIds extends Record<(typeof LINK_DECISIONS)[number]['id'], true> {}
}
