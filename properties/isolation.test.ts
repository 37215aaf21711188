// Historical bugs isolated, not just caught (issue 9): for each bug of the
// SELinux token patch's review history (spec/selinux-token.md §S3) and each
// difference of the token core between v10 (seed 004) and 6.18
// (spec/token-core.md §T5.1), some property has a shrunk counterexample that
// fails on the version with the bug and passes on the version that fixed it.
// For the v10 differences the "next version" is v10 with only that
// difference fixed, so the counterexample shows that difference alone; it
// also passes on linux-6.18.

import { describe, expect, it } from 'vitest';
import { findProperty } from './index.ts';
import { isolate } from './isolate.ts';
import { findProfile, type Profile, type TokenCoreVariant } from '../model/profile.ts';

const SEED = Number(process.env.BPFTC_SEED ?? 1);

/** [bug, property, buggy version, next version] */
const SELINUX_HISTORY: Array<[string, string, string, string]> = [
  ['A1: v1 read the creator fd from token_create.bpffs_fd in the map/prog hooks (§S3.1)', 'selinux-token-checks-at-use', 'selinux-token-v1', 'selinux-token-v2'],
  ['A2: SECSID_NULL returned -EPERM, unaudited (§S3.2)', 'selinux-denial-audited', 'selinux-token-v2', 'selinux-token-v3'],
  ['A4: creator_sid not initialised in sb_alloc_security (§S3.3)', 'selinux-creator-sid', 'selinux-token-v3', 'selinux-token-v4'],
  ['A7: no bpf_token_capable hook (§S3.4)', 'selinux-token-capable-mediated', 'selinux-token-v4', 'selinux-token-v5'],
  ["A8: v5's token_capable is a self check on the token's SID (§S3.4)", 'selinux-token-capable', 'selinux-token-v5', 'selinux-token-v6'],
  ['A9: v6 used the token creator, not current, as subject (§S3.4)', 'selinux-token-capable', 'selinux-token-v6', 'selinux-token-v7'],
];

/** [difference, property, the knob and its 6.18 value] */
const V10_DIFFERENCES: Array<[string, string, Partial<TokenCoreVariant>]> = [
  ['root test mnt_root == dentry (a bind-mounted subdirectory passes)', 'token-from-bpffs-root', { rootCheck: 'sb_root' }],
  ['no same-user-namespace rule for BPF_TOKEN_CREATE', 'token-create-same-userns', { sameUsernsRule: true }],
  ['no EOPNOTSUPP for a token in init_user_ns', 'token-not-in-init-userns', { initUsernsEopnotsupp: true }],
  ['no ENOENT for an instance without delegation', 'token-needs-delegation', { enoentWithoutDelegation: true }],
  ['delegate_* options without capable(CAP_SYS_ADMIN)', 'delegation-needs-init-sysadmin', { delegateNeedsSysAdmin: true }],
];

function caught(propName: string, bad: Profile, next: Profile, alsoPasses: Profile[] = []): void {
  const prop = findProperty(propName)!;
  expect(prop, propName).toBeDefined();
  const r = isolate(prop, bad, next, { runs: 3000, seed: SEED });
  if (r.ok) throw new Error(`${propName}: no counterexample on ${bad.name} that ${next.name} passes in 3000 runs (seed ${SEED})`);
  const ce = r.counterexample.scenario;
  expect(ce.steps.length).toBeLessThanOrEqual(prop.gen?.lsm ? 16 : 12);
  expect(prop.check(ce, bad), `${propName} on ${bad.name}`).not.toBeNull();
  expect(prop.check(ce, next), `${propName} on ${next.name}`).toBeNull();
  for (const p of alsoPasses) expect(prop.check(ce, p), `${propName} on ${p.name}`).toBeNull();
}

describe('the SELinux review history, bug by bug: v(n) fails, v(n+1) passes the same counterexample', () => {
  it.each(SELINUX_HISTORY)('%s: %s', (_bug, prop, bad, next) => {
    caught(prop, findProfile(bad)!, findProfile(next)!);
  });
});

describe('token-v10 -> linux-6.18, difference by difference: v10 fails, v10 with only that difference fixed passes', () => {
  const v10 = findProfile('token-v10')!;
  const linux = findProfile('linux-6.18')!;
  it.each(V10_DIFFERENCES)('%s: %s', (_what, prop, fix) => {
    const fixed: Profile = { ...v10, name: `token-v10+${Object.keys(fix).join(',')}`, token: { ...v10.token, ...fix } };
    caught(prop, v10, fixed, [linux]);
  });
});
