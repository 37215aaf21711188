import type { Property } from './types.ts';
import { retName } from '../model/errno.ts';
import { eventsText, walkLoads } from './integrity-util.ts';

export const integrityPostIntegrityReachesCaller: Property = {
  name: 'integrity-post-integrity-reaches-caller',
  claim:
    'When a consumer\'s bpf_prog_load_post_integrity callback refuses a verdict (non-zero), the program load fails with exactly that error.',
  source: { kind: 'document', file: "seeds/002_01e0cdc43575c833.txt", section: "[RFC 01/11] kernel-doc of security_bpf_prog_load_post_integrity()", quote: "If the LSM calling into this hook receives a non-zero error code, it should return the same error code back to its caller." },
  dimensions: ['signed-load', 'bpf-lsm'],
  provenance: [
    'seed 002 kernel-doc of security_bpf_prog_load_post_integrity(): "If the LSM calling into this hook receives a non-zero error code, it should return the same error code back to its caller"; "LSMs ... may choose to either return an error code for immediate rejection"',
    'issue 4: "the post_integrity result reaches the caller"',
  ],
  knownBad: ['mutant-hornet-ignores-post-integrity', 'mutant-integrity-rc-overwritten'],
  holdsOn: ['integrity-rfc', 'integrity-fixed'],
  requires: 'integrity',
  gen: { integrity: {} },
  check(s, profile) {
    return walkLoads(s, profile, (_st, step, i, r, ev) => {
      const refused = ev.mine.find((e) => e.hook === 'deliver' && e.ret !== 0);
      if (!refused) return null;
      const want = retName(refused.ret);
      if (r.ret !== want)
        return { step: i, message: `${step.op}: post_integrity returned ${want} to ${refused.lsm}, but the load returned ${r.ret} (${eventsText(ev)})` };
      return null;
    });
  },
};
