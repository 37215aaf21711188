// include/linux/fs.h struct file and include/linux/fdtable.h: open files and
// fd tables. Types only; struct file_operations (release, show_fdinfo) is in
// model/kernel.ts, since it takes the kernel.

import type { BpfLink, BpfMap, BpfProg, BpfToken, Btf } from './bpf.ts';
import type { Path } from './fs.ts';
import type { FsContext } from './fs_context.ts';

export type FileObj =
  | { kind: 'null' }
  | { kind: 'path' }
  | { kind: 'fs_context'; fc: FsContext }
  | { kind: 'token'; token: BpfToken }
  /** fmode: OPEN_FMODE() of the fd's flags, FMODE_READ 1 | FMODE_WRITE 2 (absent: both) */
  | { kind: 'map'; map: BpfMap; fmode?: number }
  | { kind: 'prog'; prog: BpfProg }
  | { kind: 'btf'; btf: Btf }
  | { kind: 'link'; link: BpfLink };

export interface File {
  id: number;
  obj: FileObj;
  /** f_path; anon-inode files (fs_context, map, prog, btf) have none */
  path: Path | null;
  /** FMODE_PATH: an O_PATH file, invisible to fdget() */
  opath: boolean;
  /** number of fd-table slots (and in-flight SCM_RIGHTS) holding it */
  refs: number;
  /** FMODE_NEED_UNMOUNT: the fsmount()/open_tree() file whose last fput
   *  dissolves its still-detached mount (dissolve_on_fput(), fs/namespace.c) */
  needUnmount?: boolean;
  /** f_security: the LSMs' composite blob (security_file_alloc()) */
  security?: Record<string, unknown>;
}

/** files_struct: shared by the tasks of clone(CLONE_FILES) (a thread_of actor, a fork
 *  with clone_files) */
export interface Files {
  fds: Array<File | undefined>;
}

/** signal_struct's RLIMIT_NOFILE (signal->rlim): shared by the threads of a process, copied
 *  by a fork (copy_signal()), whether or not the fd table is shared */
export interface Rlimit {
  nofileSoft: number;
  nofileHard: number;
}
