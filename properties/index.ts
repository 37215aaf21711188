// The registry of properties, in the order of the foundation issue.

import type { Property } from './types.ts';
import { tokenWithinDelegation } from './token-within-delegation.ts';
import { tokenScopedToUserns } from './token-scoped-to-userns.ts';
import { delegationNeedsInitSysadmin } from './delegation-needs-init-sysadmin.ts';
import { tokenFromBpffsRoot } from './token-from-bpffs-root.ts';
import { mountinfoRoundtrip } from './mountinfo-roundtrip.ts';
import { monotonicPrivilege } from './monotonic-privilege.ts';

export const PROPERTIES: readonly Property[] = [
  tokenWithinDelegation,
  tokenScopedToUserns,
  delegationNeedsInitSysadmin,
  tokenFromBpffsRoot,
  mountinfoRoundtrip,
  monotonicPrivilege,
];

export function findProperty(name: string): Property | undefined {
  return PROPERTIES.find((p) => p.name === name);
}
