// The BPF token (kernel/bpf/token.c).

import type { FileOperations, Kernel, Task } from './kernel.ts';
import type { UserNamespace } from './userns.ts';
import { isInit } from './userns.ts';
import { CAP_BPF, CAP_SYS_ADMIN } from './caps.ts';
import { E2BIG, EBADF, EINVAL, EMFILE, ENOENT, EOPNOTSUPP, EPERM, retName } from './errno.ts';
import { MAY_ACCESS, type Dentry, type Path, allocFd, fdget, path_permission } from './vfs.ts';
import { __MAX_BPF_ATTACH_TYPE, __MAX_BPF_CMD, __MAX_BPF_MAP_TYPE, __MAX_BPF_PROG_TYPE } from './enums.ts';
import type { Profile } from './profile.ts';
import type { BpfAttr, BpfToken, DelegateKey } from './include/linux/bpf.ts';
import { security_bpf_token_capable, security_bpf_token_cmd, security_bpf_token_create, security_bpf_token_free } from './security.ts';
import type { StepTable } from './step.ts';
import { fdOf } from './step.ts';
import { fdgetRaw } from './file.ts';
import { P } from './include/decision.ts';
export type { BpfToken };


/** bpf_ns_capable(): CAP_SYS_ADMIN stands in for every capability but itself */
export function bpf_ns_capable(k: Kernel, t: Task, ns: UserNamespace, cap: number): boolean {
  return k.ns_capable(t.cred, ns, cap) || (cap !== CAP_SYS_ADMIN && k.ns_capable(t.cred, ns, CAP_SYS_ADMIN));
}

/** bpf_token_capable(); called through Kernel.fn */
export function bpf_token_capable(k: Kernel, t: Task, token: BpfToken | null, cap: number): boolean {
  // BPF token allows ns_capable() level of capabilities
  const userns = token ? token.userns : k.initUserNs;
  if (k.check('bpf_token_capable/ns_capable', !bpf_ns_capable(k, t, userns, cap))) return false;
  if (token && k.check('bpf_token_capable/lsm', security_bpf_token_capable(k, token, cap) < 0)) return false;
  return true;
}

/** bpf_token_create() (token.c), after token_create()'s attr checks (syscall.c) */
export function bpf_token_create(k: Kernel, t: Task, attr: BpfAttr): number {
  const tp = k.profile.token;
  const f = fdget(t.files, attr.bpffs_fd ?? 0);
  if (k.check('bpf_token_create/fdget', !f)) return -EBADF;
  // anon-inode and device files are never the root of a bpffs instance
  const path: Path | null = f!.path;
  const notRoot = !path || (tp.rootCheck === 'sb_root' ? path.dentry !== path.mnt.sb.s_root : path.mnt.mnt_root !== path.dentry); // v10: mnt_root
  if (k.check('bpf_token_create/root', notRoot)) return -EINVAL;
  if (k.check('bpf_token_create/bpffs', path!.mnt.sb.fsType !== 'bpf')) return -EINVAL;
  let err = path_permission(k, t.cred, path!, MAY_ACCESS);
  if (err) return err;
  const userns = path!.dentry.sb.s_user_ns;
  // Enforce that creators of BPF tokens are in the same user namespace as the BPF FS instance
  if (tp.sameUsernsRule && k.check('bpf_token_create/same_userns', t.cred.userns !== userns)) return -EPERM;
  if (k.check('bpf_token_create/cap_bpf', !k.ns_capable(t.cred, userns, CAP_BPF))) return -EPERM;
  // Creating BPF token in init_user_ns doesn't make much sense
  if (tp.initUsernsEopnotsupp && k.check('bpf_token_create/init_ns', isInit(t.cred.userns))) return -EOPNOTSUPP;
  const opts = path!.dentry.sb.s_fs_info!;
  const none = opts.delegate_cmds === 0n && opts.delegate_maps === 0n && opts.delegate_progs === 0n && opts.delegate_attachs === 0n;
  if (tp.enoentWithoutDelegation && k.check('bpf_token_create/delegation', none)) return -ENOENT; // no BPF token delegation is set up
  // 7.3.4: FD_PREPARE(fdf, O_CLOEXEC, alloc_file_pseudo(...)) reserves the fd
  // here, before kzalloc() and security_bpf_token_create() (profile knob
  // tokenFdBeforeHook): EMFILE wins over an LSM refusal, no hook is called.
  // Nothing below installs another fd, so newFileFd() takes the same slot.
  if (tp.tokenFdBeforeHook && k.check('bpf_token_create/fd_first', allocFd(t) < 0)) return -EMFILE;
  const token: BpfToken = {
    id: k.nextId(),
    userns,
    allowed_cmds: opts.delegate_cmds,
    allowed_maps: opts.delegate_maps,
    allowed_progs: opts.delegate_progs,
    allowed_attachs: opts.delegate_attachs,
    security: null,
    refcnt: 1,
  };
  k.preemptionPoint();
  err = security_bpf_token_create(k, token, attr, path!);
  if (k.check('bpf_token_create/lsm', err !== 0)) {
    // 6.18 out_token: bpf_token_free() (a second security_bpf_token_free()); 7.3.4
    // returns at once, the token being __free(kfree) (profile knob tokenLsmRefusalNoCallerFree)
    if (!k.profile.token.tokenLsmRefusalNoCallerFree) bpf_token_free(k, token);
    return err;
  }
  // bpf_get_inode() + alloc_file_pseudo(inode, path.mnt, "bpf-token"): the
  // token file has its own (unlinked, non-directory) dentry on the bpffs
  // mount, not the root (kernel: mkdirat(tokenfd, "d") -> ENOTDIR)
  const sb = path!.dentry.sb;
  const dentry: Dentry = {
    id: k.nextId(),
    sb,
    name: 'bpf-token',
    parent: null,
    children: new Map(),
    inode: { ino: sb.nextIno++, mode: 0o600, isDir: false, uid: t.cred.fsuid, gid: t.cred.gid },
    norcu: true, // d_alloc_pseudo()
  };
  // get_unused_fd_flags(O_CLOEXEC)
  const fd = k.newFileFd(t, { kind: 'token', token }, { mnt: path!.mnt, dentry }, false);
  if (fd < 0) bpf_token_free(k, token);
  // clear_nlink(inode): an unlinked inode kept open counts in sb->s_remove_count
  // (a failure above evicts it again at once, so only a live token file counts)
  else sb.s_remove_count++;
  return fd;
}

function bpf_token_free(k: Kernel, token: BpfToken): void {
  security_bpf_token_free(k, token);
}

export function bpf_token_inc(token: BpfToken): void {
  token.refcnt++;
}

export function bpf_token_put(k: Kernel, token: BpfToken | null): void {
  if (!token) return;
  token.refcnt--;
  if (token.refcnt === 0) bpf_token_free(k, token);
}

/** bpf_token_get_from_fd(): EBADF for no file (or O_PATH), EINVAL for a non-token */
export function bpf_token_get_from_fd(k: Kernel, t: Task, ufd: number): BpfToken | number {
  const f = fdget(t.files, ufd);
  if (k.check('bpf_token_get_from_fd/fdget', !f) || !f) return -EBADF;
  if (k.check('bpf_token_get_from_fd/is_token', f.obj.kind !== 'token') || f.obj.kind !== 'token') return -EINVAL;
  bpf_token_inc(f.obj.token);
  return f.obj.token;
}

/** bpf_token_allow_cmd(): the bit, then security_bpf_token_cmd() */
export function bpf_token_allow_cmd(k: Kernel, token: BpfToken | null, cmd: number): boolean {
  if (!token) return false;
  if (k.check('bpf_token_allow_cmd/bit', !(token.allowed_cmds & (1n << BigInt(cmd))))) return false;
  return !k.check('bpf_token_allow_cmd/lsm', security_bpf_token_cmd(k, token, cmd) !== 0);
}

/** bpf_token_allow_map_type(): `type >= __MAX_BPF_MAP_TYPE` is the kernel's
 *  (the profile's enumTails: 7.3.4 kernel/bpf/token.c:247 with 36 types) */
export function bpf_token_allow_map_type(k: Kernel, token: BpfToken | null, type: number): boolean {
  if (!token || type >= enumMax(k.profile, 'delegate_maps', __MAX_BPF_MAP_TYPE)) return false;
  return (token.allowed_maps & (1n << BigInt(type))) !== 0n;
}

/** bpf_token_allow_prog_type(); called through Kernel.fn */
export function bpf_token_allow_prog_type(k: Kernel, token: BpfToken | null, prog: number, attach: number): boolean {
  if (!token || prog >= __MAX_BPF_PROG_TYPE || attach >= enumMax(k.profile, 'delegate_attachs', __MAX_BPF_ATTACH_TYPE)) return false;
  return (token.allowed_progs & (1n << BigInt(prog))) !== 0n && (token.allowed_attachs & (1n << BigInt(attach))) !== 0n;
}

/** __MAX_BPF_* of the profile's kernel: the 6.18 value less its enumDrop plus its enumTails
 *  (7.3.4 kernel/bpf/token.c:75-96 fdinfo masks, :257 bpf_token_allow_prog_type()) */
function enumMax(p: Profile, key: DelegateKey, base: number): number {
  return base - (p.token.enumDrop?.[key] ?? 0) + (p.token.enumTails?.[key]?.length ?? 0);
}

/** bpf_token_show_fdinfo(): "any" when every known bit is set, else the raw mask */
export function bpf_token_show_fdinfo(token: BpfToken, p?: Profile): string {
  const line = (name: string, v: bigint, max: number): string => {
    const mask = (1n << BigInt(max)) - 1n;
    return (v & mask) === mask ? `${name}:\tany` : `${name}:\t0x${v.toString(16)}`;
  };
  return [
    line('allowed_cmds', token.allowed_cmds, p ? enumMax(p, 'delegate_cmds', __MAX_BPF_CMD) : __MAX_BPF_CMD),
    line('allowed_maps', token.allowed_maps, p ? enumMax(p, 'delegate_maps', __MAX_BPF_MAP_TYPE) : __MAX_BPF_MAP_TYPE),
    line('allowed_progs', token.allowed_progs, p ? enumMax(p, 'delegate_progs', __MAX_BPF_PROG_TYPE) : __MAX_BPF_PROG_TYPE),
    line('allowed_attachs', token.allowed_attachs, p ? enumMax(p, 'delegate_attachs', __MAX_BPF_ATTACH_TYPE) : __MAX_BPF_ATTACH_TYPE),
  ].join('\n');
}

/** bpf_token_get_info_by_fd(): struct bpf_token_info, 4 x u64, raw masks;
 *  info_len > 32 needs a zero tail (the executor's buffer is zeroed) */
export function bpf_token_get_info_by_fd(token: BpfToken, infoLen: number): { ret: number; text?: string } {
  if (infoLen > 4096) return { ret: -E2BIG };
  const len = Math.min(32, infoLen);
  const fields = [token.allowed_cmds, token.allowed_maps, token.allowed_progs, token.allowed_attachs];
  const names = ['cmds', 'maps', 'progs', 'attachs'];
  const shown = fields.map((v, i) => {
    const bytes = Math.max(0, Math.min(8, len - i * 8));
    const keep = bytes === 8 ? v : v & ((1n << BigInt(bytes * 8)) - 1n);
    return `${names[i]}=0x${keep.toString(16)}`;
  });
  return { ret: 0, text: shown.join(',') };
}

/** bpf_token_fops (kernel/bpf/token.c): ->release = bpf_token_release(),
 *  ->show_fdinfo = bpf_token_show_fdinfo() */
export const bpf_token_fops: FileOperations = {
  release(k, f) {
    if (f.obj.kind !== 'token') return;
    // the unlinked token inode is evicted: the superblock's s_remove_count drops
    f.path!.dentry.sb.s_remove_count--;
    bpf_token_put(k, f.obj.token);
  },
  show_fdinfo(k, f) {
    return f.obj.kind === 'token' ? bpf_token_show_fdinfo(f.obj.token, k.profile) : '';
  },
};

/** this layer's ops (model/step.ts): /proc/self/fdinfo of a token, which is show_fdinfo's */
export const TOKEN_STEPS: StepTable<'token_fdinfo'> = {
  token_fdinfo: (st, t, step) => {
    const f = fdgetRaw(t.files, fdOf(st, t, step.fd));
    if (!f || f.obj.kind !== 'token') return { ret: retName(-ENOENT) };
    return { ret: 'ok', text: st.k.fops.token!.show_fdinfo!(st.k, f) };
  },
};

/** this layer's decision points (model/coverage.ts): one check each, with the
 *  kernel function it mirrors and the errno it fails with */
export const TOKEN_DECISIONS = [
  ...P('token', 'bpf_token_create (kernel/bpf/token.c)', [
    ['flags', 'token_create.flags == 0', 'EINVAL'],
    ['fdget', 'an open, non-O_PATH fd', 'EBADF'],
    ['root', 'the fd is the root of its superblock (v10: of its mount)', 'EINVAL'],
    ['bpffs', 'the superblock is bpffs', 'EINVAL'],
    ['same_userns', 'the creator is in the bpffs user namespace', 'EPERM'],
    ['cap_bpf', 'ns_capable(s_user_ns, CAP_BPF)', 'EPERM'],
    ['init_ns', 'not in init_user_ns', 'EOPNOTSUPP'],
    ['delegation', 'some delegate mask is non-zero', 'ENOENT'],
    ['fd_first', 'linux-7.3: FD_PREPARE() reserves the fd before kzalloc() and the hook (profile knob tokenFdBeforeHook)', 'EMFILE'],
    ['lsm', 'security_bpf_token_create()', 'LSM'],
  ]),
  ...P('token', 'bpf_token_get_from_fd (kernel/bpf/token.c)', [
    ['fdget', 'an open, non-O_PATH fd', 'EBADF'],
    ['is_token', 'the file is a token', 'EINVAL'],
  ]),
  ...P('token', 'bpf_token_allow_cmd (kernel/bpf/token.c)', [
    ['bit', 'the command is in allowed_cmds', 'dropped'],
    ['lsm', 'security_bpf_token_cmd()', 'dropped'],
  ]),
  ...P('token', 'bpf_token_capable (kernel/bpf/token.c)', [
    ['ns_capable', 'cap (or CAP_SYS_ADMIN) in the token userns, or init without a token', 'EPERM'],
    ['lsm', 'security_bpf_token_capable()', 'EPERM'],
  ]),
] as const;
declare module './include/decision.ts' {
  interface DecisionPointIds extends Record<(typeof TOKEN_DECISIONS)[number]['id'], true> {}
}
