// The registry of properties, in the order of the foundation issue.

import type { Property } from './types.ts';
import { lsmBlobFreedOnce } from './lsm-blob-freed-once.ts';
import { tokenWithinDelegation } from './token-within-delegation.ts';
import { tokenScopedToUserns } from './token-scoped-to-userns.ts';
import { delegationNeedsInitSysadmin } from './delegation-needs-init-sysadmin.ts';
import { tokenFromBpffsRoot } from './token-from-bpffs-root.ts';
import { mountinfoRoundtrip } from './mountinfo-roundtrip.ts';
import { monotonicPrivilege } from './monotonic-privilege.ts';
import { selinuxTokenHeadline } from './selinux-token-headline.ts';
import { selinuxCreatorSid } from './selinux-creator-sid.ts';
import { selinuxTokenChecksAtUse } from './selinux-token-checks-at-use.ts';
import { selinuxTokenAsAtCreate } from './selinux-token-as-at-create.ts';
import { selinuxPolcapOffCompat } from './selinux-polcap-off-compat.ts';
import { selinuxCreateMediated } from './selinux-create-mediated.ts';
import { selinuxTokenCapable } from './selinux-token-capable.ts';
import { selinuxPermissiveNeverDenies } from './selinux-permissive-never-denies.ts';
import { selinuxDenialAudited } from './selinux-denial-audited.ts';
import { selinuxCapabilityAudited } from './selinux-capability-audited.ts';
import { bpfCreateReturnsFd } from './bpf-create-returns-fd.ts';
import { fdRaceIndependence } from './fd-race-independence.ts';
import { lsmOrderIndependence } from './lsm-order-independence.ts';
import { bpfLsmTokenDenial } from './bpf-lsm-token-denial.ts';
import { integrityVerdictsBeforeAuthz } from './integrity-verdicts-before-authz.ts';
import { integrityFailureFreesAndRejects } from './integrity-failure-frees-and-rejects.ts';
import { integrityFreeOnce } from './integrity-free-once.ts';
import { integrityPostIntegrityReachesCaller } from './integrity-post-integrity-reaches-caller.ts';
import { integrityVerdictOkIffSigned } from './integrity-verdict-ok-iff-signed.ts';
import { integrityHashedMapsUsed } from './integrity-hashed-maps-used.ts';
import { integrityOkMapsFrozen } from './integrity-ok-maps-frozen.ts';
import { integrityOkContentsUnchanged } from './integrity-ok-contents-unchanged.ts';
import { integrityHooksSeeToken } from './integrity-hooks-see-token.ts';
import { integrityOrderIndependence } from './integrity-order-independence.ts';
import { integrityVerdictInEnum } from './integrity-verdict-in-enum.ts';
import { integrityLateVerdictNoEffect } from './integrity-late-verdict-no-effect.ts';
import { tokenCreateSameUserns } from './token-create-same-userns.ts';
import { tokenNotInInitUserns } from './token-not-in-init-userns.ts';
import { tokenNeedsDelegation } from './token-needs-delegation.ts';
import { selinuxTokenCapableMediated } from './selinux-token-capable-mediated.ts';
import { selinuxTokenTextSufficient } from './selinux-token-text-sufficient.ts';
import { attachCapableAsAttacher } from './attach-capable-as-attacher.ts';

export const PROPERTIES: readonly Property[] = [
  tokenWithinDelegation,
  tokenScopedToUserns,
  delegationNeedsInitSysadmin,
  tokenFromBpffsRoot,
  mountinfoRoundtrip,
  monotonicPrivilege,
  // the token-v10 differences (issue 9)
  tokenCreateSameUserns,
  tokenNotInInitUserns,
  tokenNeedsDelegation,
  // the LSM layer (issue 4)
  selinuxTokenHeadline,
  selinuxCreatorSid,
  selinuxTokenChecksAtUse,
  selinuxTokenAsAtCreate,
  selinuxPolcapOffCompat,
  selinuxCreateMediated,
  selinuxTokenCapable,
  selinuxTokenCapableMediated,
  selinuxTokenTextSufficient,
  selinuxPermissiveNeverDenies,
  selinuxDenialAudited,
  fdRaceIndependence,
  lsmOrderIndependence,
  bpfLsmTokenDenial,
  // BPF integrity verification (seed 002, issue 4)
  integrityVerdictsBeforeAuthz,
  integrityFailureFreesAndRejects,
  integrityFreeOnce,
  integrityPostIntegrityReachesCaller,
  integrityVerdictOkIffSigned,
  integrityHashedMapsUsed,
  integrityOkMapsFrozen,
  integrityOkContentsUnchanged,
  integrityHooksSeeToken,
  integrityOrderIndependence,
  integrityVerdictInEnum,
  // integrity providers and consumers as deployments configure them (issue 12)
  integrityLateVerdictNoEffect,
  lsmBlobFreedOnce,
  // BPF objects, language v2 (issue 11)
  attachCapableAsAttacher,
  // audit content (issue 12)
  selinuxCapabilityAudited,
  // BPF-LSM programs returning any value (issue 12)
  bpfCreateReturnsFd,
];

export function findProperty(name: string): Property | undefined {
  return PROPERTIES.find((p) => p.name === name);
}
