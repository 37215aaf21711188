// fs/file.c: fd tables (alloc_fd(), fd_install(), fdget()). Below
// model/kernel.ts: the kernel installs files with these; fput() and
// close_fd(), which release through the kernel, are in model/vfs.ts.

import { EMFILE } from './errno.ts';
import type { File, Files, Rlimit } from './include/linux/file.ts';

export function newFiles(nullFile: File): Files {
  nullFile.refs += 3;
  return { fds: [nullFile, nullFile, nullFile] };
}

/** the executor's actors start with RLIMIT_NOFILE 1024 */
export function newRlimit(): Rlimit {
  return { nofileSoft: 1024, nofileHard: 1024 };
}

/** alloc_fd(0, rlimit(RLIMIT_NOFILE)): the lowest free slot of the task's table, EMFILE at
 *  the task's own limit (current's signal->rlim, whoever else shares the table) */
export function allocFd(t: { files: Files; rlim: Rlimit }): number {
  const files = t.files;
  let fd = 0;
  while (fd < files.fds.length && files.fds[fd] !== undefined) fd++;
  if (fd >= t.rlim.nofileSoft) return -EMFILE;
  return fd;
}

export function installFd(files: Files, fd: number, file: File): void {
  while (files.fds.length <= fd) files.fds.push(undefined);
  files.fds[fd] = file;
  file.refs++;
}

/** fdget_raw(): any open file, O_PATH included */
export function fdgetRaw(files: Files, fd: number): File | null {
  if (fd < 0) return null;
  return files.fds[fd] ?? null;
}

/** fdget(): O_PATH files are refused (FMODE_PATH mask) */
export function fdget(files: Files, fd: number): File | null {
  const f = fdgetRaw(files, fd);
  return f && !f.opath ? f : null;
}

