// The scenario sandbox (oracle/SANDBOX.md): what a scenario from a stranger may
// not ask for. The static rules are data + pure functions shared by the model
// (model/run.ts refuses a step before performing it), the validator (limits of
// a whole scenario) and, in C, the executor (oracle/executor.c keeps the same
// texts and numbers). A refused step is the step result
// {ret: "REFUSED", text: <reason>}: nothing is done, no handle is bound.
// Imports nothing from model/.

import { type ArgSpec, OPS } from './ops.ts';
import type { Step, StepResult } from './types.ts';

/** the `ret` of a refused step (not an errno name) */
export const REFUSED = 'REFUSED';

/** The refusal reasons, exact texts (the `text` of a REFUSED step). */
export const REASON = {
  /** absolute, a `..` component, a NUL or control byte; or (executor) resolved outside the scenario */
  pathEscapes: 'path escapes the scenario',
  /** longer than MAX_PATH_BYTES */
  pathTooLong: 'path too long',
  /** executor only: dirfd/fd on a superblock the scenario did not create */
  fdNotOwned: 'fd is not on a filesystem this scenario created',
  /** fsopen of anything but ALLOWED_FS_TYPES */
  fsType: 'filesystem type not allowed',
  /** rlimit_nofile above MAX_RLIMIT_NOFILE */
  fds: 'limit: fds',
  /** executor only: it could not decide (fail closed) */
  checkFailed: 'sandbox check failed',
  /** map_update_elem or map_delete_elem of a map the model's element store does not cover (not ARRAY or HASH, or a value above 64 KiB) */
  mapType: 'map type not modelled for element updates',
} as const;

export type RefusalReason = (typeof REASON)[keyof typeof REASON];

/** every reason, in the order SANDBOX.md lists them */
export const REASONS: readonly RefusalReason[] = Object.values(REASON);

/** fsopen may create only these (always a fresh, private superblock, no module autoload;
 *  tmpfs and ramfs would be fresh too, but the model has only bpffs: it says ENODEV for them,
 *  so a scenario with one would be a model/kernel disagreement by construction) */
export const ALLOWED_FS_TYPES: readonly string[] = ['bpf'];

/** a path argument longer than this (bytes, UTF-8) is refused */
export const MAX_PATH_BYTES = 1024;

/** rlimit_nofile above this is refused */
export const MAX_RLIMIT_NOFILE = 4096;

/** Scenario-level limits: the validator (and the executor's parser) reject a
 *  whole scenario over one of them. */
export const LIMITS = {
  steps: 4096,
  actors: 32,
  userns: 32,
  /** user namespace nesting below init (a child of init has depth 1) */
  depth: 8,
  /** any string (key or value) of a scenario, in UTF-8 bytes */
  string: 4096,
  /** per-CPU map values of all map_create steps of a scenario, bytes per CPU
   *  (PERCPU_MAP_TYPES, perCpuBytes(): on Linux 6.18 with a cgroup v1 memory
   *  controller a 655 MB per-CPU array left the scenario's cgroup at ~1 MiB) */
  percpu: 16 * 1024 * 1024,
} as const;

/** map types whose values are per-CPU allocations made at map_create
 *  (include/uapi/linux/bpf.h: PERCPU_HASH 5, PERCPU_ARRAY 6, LRU_PERCPU_HASH 10,
 *  PERCPU_CGROUP_STORAGE 21): array_map_alloc() / prealloc_init() call
 *  bpf_map_alloc_percpu() max_entries times (times the number of CPUs) */
export const PERCPU_MAP_TYPES: readonly number[] = [5, 6, 10, 21];

/** The per-CPU bytes a map_create step may allocate: round_up(value_size, 8) *
 *  max_entries for a per-CPU map type (defaults 4 and 1), else 0. */
export function perCpuBytes(step: Step): number {
  if (step.op !== 'map_create' || !PERCPU_MAP_TYPES.includes(step.map_type)) return 0;
  const v = step.value_size ?? OPS.map_create.args.value_size.default;
  return (Math.ceil(v / 8) * 8) * (step.max_entries ?? OPS.map_create.args.max_entries.default);
}

export type LimitName = keyof typeof LIMITS;

/** The text of a limit error: `limit: steps (at most 4096)`. */
export function limitMessage(name: LimitName): string {
  const unit = name === 'string' || name === 'percpu' ? ' bytes' : '';
  const what = name === 'depth' ? 'userns depth' : name === 'string' ? 'string length' : name === 'percpu' ? 'per-CPU map values' : name;
  return `limit: ${what} (at most ${LIMITS[name]}${unit})`;
}

/** Handle names that stand for a literal fd number (issue 11 language v2,
 *  "fd values -1 and 0"): fds 0, 1 and 2 are /dev/null in every actor
 *  (oracle/SANDBOX.md "Actors"), -1 is no fd at all. No step may name its
 *  result with one (`as`), and dup2's `to` takes none. */
export const LITERAL_FDS: Readonly<Record<string, number>> = { '#-1': -1, '#0': 0, '#1': 1, '#2': 2 };

/** the fd number a literal handle stands for, or undefined for a name */
export function literalFd(h: string | undefined): number | undefined {
  // every literal starts with '#' (LITERAL_FDS): a handle that does not is none, at the first test
  return h !== undefined && h.charCodeAt(0) === 35 && Object.hasOwn(LITERAL_FDS, h) ? LITERAL_FDS[h] : undefined;
}

/** a named target (move_mount, umount, bind, open_target): the directory
 *  /tmp/t-<name> the executor makes in every mount namespace of the scenario */
export const TARGET_NAME = /^[a-z0-9_-]{1,32}$/;

/** The fd argument of a step that the executor checks at run time (the
 *  dirfd of a path step, move_mount's and mountinfo's fd, bind's source): on
 *  /dev/null (a literal fd 0-2, or such an fd passed on) it is refused with
 *  REASON.fdNotOwned, on the model too (model/run.ts); bind's source also
 *  when it is an anonymous-inode file (a map, a token's fs context...). */
export function checkedFdArg(step: Step): string | undefined {
  const a = FD_ARG.get(step.op);
  return a === undefined ? undefined : ((step as unknown as Record<string, unknown>)[a] as string | undefined);
}

/** The path argument of a step (ops whose path the kernel resolves), if it has one (an op has at most one: PATH_ARG) */
export function stepPath(step: Step): string | undefined {
  const a = PATH_ARG.get(step.op);
  const v = a === undefined ? undefined : (step as unknown as Record<string, unknown>)[a];
  return typeof v === 'string' ? v : undefined;
}

/** each op's argument the sandbox checks, from the op table (scenario/ops.ts ArgSpec.sandbox) */
function sandboxArgs(kind: 'path' | 'fd'): Map<string, string> {
  const m = new Map<string, string>();
  for (const [op, spec] of Object.entries(OPS))
    for (const [name, a] of Object.entries(spec.args as Record<string, ArgSpec>)) if (a.sandbox === kind) m.set(op, name);
  return m;
}
const FD_ARG = sandboxArgs('fd');
const PATH_ARG = sandboxArgs('path');

/** Why a path argument is refused, or null: escapes first, then length. A pure
 *  function of the text, asked for every path step: remembered (bounded; issue 13,
 *  the UTF-8 encoding of every path was 2% of a model replay). */
export function pathRefusal(path: string): RefusalReason | null {
  const hit = PATH_REFUSALS.get(path);
  if (hit !== undefined) return hit;
  const r = pathRefusalOnce(path);
  if (path.length > 256) return r; // a long one is not kept
  if (PATH_REFUSALS.size >= 4096) PATH_REFUSALS.clear();
  PATH_REFUSALS.set(path, r);
  return r;
}
const PATH_REFUSALS = new Map<string, RefusalReason | null>();

function pathRefusalOnce(path: string): RefusalReason | null {
  const bytes = Buffer.from(path, 'utf8');
  if (bytes[0] === 0x2f /* '/' */) return REASON.pathEscapes;
  for (const b of bytes) if (b < 0x20 || b === 0x7f) return REASON.pathEscapes;
  if (path.split('/').includes('..')) return REASON.pathEscapes;
  if (bytes.length > MAX_PATH_BYTES) return REASON.pathTooLong;
  return null;
}

/** The static rules of SANDBOX.md: the reason a step is refused before any
 *  syscall, or null. Runtime rules (the fd checks) are the executor's. */
export function staticRefusal(step: Step): RefusalReason | null {
  const p = stepPath(step);
  if (p !== undefined) {
    const r = pathRefusal(p);
    if (r) return r;
  }
  if (step.op === 'fsopen' && !ALLOWED_FS_TYPES.includes(step.fs ?? 'bpf')) return REASON.fsType;
  if (step.op === 'rlimit_nofile' && step.limit > MAX_RLIMIT_NOFILE) return REASON.fds;
  return null;
}

/** The result of a refused step. */
export function refused(reason: RefusalReason): StepResult {
  return { ret: REFUSED, text: reason };
}

/** Is this result a refusal? */
export function isRefused(r: StepResult | undefined): boolean {
  return r?.ret === REFUSED;
}
