// Spec coverage: every decision point of the model (one check in one kernel
// function) has a stable id, cites the function it mirrors, and names the
// errno it returns when the check fails. Campaigns record, per point, how
// often it passed and failed; `bpftc coverage` renders it.

// The registry: the points no single layer owns here, then each layer's
// (declared next to its checks, model/include/decision.ts), in layer order.

import { type DecisionPoint, P } from './include/decision.ts';
import { FS_CONTEXT_DECISIONS } from './fs_context.ts';
import { BPFFS_DECISIONS } from './bpffs.ts';
import { NAMEI_DECISIONS } from './namei.ts';
import { NAMESPACE_DECISIONS } from './namespace.ts';
import { BPF_DECISIONS } from './syscall.ts';
import { VERIFIER_DECISIONS } from './verifier.ts';
import { TOKEN_DECISIONS } from './token.ts';
import { PIN_DECISIONS } from './pin.ts';
import { LINK_DECISIONS } from './link.ts';
import { MOUNTLIFE_DECISIONS } from './mountlife.ts';
import { PROCS_DECISIONS } from './procs.ts';
import { CRED_DECISIONS } from './cred.ts';

export { Coverage, P, type DecisionPoint, type DecisionPointId } from './include/decision.ts';

/** the points of no single layer: the sandbox's refusals and cap_capable()'s rules (model/kernel.ts) */
const COMMON_DECISIONS = [
  // not a kernel check: the scenario sandbox refuses these steps before any syscall,
  // on the model and on the executor alike (REFUSED with the reason)
  ...P('sandbox', 'staticRefusal (scenario/sandbox.ts, oracle/SANDBOX.md)', [
    ['path', 'a path argument is relative, without "..", NUL or control bytes, at most 1024 bytes', 'REFUSED'],
    ['fs_type', 'fsopen of bpf only', 'REFUSED'],
    ['rlimit', 'rlimit_nofile at most 4096', 'REFUSED'],
  ]),
  ...P('userns', 'cap_capable (security/commoncap.c)', [
    ['own_ns', 'target is the cred userns: effective set decides', 'EPERM'],
    ['owner_rule', 'creator euid of a child namespace has every capability', '-'],
    ['not_ancestor', 'target is not a descendant of the cred userns: denied', '-'],
  ]),
] as const;
declare module './include/decision.ts' {
  interface DecisionPointIds extends Record<(typeof COMMON_DECISIONS)[number]['id'], true> {}
}

const ALL: readonly DecisionPoint[] = [
  ...COMMON_DECISIONS,
  ...FS_CONTEXT_DECISIONS,
  ...BPFFS_DECISIONS,
  ...NAMEI_DECISIONS,
  ...NAMESPACE_DECISIONS,
  ...BPF_DECISIONS,
  ...VERIFIER_DECISIONS,
  ...TOKEN_DECISIONS,
  ...PIN_DECISIONS,
  ...LINK_DECISIONS,
  ...MOUNTLIFE_DECISIONS,
  ...PROCS_DECISIONS,
  ...CRED_DECISIONS,
];

/** every point, a layer's together (in the order layers first appear) for the reports */
export const DECISION_POINTS: readonly DecisionPoint[] = (() => {
  const layers = [...new Set(ALL.map((d) => d.layer))];
  return layers.flatMap((l) => ALL.filter((d) => d.layer === l));
})();

export function findDecisionPoint(id: string): DecisionPoint | undefined {
  return DECISION_POINTS.find((d) => d.id === id);
}
