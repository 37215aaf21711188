// include/linux/security.h (seed 002 additions) and include/uapi/linux/lsm.h:
// the integrity verdicts and struct lsm_id.

import type { VerdictName } from '../../../scenario/types.ts';

/** enum lsm_integrity_verdict (seed 002, include/linux/security.h) */
export const LSM_INT_VERDICT = { NONE: 0, OK: 1, UNSIGNED: 2, PARTIALSIG: 3, BADSIG: 4 } as const;
export const VERDICT_NAMES: readonly VerdictName[] = ['NONE', 'OK', 'UNSIGNED', 'PARTIALSIG', 'BADSIG'];
export type Verdict = (typeof LSM_INT_VERDICT)[VerdictName];

export function verdictName(v: number): VerdictName {
  return VERDICT_NAMES[v] ?? 'NONE';
}

/** struct lsm_id (include/uapi/linux/lsm.h; LSM_ID_HORNET 114 from RFC 08/11) */
export interface LsmId {
  name: string;
  id: number;
}

/** model: an integrity consumer's slice of the prog blob (the verdict it keeps) */
export interface VerdictSlot {
  verdict: number;
}
