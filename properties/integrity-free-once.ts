import type { Property } from './types.ts';
import { eventsText, walkLoads } from './integrity-util.ts';

export const integrityFreeOnce: Property = {
  name: 'integrity-free-once',
  claim:
    'A program load refused by the LSM framework runs security_bpf_prog_free() (every LSM\'s bpf_prog_free callback) exactly once for the program, with its blob still attached.',
  source: { kind: 'ours', why: "No document states that a refused load runs the bpf_prog_free callbacks once: 6.18 itself runs them twice after an authorization refusal (inside security_bpf_prog_load() and again at free_prog_sec in bpf_prog_load()); the RFC only adds a route into that path (FINDINGS I2)." },
  dimensions: ['signed-load', 'kernel-load', 'bpf-lsm'],
  provenance: [
    'seed 002 security_bpf_prog_load() `err:` label calls security_bpf_prog_free(); kernel/bpf/syscall.c bpf_prog_load() `free_prog_sec:` calls it again (spec/integrity-rfc.md §I2.3)',
    '1b67772e (6.9) "bpf,lsm: Refactor bpf_prog_alloc/bpf_prog_free LSM hooks": the caller frees after a hook failure; security/bpf/hooks.c registers bpf_prog_free for BPF-LSM programs, which see every call',
  ],
  knownBad: ['integrity-rfc'],
  holdsOn: ['integrity-fixed'],
  requires: 'integrity',
  gen: { integrity: {} },
  check(s, profile) {
    // stated for the framework of seed 002; 6.18 has the same double call on
    // an authorization refusal (FINDINGS.md, integrity section)
    if (!profile.integrity) return null;
    return walkLoads(s, profile, (_st, step, i, r, ev) => {
      if (!ev.prog || r.ret === 'ok') return null;
      const frees = ev.mine.filter((e) => e.hook === 'security_bpf_prog_free');
      if (frees.length === 0) return null; // refused after the hook (verifier): freed at the final put
      if (frees.length !== 1 || !frees[0]!.blob)
        return { step: i, message: `${step.op} failed with ${r.ret}: security_bpf_prog_free() ran ${frees.length} times, ${frees.filter((e) => !e.blob).length} of them with a NULL blob (${eventsText(ev)})` };
      return null;
    });
  },
};
