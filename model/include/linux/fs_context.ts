// include/linux/fs_context.h: the filesystem context of fsopen()/fspick()
// and its parameters. Types only; the operations a filesystem supplies
// (struct fs_context_operations, struct file_system_type) are in
// model/kernel.ts, since they take the kernel.

import type { Cred, UserNamespace } from '../../userns.ts';
import type { BpfMountOpts } from './bpf.ts';
import type { Dentry, SbFlags } from './fs.ts';

export type Phase =
  | 'CREATE_PARAMS'
  | 'CREATING'
  | 'AWAITING_MOUNT'
  | 'AWAITING_RECONF'
  | 'RECONF_PARAMS'
  | 'RECONFIGURING'
  | 'FAILED';

export interface FsContext {
  id: number;
  purpose: 'mount' | 'reconfigure';
  phase: Phase;
  /** fc->user_ns: the opener's userns (mount) or sb->s_user_ns (reconfigure) */
  user_ns: UserNamespace;
  /** fc->cred: creds of the task that called fsopen()/fspick() */
  cred: Cred;
  /** fc->s_fs_info: bpffs mount options being built */
  s_fs_info: BpfMountOpts | null;
  source: string | null;
  /** fc->sb_flags: values of the generic flags set so far */
  sb_flags: Partial<SbFlags>;
  /** fc->sb_flags_mask: which generic flags were named; vfs_clean_context() keeps it */
  sb_flags_mask: Set<keyof SbFlags>;
  /** fc->root once the tree exists (create) or the picked root (reconfigure) */
  root: Dentry | null;
  need_free: boolean;
  /** fc->fs_type: the registered filesystem (Kernel.filesystems) whose
   *  context operations fc->ops are */
  fs_type: string;
}

export interface FsParameter {
  key: string;
  type: 'flag' | 'string';
  string: string | null;
}
