// include/linux/sched.h: a task, as far as the token layers see it (its
// credentials, its fd table, its mount namespace). Types only.

import type { Cred } from '../../userns.ts';
import type { Files, Rlimit } from './file.ts';
import type { MntNamespace } from './fs.ts';

export interface Task {
  name: string;
  cred: Cred;
  /** shared by the threads of one process and by a clone(CLONE_FILES) child */
  files: Files;
  /** RLIMIT_NOFILE (signal->rlim): shared by a thread_of actor with its process */
  rlim: Rlimit;
  mntns: MntNamespace;
  /** the process exited (an `exit` step, model/procs.ts) */
  dead?: boolean;
  /** not user-dumpable (commit_creds() of an id or capability change, model/cred.ts): its
   *  /proc/<pid>/ files are owned by kuid 0 then (task_dump_owner(), fs/proc/base.c) */
  nondumpable?: boolean;
}
