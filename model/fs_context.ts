// The filesystem context API: fs/fsopen.c (fsopen, fsconfig, fspick) and
// fs/fs_context.c (phases, vfs_parse_fs_param, vfs_clean_context,
// finish_clean_context). Checks are in the kernel's order with its errnos.

import type { Cred } from './userns.ts';
import type { FsContext, FsParameter, Phase } from './include/linux/fs_context.ts';
export type { FsContext, FsParameter, Phase };
import type { FileSystemType, Kernel, Task } from './kernel.ts';
import { EBADF, EBUSY, EINVAL, ENODEV, ENOPARAM, EPERM } from './errno.ts';
import { CAP_SYS_ADMIN } from './caps.ts';
import { type Dentry, type File, type SbFlags, fdget, may_mount } from './vfs.ts';
import { resolvePath } from './namei.ts';
import { security_fs_context_parse_param, security_sb_kern_mount, security_sb_remount, security_sb_set_mnt_opts } from './security.ts';
import { type StepTable, A, fdOf } from './step.ts';
import { P } from './include/decision.ts';




export const FSCONFIG_SET_FLAG = 0;
export const FSCONFIG_SET_STRING = 1;
export const FSCONFIG_CMD_CREATE = 6;
export const FSCONFIG_CMD_RECONFIGURE = 7;

/** fs/fs_context.c common_set_sb_flag / common_clear_sb_flag */
const SET_SB_FLAG: Record<string, keyof SbFlags> = {
  dirsync: 'dirsync',
  lazytime: 'lazytime',
  mand: 'mand',
  ro: 'ro',
  sync: 'sync',
};
const CLEAR_SB_FLAG: Record<string, keyof SbFlags> = {
  async: 'sync',
  nolazytime: 'lazytime',
  nomand: 'mand',
  rw: 'ro',
};

/** get_fs_type(): the registered filesystem of that name */
function get_fs_type(k: Kernel, name: string): FileSystemType {
  return k.filesystems[name]!;
}

/** alloc_fs_context() + ->init_fs_context (bpf_init_fs_context); the model's
 *  contexts are bpffs ones (fsopen() refuses other names: fsopen/fs_type) */
export function alloc_fs_context(
  k: Kernel,
  t: Task,
  purpose: 'mount' | 'reconfigure',
  reference: Dentry | null,
): FsContext {
  const fc: FsContext = {
    id: k.nextId(),
    purpose,
    phase: purpose === 'mount' ? 'CREATE_PARAMS' : 'RECONF_PARAMS',
    user_ns: reference ? reference.sb.s_user_ns : t.cred.userns,
    cred: t.cred,
    s_fs_info: null,
    source: null,
    sb_flags: {},
    sb_flags_mask: new Set(),
    root: reference,
    need_free: false,
    fs_type: 'bpf',
  };
  get_fs_type(k, fc.fs_type).init_fs_context(t.cred, fc);
  fc.need_free = true;
  return fc;
}

/** SYSCALL fsopen() (fs/fsopen.c) */
export function sys_fsopen(k: Kernel, t: Task, fsName: string, flags: number): number {
  if (k.check('fsopen/may_mount', !may_mount(k, t.cred, t.mntns))) return -EPERM;
  if (k.check('fsopen/flags', (flags & ~1) /* FSOPEN_CLOEXEC */ !== 0)) return -EINVAL;
  if (k.check('fsopen/fs_type', fsName !== 'bpf')) return -ENODEV;
  const fc = alloc_fs_context(k, t, 'mount', null);
  fc.phase = 'CREATE_PARAMS';
  return k.newAnonFd(t, { kind: 'fs_context', fc });
}

/** vfs_parse_sb_flag() */
function vfs_parse_sb_flag(fc: FsContext, key: string): number {
  const set = Object.hasOwn(SET_SB_FLAG, key) ? SET_SB_FLAG[key] : undefined; // own keys only ("constructor" is no flag)
  if (set) {
    fc.sb_flags[set] = true;
    fc.sb_flags_mask.add(set);
    return 0;
  }
  const clr = Object.hasOwn(CLEAR_SB_FLAG, key) ? CLEAR_SB_FLAG[key] : undefined;
  if (clr) {
    fc.sb_flags[clr] = false;
    fc.sb_flags_mask.add(clr);
    return 0;
  }
  return -ENOPARAM;
}

/** vfs_parse_fs_param_source() */
export function vfs_parse_fs_param_source(fc: FsContext, param: FsParameter): number {
  if (param.key !== 'source') return -ENOPARAM;
  if (param.type !== 'string') return -EINVAL; // "Non-string source"
  if (fc.source !== null) return -EINVAL; // "Multiple sources"
  fc.source = param.string;
  return 0;
}

/** vfs_parse_fs_param(): sb flags, then the LSM, then the filesystem */
export function vfs_parse_fs_param(k: Kernel, t: Task, fc: FsContext, param: FsParameter): number {
  let ret = vfs_parse_sb_flag(fc, param.key);
  if (k.check('vfs_parse_fs_param/sb_flag', ret !== -ENOPARAM)) return ret;
  // Param belongs to the LSM or is disallowed by it: don't pass it on
  ret = security_fs_context_parse_param(k, fc, param);
  if (k.check('vfs_parse_fs_param/lsm', ret !== -ENOPARAM)) return ret;
  ret = get_fs_type(k, fc.fs_type).context_ops.parse_param(k, t.cred, fc, param);
  if (ret !== -ENOPARAM) return ret;
  ret = vfs_parse_fs_param_source(fc, param);
  // unreachable for bpffs, which takes every key (bpf_parse_param ignores unknown ones)
  if (ret === -ENOPARAM) return -EINVAL; // "Unknown parameter"
  return ret;
}

/** vfs_clean_context(): after fsmount() or a successful reconfigure */
export function vfs_clean_context(fc: FsContext): void {
  fc.need_free = false;
  fc.s_fs_info = null;
  fc.sb_flags = {};
  fc.source = null;
  fc.purpose = 'reconfigure';
  fc.phase = 'AWAITING_RECONF';
}

/** finish_clean_context(): re-runs ->init_fs_context with the caller's creds */
function finish_clean_context(k: Kernel, t: Task, fc: FsContext): number {
  if (fc.phase !== 'AWAITING_RECONF') return 0;
  get_fs_type(k, fc.fs_type).init_fs_context(t.cred, fc);
  fc.need_free = true;
  fc.phase = 'RECONF_PARAMS';
  return 0;
}

/** mount_capable(): bpffs is FS_USERNS_MOUNT, so ns_capable(fc->user_ns) */
export function mount_capable(k: Kernel, cred: Cred, fc: FsContext): boolean {
  return k.ns_capable(cred, fc.user_ns, CAP_SYS_ADMIN);
}

/** vfs_get_tree(): ->get_tree then security_sb_set_mnt_opts() */
export function vfs_get_tree(k: Kernel, t: Task, fc: FsContext): number {
  if (fc.root) return -EBUSY;
  const ret = get_fs_type(k, fc.fs_type).context_ops.get_tree(k, t, fc);
  if (ret) return ret;
  const sb = fc.root!.sb;
  sb.createdBy = t.cred;
  const err = security_sb_set_mnt_opts(k, sb);
  if (err) {
    fc.root = null;
    return err;
  }
  return 0;
}

/** vfs_cmd_create() */
function vfs_cmd_create(k: Kernel, t: Task, fc: FsContext): number {
  if (k.check('vfs_cmd_create/phase', fc.phase !== 'CREATE_PARAMS')) return -EBUSY;
  if (k.check('vfs_cmd_create/mount_capable', !mount_capable(k, t.cred, fc))) return -EPERM;
  fc.phase = 'CREATING';
  let ret = vfs_get_tree(k, t, fc);
  if (ret) {
    fc.phase = 'FAILED';
    return ret;
  }
  ret = security_sb_kern_mount(k, fc.root!.sb);
  if (ret) {
    fc.root = null;
    fc.phase = 'FAILED';
    return ret;
  }
  fc.phase = 'AWAITING_MOUNT';
  return 0;
}

/** reconfigure_super(): bpffs has no ->reconfigure, so parsed bpffs options are
 *  dropped; only the generic remountable sb flags (MS_RMT_MASK) apply. */
export function reconfigure_super(k: Kernel, fc: FsContext): number {
  if (k.check('vfs_cmd_reconfigure/rmt_mask', fc.sb_flags_mask.has('dirsync'))) return -EINVAL; // sb_flags_mask & ~MS_RMT_MASK
  const sb = fc.root!.sb;
  const ret = security_sb_remount(k, sb);
  if (ret) return ret;
  // remount read-only: sb_prepare_remount_readonly() refuses while unlinked
  // inodes are still open (s_remove_count), e.g. a live token's inode
  const remountRo = fc.sb_flags_mask.has('ro') && fc.sb_flags.ro === true && !sb.flags.ro;
  if (k.check('reconfigure_super/remove_count', remountRo && sb.s_remove_count > 0)) return -EBUSY;
  // (sb->s_flags & ~sb_flags_mask) | (sb_flags & sb_flags_mask): a mask kept
  // across vfs_clean_context() clears flags whose values were reset
  for (const key of fc.sb_flags_mask) sb.flags[key] = fc.sb_flags[key] ?? false;
  return 0;
}

/** vfs_cmd_reconfigure() */
function vfs_cmd_reconfigure(k: Kernel, t: Task, fc: FsContext): number {
  if (k.check('vfs_cmd_reconfigure/phase', fc.phase !== 'RECONF_PARAMS')) return -EBUSY;
  fc.phase = 'RECONFIGURING';
  const sb = fc.root!.sb;
  // both failures leave the context FAILED (fs/fsopen.c vfs_cmd_reconfigure())
  if (k.check('vfs_cmd_reconfigure/capable', !k.ns_capable(t.cred, sb.s_user_ns, CAP_SYS_ADMIN))) {
    fc.phase = 'FAILED';
    return -EPERM;
  }
  const ret = reconfigure_super(k, fc);
  if (ret) {
    fc.phase = 'FAILED';
    return ret;
  }
  vfs_clean_context(fc);
  return 0;
}

/** vfs_fsconfig_locked() */
function vfs_fsconfig_locked(k: Kernel, t: Task, fc: FsContext, cmd: number, param: FsParameter | null): number {
  const ret = finish_clean_context(k, t, fc);
  if (ret) return ret;
  switch (cmd) {
    case FSCONFIG_CMD_CREATE:
      return vfs_cmd_create(k, t, fc);
    case FSCONFIG_CMD_RECONFIGURE:
      return vfs_cmd_reconfigure(k, t, fc);
    default:
      if (k.check('vfs_fsconfig_locked/phase', fc.phase !== 'CREATE_PARAMS' && fc.phase !== 'RECONF_PARAMS')) return -EBUSY;
      return vfs_parse_fs_param(k, t, fc, param!);
  }
}

/** SYSCALL fsconfig() (fs/fsopen.c) */
export function sys_fsconfig(
  k: Kernel,
  t: Task,
  fd: number,
  cmd: number,
  key: string | null,
  value: string | null,
): number {
  // fs/fsopen.c:369 (6.12.117; 6.18 the same): a negative fd is EINVAL before anything else
  // (found by the literal fd #-1, issue 11 language v2)
  if (k.check('fsconfig/fd_negative', fd < 0)) return -EINVAL;
  switch (cmd) {
    case FSCONFIG_SET_FLAG:
      if (k.check('fsconfig/args', key === null || value !== null)) return -EINVAL;
      break;
    case FSCONFIG_SET_STRING:
      if (k.check('fsconfig/args', key === null || value === null)) return -EINVAL;
      break;
    case FSCONFIG_CMD_CREATE:
    case FSCONFIG_CMD_RECONFIGURE:
      if (k.check('fsconfig/args', key !== null || value !== null)) return -EINVAL;
      break;
    default:
      return -EINVAL;
  }
  const f: File | null = fdget(t.files, fd);
  if (k.check('fsconfig/fdget', !f) || !f) return -EBADF;
  if (k.check('fsconfig/fscontext', f.obj.kind !== 'fs_context') || f.obj.kind !== 'fs_context') return -EINVAL;
  const fc = f.obj.fc;
  let param: FsParameter | null = null;
  if (key !== null) {
    // strndup_user(_key, 256)
    if (k.check('fsconfig/key_len', key.length > 255)) return -EINVAL;
    if (k.check('fsconfig/key_len', cmd === FSCONFIG_SET_STRING && value!.length > 255)) return -EINVAL;
    param = { key, type: cmd === FSCONFIG_SET_FLAG ? 'flag' : 'string', string: value };
  }
  return vfs_fsconfig_locked(k, t, fc, cmd, param);
}

/** SYSCALL fspick() (fs/fsopen.c) */
export function sys_fspick(k: Kernel, t: Task, dirfd: number, path: string): number {
  if (k.check('fspick/may_mount', !may_mount(k, t.cred, t.mntns))) return -EPERM;
  const r = resolvePath(k, t, dirfd, path, true);
  if (typeof r === 'number') return r;
  if (k.check('fspick/mnt_root', r.mnt.mnt_root !== r.dentry)) return -EINVAL;
  if (r.dentry.sb.fsType !== 'bpf') return -EINVAL; // only bpffs is modelled for reconfiguration
  const fc = alloc_fs_context(k, t, 'reconfigure', r.dentry);
  fc.phase = 'RECONF_PARAMS';
  return k.newAnonFd(t, { kind: 'fs_context', fc });
}

/** the scenario's fsconfig commands (scenario/ops.ts fsconfig.cmd) */
const FSCONFIG_CMDS = {
  set_flag: FSCONFIG_SET_FLAG,
  set_string: FSCONFIG_SET_STRING,
  create: FSCONFIG_CMD_CREATE,
  reconfigure: FSCONFIG_CMD_RECONFIGURE,
};

/** this layer's ops (model/step.ts) */
export const FS_CONTEXT_STEPS: StepTable<'fsopen' | 'fsconfig' | 'fspick'> = {
  fsopen: (st, t, step) => sys_fsopen(st.k, t, step.fs ?? A.fsopen.fs.default, step.flags ?? A.fsopen.flags.default),
  fsconfig: (st, t, step) => sys_fsconfig(st.k, t, fdOf(st, t, step.fd), FSCONFIG_CMDS[step.cmd], step.key ?? null, step.value ?? null),
  fspick: (st, t, step) => sys_fspick(st.k, t, fdOf(st, t, step.dirfd), step.path),
};

/** this layer's decision points (model/coverage.ts): one check each, with the
 *  kernel function it mirrors and the errno it fails with */
export const FS_CONTEXT_DECISIONS = [
  ...P('fs_context', 'fsopen (fs/fsopen.c)', [
    ['may_mount', 'CAP_SYS_ADMIN over the mount namespace owner', 'EPERM'],
    ['flags', 'only FSOPEN_CLOEXEC', 'EINVAL'],
    ['fs_type', 'a known filesystem', 'ENODEV'],
  ]),
  ...P('fs_context', 'fsconfig (fs/fsopen.c)', [
    ['args', 'key/value/aux shape for the command', 'EINVAL'],
    ['fdget', 'an open, non-O_PATH fd', 'EBADF'],
    ['fscontext', 'the fd is an fs context', 'EINVAL'],
    ['key_len', 'key and value within 255 bytes', 'EINVAL'],
  ]),
  ...P('fs_context', 'vfs_fsconfig_locked (fs/fsopen.c)', [['phase', 'SET_* only in CREATE_PARAMS / RECONF_PARAMS', 'EBUSY']]),
  ...P('fs_context', 'vfs_parse_fs_param (fs/fs_context.c)', [
    ['sb_flag', 'a generic superblock flag (ro, sync, ...)', '-'],
    ['lsm', 'an LSM claims or refuses the parameter', 'LSM'],
  ]),
  ...P('fs_context', 'vfs_cmd_create (fs/fsopen.c)', [
    ['phase', 'CMD_CREATE only in CREATE_PARAMS', 'EBUSY'],
    ['mount_capable', 'CAP_SYS_ADMIN in fc->user_ns', 'EPERM'],
  ]),
  ...P('fs_context', 'vfs_cmd_reconfigure (fs/fsopen.c)', [
    ['phase', 'CMD_RECONFIGURE only in RECONF_PARAMS', 'EBUSY'],
    ['capable', 'CAP_SYS_ADMIN in sb->s_user_ns', 'EPERM'],
    ['rmt_mask', 'only remountable flags (MS_RMT_MASK)', 'EINVAL'],
  ]),
  ...P('fs_context', 'reconfigure_super (fs/super.c)', [
    ['remove_count', 'remount read-only: no unlinked inode still open (sb_prepare_remount_readonly)', 'EBUSY'],
  ]),
  ...P('mount', 'fspick (fs/fsopen.c)', [
    ['may_mount', 'CAP_SYS_ADMIN over the mount namespace owner', 'EPERM'],
    ['mnt_root', 'the path is the root of its mount', 'EINVAL'],
  ]),
  // issue 11 language v2 (branch procs): a literal fd -1 reaches it
  ...P('fs_context', 'fsconfig (fs/fsopen.c)', [['fd_negative', 'a negative fd (first of all)', 'EINVAL']]),
] as const;
declare module './include/decision.ts' {
  interface DecisionPointIds extends Record<(typeof FS_CONTEXT_DECISIONS)[number]['id'], true> {}
}
