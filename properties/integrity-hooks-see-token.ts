import type { Property } from './types.ts';
import { PROG_LOAD_CALLBACKS, eventsText, walkLoads } from './integrity-util.ts';

export const integrityHooksSeeToken: Property = {
  name: 'integrity-hooks-see-token',
  claim:
    'The prog-load LSM hooks (bpf_prog_load_integrity, bpf_prog_load_post_integrity, bpf_prog_load) receive the BPF token a load uses as their token argument.',
  source: { kind: 'document', file: "seeds/002_01e0cdc43575c833.txt", section: "[RFC 01/11] kernel-doc of security_bpf_prog_load_post_integrity()", quote: "@token: BPF token used to grant user access to BPF subsystem" },
  dimensions: ['signed-load', 'token-prog_load'],
  provenance: [
    'seed 002 kernel-doc of security_bpf_prog_load_post_integrity() and security_bpf_prog_load(): "@token: BPF token used to grant user access to BPF subsystem"',
    'kernel/bpf/syscall.c bpf_prog_load(): `prog->aux->token = token; token = NULL;` before security_bpf_prog_load(prog, attr, token, ...) (spec/integrity-rfc.md §I2.2)',
  ],
  knownBad: ['integrity-rfc'],
  holdsOn: ['integrity-fixed'],
  requires: 'integrity',
  gen: { integrity: {} },
  check(s, profile) {
    // stated for the framework of seed 002; 6.18's bpf_prog_load hook gets NULL
    // the same way (FINDINGS.md, SELinux finding 1 and the integrity section)
    if (!profile.integrity) return null;
    return walkLoads(s, profile, (_st, step, i, _r, ev) => {
      const e = ev.mine.find((x) => PROG_LOAD_CALLBACKS.has(x.hook) && x.auxToken && !x.token);
      if (!e) return null;
      return { step: i, message: `${step.op} through token "${step.token}": ${e.lsm}'s ${e.hook} callback got token NULL (${eventsText(ev)})` };
    });
  },
};
