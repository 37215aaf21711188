import type { Property } from './types.ts';
import { eventsText, walkLoads } from './integrity-util.ts';

export const integrityVerdictsBeforeAuthz: Property = {
  name: 'integrity-verdicts-before-authz',
  claim:
    'Every integrity provider has delivered its verdict (security_bpf_prog_load_post_integrity) before any LSM\'s bpf_prog_load authorization callback runs for that program.',
  source: { kind: 'document', file: "seeds/002_01e0cdc43575c833.txt", section: "[RFC 01/11] lsm: framework for BPF integrity verification, commit message", quote: "The first new callback, bpf_prog_load_integrity(), located within the security_bpf_prog_load() hook, is necessary to ensure that the integrity verification callbacks are executed before any of the existing LSMs are executed via the bpf_prog_load() callback." },
  dimensions: ['signed-load', 'kernel-load', 'bpf-lsm'],
  provenance: [
    'seed 002 commit message: "bpf_prog_load_integrity() ... is necessary to ensure that the integrity verification callbacks are executed before any of the existing LSMs are executed via the bpf_prog_load() callback"',
    'spec/integrity-rfc.md §I1.1, §I1.2 steps 2-4',
  ],
  knownBad: ['mutant-integrity-in-authz', 'mutant-integrity-rc-overwritten'],
  holdsOn: ['integrity-rfc', 'integrity-fixed'],
  requires: 'integrity',
  gen: { integrity: {} },
  check(s, profile) {
    return walkLoads(s, profile, (st, step, i, _r, ev) => {
      // Hornet, and the declared providers that deliver from their callback (issue 12)
      const inCallback = new Set((s.integrity?.providers ?? []).filter((p) => p.deliveries === undefined || p.deliveries === 'once' || p.deliveries === 'twice').map((p) => p.name));
      const providers = st.k.security.lsms.filter((l) => l.name === 'hornet' || inCallback.has(l.name)).map((l) => l.name);
      if (!providers.length || !ev.prog) return null;
      for (const [idx, e] of ev.mine.entries()) {
        if (e.hook !== 'bpf_prog_load') continue;
        const before = ev.mine.slice(0, idx);
        const missing = providers.filter((p) => !before.some((x) => x.hook === 'deliver' && x.lsm === p));
        if (missing.length)
          return { step: i, message: `${step.op}: ${e.lsm}'s bpf_prog_load callback ran before ${missing.join(', ')} delivered a verdict (${eventsText(ev)})` };
      }
      return null;
    });
  },
};
