// Audit content (issue 12): the capability= of an AVC record is the audit
// data its check passed (cred_has_capability(): LSM_AUDIT_DATA_CAP, ad.u.cap =
// cap; the bpf hooks, selinux_bpf_token_capable() included: NULL).
import { describe, expect, it } from 'vitest';
import '../mutants/index.ts';
import { findProperty } from './index.ts';
import { checkProperty } from './check.ts';
import { findProfile } from '../model/profile.ts';
import { runScenario } from '../model/run.ts';
import { loadScenarioFile } from '../scenario/io.ts';

const prop = findProperty('selinux-capability-audited')!;
const FALLBACK = new URL('../corpus/findings/v7-token-denial-no-tokenless-fallback.json', import.meta.url).pathname;

describe('selinux-capability-audited', () => {
  it('a token-backed CAP_BPF check: bpf_token_capable\'s record (cap2_userns, NULL audit data) has no capability=, the capable() record that follows has 39', () => {
    const s = loadScenarioFile(FALLBACK);
    const avc = runScenario(s, { profile: findProfile('selinux-token-v7')! }).results.flatMap((r) => r.avc ?? []);
    const bpfPerm = avc.filter((a) => a.perm === 'bpf' && a.tclass === 'cap2_userns');
    expect(bpfPerm.some((a) => a.hook === 'bpf_token_capable' && a.capability === undefined)).toBe(true);
    expect(bpfPerm.some((a) => a.hook === 'capable' && a.capability === 39)).toBe(true);
    expect(avc.filter((a) => a.tclass === 'bpf').every((a) => a.capability === undefined)).toBe(true);
    for (const p of prop.holdsOn) expect(prop.check(s, findProfile(p)!), p).toBeNull();
  });

  it('catches mutant-selinux-cap-audit-index (ad.u.cap = cap & 31) with a shrunk counterexample that holds on the merged code', () => {
    const r = checkProperty(prop, findProfile('mutant-selinux-cap-audit-index')!, { runs: 100, seed: 1 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const { scenario, violation } = r.counterexample;
    expect(violation.message).toMatch(/cap2?_?\w* \{ (bpf|perfmon|checkpoint_restore|audit_read|block_suspend|wake_alarm|syslog|mac_admin|mac_override) \} carries capability=\d+ \(\w+\), not the capability it checked/);
    expect(scenario.steps.length).toBeLessThanOrEqual(8);
    expect(prop.check(scenario, findProfile('selinux-token-merged')!)).toBeNull();
  });
});
