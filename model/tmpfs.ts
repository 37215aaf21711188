// A filesystem that is not bpffs (issue 11 language v2): a tmpfs the scenario
// creates, detached, with the new mount API (the `tmpfs` step):
//   fsopen("tmpfs", 0); fsconfig(fd, FSCONFIG_CMD_CREATE); fsmount(fd, 0, 0); close(fd)
// mm/shmem.c (shmem_init_fs_context(), shmem_fill_super(), shmem_show_options())
// with the VFS steps of fs/fsopen.c and fs/namespace.c. No tmpfs option is set,
// so nothing of shmem_parse_one() is reached. Line numbers: 6.12.117
// (~/.cache/bpftc/trees/linux-source-6.12_*); the host 6.18 kernel agrees
// (README "Files that are not bpffs").

import type { Kernel, Task } from './kernel.ts';
import { EPERM } from './errno.ts';
import { type Mount, type SuperBlock, S_ISVTX, closeFd, may_mount } from './vfs.ts';
import { alloc_fs_context, mount_capable } from './fs_context.ts';
import { alloc_super, d_make_root } from './super.ts';
import { security_sb_alloc, security_sb_kern_mount, security_sb_set_mnt_opts } from './security.ts';
import type { StepTable } from './step.ts';

/** mm/shmem.c shmem_show_options() (:4619-4680) for a tmpfs made without options:
 *  size/nr_inodes are the defaults (not shown), mode 01777 (not shown); uid and
 *  gid (kuids, from_kuid_munged(&init_user_ns)) unless 0. ",inode64|32" only
 *  with CONFIG_TMPFS_INODE64=y or full_inums (:4657): the host 6.18 kernel
 *  (Debian config) has neither, so nothing; a kernel built with it shows
 *  ",inode64" (not a kconfig fact of the model yet: model/kconfig.ts) */
export function shmem_show_options(sb: SuperBlock): string {
  const root = sb.s_root.inode;
  let out = '';
  if (root.uid !== 0) out += `,uid=${root.uid}`;
  if (root.gid !== 0) out += `,gid=${root.gid}`;
  return out;
}

/** the `tmpfs` step: the fs context fd is closed before the step returns, so
 *  the result is the fsmount() fd (the lowest free fd after the context's) */
export function sys_tmpfs(k: Kernel, t: Task): number {
  // fs/fsopen.c SYSCALL fsopen(): may_mount() first (:122)
  if (k.check('fsopen/may_mount', !may_mount(k, t.cred, t.mntns))) return -EPERM;
  // alloc_fs_context() -> shmem_init_fs_context() (mm/shmem.c:5004): the tmpfs
  // options live here, not in fc->s_fs_info (bpffs's)
  const fc = alloc_fs_context(k, t, 'mount', null);
  fc.s_fs_info = null;
  const owner = { uid: t.cred.fsuid, gid: t.cred.gid }; // ctx->uid = current_fsuid(), ctx->gid = current_fsgid()
  const fsfd = k.newAnonFd(t, { kind: 'fs_context', fc }); // fscontext_create_fd(): EMFILE here
  if (fsfd < 0) return fsfd;
  const ret = create_and_mount(k, t, fc, owner);
  closeFd(k, t.files, fsfd);
  return ret;
}

function create_and_mount(k: Kernel, t: Task, fc: ReturnType<typeof alloc_fs_context>, owner: { uid: number; gid: number }): number {
  // fsconfig(FSCONFIG_CMD_CREATE) -> vfs_cmd_create() (fs/fsopen.c:220-250):
  // tmpfs is FS_USERNS_MOUNT (mm/shmem.c:5029), so mount_capable() is
  // ns_capable(fc->user_ns, CAP_SYS_ADMIN)
  if (k.check('vfs_cmd_create/mount_capable', !mount_capable(k, t.cred, fc))) return -EPERM;
  // vfs_get_tree() -> shmem_get_tree() -> get_tree_nodev(): a new superblock (sget_fc() ->
  // security_sb_alloc()), shmem_fill_super(): the root inode 01777 owned by ctx->uid/gid
  const sb = alloc_super(k.nextId(), 'tmpfs', fc.user_ns, null, undefined, { show_options: shmem_show_options });
  let ret = security_sb_alloc(k, sb);
  if (ret) return ret;
  d_make_root(k.nextId(), sb, S_ISVTX | 0o777, owner.uid, owner.gid);
  sb.createdBy = t.cred;
  // vfs_get_tree(): security_sb_set_mnt_opts(); vfs_cmd_create(): security_sb_kern_mount()
  ret = security_sb_set_mnt_opts(k, sb) || security_sb_kern_mount(k, sb);
  if (ret) return ret;
  fc.root = sb.s_root;
  fc.phase = 'AWAITING_MOUNT';
  // SYSCALL fsmount() (fs/namespace.c): may_mount() again, then a detached mount in a new
  // anonymous namespace, opened O_PATH (FMODE_NEED_UNMOUNT)
  if (k.check('fsmount/may_mount', !may_mount(k, t.cred, t.mntns))) return -EPERM;
  const mnt: Mount = {
    id: k.nextId(),
    sb,
    mnt_root: sb.s_root,
    mnt_ns: { id: k.nextId(), user_ns: t.mntns.user_ns, anon: true, seq_origin: 0 },
    devname: 'none',
    hasParent: false,
  };
  return k.newMountFd(t, { mnt, dentry: sb.s_root });
}

/** this layer's ops (model/step.ts) */
export const TMPFS_STEPS: StepTable<'tmpfs'> = {
  tmpfs: (st, t) => sys_tmpfs(st.k, t),
};
