// Processes during a scenario (issue 11 language v2): an actor's process exits.
// do_exit() (kernel/exit.c) -> exit_files() -> put_files_struct() ->
// close_files(): when no other task shares the fd table (a thread_of actor),
// every open fd is closed in fd order, as close() would (filp_close()). The
// executor makes the real actor process _exit() and reaps it before the next step.

import type { Kernel, Task } from './kernel.ts';
import { ESRCH } from './errno.ts';
import { closeFd } from './vfs.ts';

/** the `exit` step: returns the fds closed (for the handle bookkeeping), or -ESRCH */
export function do_exit(k: Kernel, t: Task, tasks: Iterable<Task>): number[] | number {
  if (t.dead) return -ESRCH;
  t.dead = true;
  for (const o of tasks) if (o !== t && !o.dead && o.files === t.files) return []; // the table lives on
  const closed: number[] = [];
  for (let fd = 0; fd < t.files.fds.length; fd++) if (t.files.fds[fd] !== undefined && closeFd(k, t.files, fd) === 0) closed.push(fd);
  return closed;
}
