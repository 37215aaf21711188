// The scenario sandbox (oracle/SANDBOX.md): what a scenario from a stranger may
// not ask for. The static rules are data + pure functions shared by the model
// (model/run.ts refuses a step before performing it), the validator (limits of
// a whole scenario) and, in C, the executor (oracle/executor.c keeps the same
// texts and numbers). A refused step is the step result
// {ret: "REFUSED", text: <reason>}: nothing is done, no handle is bound.
// Imports nothing from model/.

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
} as const;

export type RefusalReason = (typeof REASON)[keyof typeof REASON];

/** every reason, in the order SANDBOX.md lists them */
export const REASONS: readonly RefusalReason[] = Object.values(REASON);

/** fsopen may create only these (always a fresh, private superblock, no module autoload) */
export const ALLOWED_FS_TYPES: readonly string[] = ['bpf', 'tmpfs', 'ramfs'];

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
} as const;

export type LimitName = keyof typeof LIMITS;

/** The text of a limit error: `limit: steps (at most 4096)`. */
export function limitMessage(name: LimitName): string {
  const unit = name === 'string' ? ' bytes' : '';
  const what = name === 'depth' ? 'userns depth' : name === 'string' ? 'string length' : name;
  return `limit: ${what} (at most ${LIMITS[name]}${unit})`;
}

/** The path arguments of a step (ops whose path the kernel resolves). */
export function stepPaths(step: Step): string[] {
  switch (step.op) {
    case 'open':
    case 'mkdir':
    case 'open_tree':
    case 'fspick':
      return [step.path];
    default:
      return [];
  }
}

/** Why a path argument is refused, or null: escapes first, then length. */
export function pathRefusal(path: string): RefusalReason | null {
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
  for (const p of stepPaths(step)) {
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
