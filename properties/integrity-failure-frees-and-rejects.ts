import type { Property } from './types.ts';
import { eventsText, walkLoads } from './integrity-util.ts';

export const integrityFailureFreesAndRejects: Property = {
  name: 'integrity-failure-frees-and-rejects',
  claim:
    'If an integrity callback or an authorization callback refuses a program load (returns an error: a negative errno), the load fails, the program\'s LSM blob is freed before bpf() returns, and after an integrity refusal no authorization callback runs.',
  source: { kind: 'semantic', where: "seed 002 ([RFC 01/11]) security/security.c security_bpf_prog_load(): `goto err` after a non-zero rc of either phase, and `err:` calls security_bpf_prog_free(prog) before returning rc" },
  dimensions: ['signed-load', 'kernel-load', 'bpf-lsm'],
  provenance: [
    'seed 002 security_bpf_prog_load(): `if (unlikely(rc)) goto err;` after each phase, `err: security_bpf_prog_free(prog); return rc;`',
    'issue 4: "a failure in either phase frees the blob and rejects the load"; spec/integrity-rfc.md §I1.2',
    'scope (issue 12): an error is a negative result, as the kernel-doc of the new hooks says "Return: Returns 0 on success, error on failure."; a positive result also stops call_int_hook() and frees the blob, but comes back from bpf() as a positive number: FINDINGS.md F2 (pre-existing), shown by its own scenario, outside this claim',
  ],
  knownBad: ['mutant-integrity-rc-overwritten'],
  holdsOn: ['integrity-rfc', 'integrity-fixed'],
  requires: 'integrity',
  gen: { integrity: {} },
  check(s, profile) {
    return walkLoads(s, profile, (_st, step, i, r, ev) => {
      if (!ev.prog) return null;
      // a positive result (an LSM configured so, FINDINGS.md F2) is outside the claim
      if (ev.mine.some((e) => (e.hook === 'bpf_prog_load_integrity' || e.hook === 'bpf_prog_load') && e.ret > 0)) return null;
      const integ = ev.mine.findIndex((e) => e.hook === 'bpf_prog_load_integrity' && e.ret < 0);
      const authz = ev.mine.findIndex((e) => e.hook === 'bpf_prog_load' && e.ret < 0);
      if (integ < 0 && authz < 0) return null;
      const phase = integ >= 0 ? 'integrity' : 'authorization';
      if (r.ret === 'ok') return { step: i, message: `${step.op} succeeded although its ${phase} phase refused it (${eventsText(ev)})` };
      if (!ev.mine.some((e) => e.hook === 'kfree')) return { step: i, message: `${step.op} failed in its ${phase} phase but the prog blob was not freed (${eventsText(ev)})` };
      if (integ >= 0 && ev.mine.slice(integ).some((e) => e.hook === 'bpf_prog_load'))
        return { step: i, message: `${step.op}: an authorization callback ran after the integrity phase refused (${eventsText(ev)})` };
      return null;
    });
  },
};
