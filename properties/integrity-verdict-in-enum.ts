import type { Property } from './types.ts';
import { VERDICT_NAMES } from '../model/lsm/integrity.ts';
import { eventsText, walkLoads } from './integrity-util.ts';

export const integrityVerdictInEnum: Property = {
  name: 'integrity-verdict-in-enum',
  claim:
    'Every verdict an integrity provider delivers through security_bpf_prog_load_post_integrity() is a value of enum lsm_integrity_verdict (NONE, OK, UNSIGNED, PARTIALSIG, BADSIG), whatever fault the load meets.',
  source: {
    kind: 'document',
    file: 'seeds/002_01e0cdc43575c833.txt',
    section: 'include/linux/lsm_hook_defs.h and security/security.c, security_bpf_prog_load_post_integrity()',
    quote: '@verdict: result of the integrity verification',
  },
  dimensions: ['signed-load', 'fault'],
  provenance: [
    'seed 002: LSM_HOOK(int, 0, bpf_prog_load_post_integrity, ..., const struct lsm_id *lsmid, enum lsm_integrity_verdict verdict) and the enum lsm_integrity_verdict it adds',
    'RFC 08/11 hornet_check_program(): `err = copy_from_bpfptr(...); if (err) return err;` returns the bytes NOT copied, hornet_bpf_prog_load_integrity() delivers a non-negative result as the verdict (spec/integrity-rfc.md §I3.2)',
  ],
  knownBad: ['integrity-rfc', 'integrity-rfc-cast-fixed'],
  holdsOn: ['integrity-fixed'],
  requires: 'integrity',
  gen: { integrity: {} },
  check(s, profile) {
    return walkLoads(s, profile, (_st, step, i, _r, ev) => {
      for (const e of ev.mine) {
        if (e.hook !== 'deliver' || e.verdictValue === undefined) continue;
        if (e.verdictValue < 0 || e.verdictValue >= VERDICT_NAMES.length)
          return { step: i, message: `${e.lsm} delivered verdict ${e.verdictValue}, not a value of enum lsm_integrity_verdict (fault ${step.fault ?? 'none'}; ${eventsText(ev)})` };
      }
      return null;
    });
  },
};
