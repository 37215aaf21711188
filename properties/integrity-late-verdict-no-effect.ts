// Issue 12: a provider that delivers its verdict after bpf() returned (a
// queued verdict; scenario `integrity` deliveries "after_return").
import type { Property } from './types.ts';
import type { Scenario } from '../scenario/types.ts';
import { runScenario } from '../model/run.ts';

/** the scenario with every late-delivering provider delivering never instead */
function withoutLateDeliveries(s: Scenario): Scenario | null {
  const providers = s.integrity?.providers;
  if (!providers?.some((p) => p.deliveries === 'after_return')) return null;
  return { ...s, integrity: { ...s.integrity, providers: providers.map((p) => (p.deliveries === 'after_return' ? { ...p, deliveries: 'never' as const } : p)) } };
}

export const integrityLateVerdictNoEffect: Property = {
  name: 'integrity-late-verdict-no-effect',
  claim:
    'A verdict an integrity provider delivers after bpf(BPF_PROG_LOAD) returned changes no result of the scenario: every step returns what it returns when that provider never delivers.',
  source: {
    kind: 'ours',
    why: 'seed 002 says the hook "is intended to be called from within the bpf_prog_load_integrity() callback that is part of the security_bpf_prog_load() hook" and says nothing of a later call, which its bare call_int_hook() does not refuse; that such a verdict must not decide this or another program\'s load is the suite\'s rule (a consumer keeps verdicts in the prog\'s own blob)',
  },
  dimensions: ['late-verdict'],
  provenance: [
    'seed 002 security/security.c security_bpf_prog_load_post_integrity(): `return call_int_hook(bpf_prog_load_post_integrity, prog, attr, token, kernel, lsmid, verdict);` - no check of when it is called',
    'seed 002 kernel-doc: consumers "store their decision in their own LSM state attached to @prog, later returning an error code in the bpf_prog_load() callback"',
  ],
  knownBad: ['mutant-consumer-global-verdict'],
  holdsOn: ['integrity-rfc', 'integrity-fixed'],
  requires: 'integrity',
  gen: { integrity: { stack: 'late' } },
  check(s, profile) {
    if (!profile.integrity) return null;
    const never = withoutLateDeliveries(s);
    if (!never) return null;
    const a = runScenario(s, { profile }).results;
    const b = runScenario(never, { profile }).results;
    for (let i = 0; i < a.length; i++)
      if (a[i]!.ret !== b[i]!.ret)
        return { step: i, message: `${s.steps[i]!.op} returns ${a[i]!.ret} with the late verdicts, ${b[i]!.ret} when those providers never deliver` };
    return null;
  },
};
