// What a scenario step is to the model: the state a run keeps (tasks, user
// namespaces, handles) and the step table type through which each layer
// performs its own ops, as the executor's op handlers do on a kernel. Each
// layer (model/fs_context.ts, model/cred.ts, ...) exports the table of its ops;
// model/run.ts joins them, and the compiler checks every op of scenario/ops.ts
// has exactly one entry, so a new op is its entry in scenario/ops.ts, its code
// in its layer (with its step entry) and its handler in oracle/executor.c.

import type { Step, StepResult } from '../scenario/types.ts';
import type { OpName } from '../scenario/ops.ts';
import { OPS } from '../scenario/ops.ts';
import { literalFd } from '../scenario/sandbox.ts';
import type { Kernel } from './kernel.ts';
import type { Task } from './include/linux/sched.ts';
import type { File, Files } from './include/linux/file.ts';
import type { UserNamespace } from './userns.ts';

/** each op's arguments (scenario/ops.ts): an absent argument takes its default there */
export const A = Object.fromEntries(Object.entries(OPS).map(([op, o]) => [op, o.args])) as { [O in keyof typeof OPS]: (typeof OPS)[O]['args'] };

/** a handle that does not resolve in the acting actor's table */
export const BAD_FD = 999;

export interface HandleRef {
  files: Files;
  fd: number;
  /** for BTF handles: the id of the BTF object at creation time */
  btfId?: number;
  /** the other fd tables the name stands for the same fd number in: the ones forked
   *  from a table holding it while it was bound (model/procs.ts kernel_clone()) */
  also?: Files[];
}

/** is `r` bound in this fd table? */
export function refIn(r: HandleRef, files: Files): boolean {
  return r.files === files || (r.also !== undefined && r.also.includes(files));
}

/** the open file handle `h` names in t's fd table (no literal fds) */
export function handleFile(st: ModelState, t: Task, h: string | undefined): File | undefined {
  const r = h === undefined ? undefined : st.handles.get(h);
  return r && refIn(r, t.files) ? t.files.fds[r.fd] : undefined;
}

export interface ModelState {
  k: Kernel;
  tasks: Map<string, Task>;
  userns: Map<string, UserNamespace>;
  handles: Map<string, HandleRef>;
}

/** one op's step: a number is the syscall's return (a new fd for an op that
 *  returns one, scenario/ops.ts returnsFd, is then bound to `as`); a result
 *  is the step's whole result (the op did its own handle bookkeeping) */
export type StepFn<O extends OpName> = (st: ModelState, t: Task, step: Extract<Step, { op: O }>) => number | StepResult;
/** a layer's ops */
export type StepTable<Os extends OpName> = { [O in Os]: StepFn<O> };

export function fdOf(st: ModelState, t: Task, h: string | undefined): number {
  if (h === undefined) return BAD_FD;
  const lit = literalFd(h); // "#0": fd 0 itself (scenario/sandbox.ts LITERAL_FDS)
  if (lit !== undefined) return lit;
  const r = st.handles.get(h);
  if (!r || !refIn(r, t.files) || t.files.fds[r.fd] === undefined) return BAD_FD;
  return r.fd;
}

/** Handle bookkeeping (oracle/PROTOCOL.md "Handle bookkeeping", same rule as
 *  the executor): a handle is bound to one (fd table, fd number) while that fd
 *  is open; closing or replacing the fd unbinds every handle of that number. */
export function unbindFd(st: ModelState, files: Files, fd: number): void {
  for (const [name, r] of st.handles) {
    if (r.fd !== fd || !refIn(r, files)) continue;
    // the name stays bound in the other tables of a fork
    const rest = [r.files, ...(r.also ?? [])].filter((f) => f !== files);
    if (!rest.length) st.handles.delete(name);
    else {
      const { also: _, ...base } = r;
      st.handles.set(name, rest.length > 1 ? { ...base, files: rest[0]!, also: rest.slice(1) } : { ...base, files: rest[0]! });
    }
  }
}

/** fork: every name bound in `from` stands for the same fd number in `to` */
export function forkHandles(st: ModelState, from: Files, to: Files): void {
  for (const [name, r] of st.handles) if (refIn(r, from)) st.handles.set(name, { ...r, also: [...(r.also ?? []), to] });
}

/** A new fd: stale bindings of its number go, then `as` names it. A handle of
 *  a BTF carries the BTF's id (what btf_get_fd_by_id looks up). */
export function bind(st: ModelState, t: Task, as: string | undefined, fd: number): void {
  if (fd < 0) return;
  unbindFd(st, t.files, fd);
  if (as === undefined) return;
  const f = t.files.fds[fd];
  const btfId = f && f.obj.kind === 'btf' ? f.obj.btf.id : undefined;
  st.handles.set(as, btfId === undefined ? { files: t.files, fd } : { files: t.files, fd, btfId });
}

/** a tail_byte argument: -1 (the default) and other negatives set no byte */
export function tailOf(b: number | undefined): number | null {
  return b === undefined || b < 0 ? null : b;
}

/** the BPF_F_TOKEN_FD bit of a step with `token` (or its explicit `token_flag`) */
export function withToken(flagBit: number, token: string | undefined, tokenFlag: boolean | undefined): number {
  const on = tokenFlag ?? token !== undefined;
  return on ? flagBit : 0;
}
