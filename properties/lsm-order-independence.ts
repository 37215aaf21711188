import type { Property } from './types.ts';
import { runScenario } from '../model/run.ts';
import { lsmOrderOf } from './lsm-util.ts';

export const lsmOrderIndependence: Property = {
  name: 'lsm-order-independence',
  claim: 'Whether a step succeeds does not depend on the order of the LSMs (SELinux and the BPF LSM swapped); only the errno may differ.',
  source: { kind: 'semantic', where: "security/security.c call_int_hook(): every LSM in lsm= order is asked until one returns non-zero, so a refusal by any LSM refuses the operation whatever the order" },
  dimensions: ['bpf-lsm', 'policy-reload', 'fd-race', 'token-passed'],
  provenance: [
    'security/security.c call_int_hook(): every LSM is asked until one refuses, so a refusal by any LSM refuses the operation',
    'issue 4: "the outcome of an authorization does not depend on LSM order except for its errno"',
  ],
  knownBad: ['mutant-lsm-first-only'],
  holdsOn: ['linux-6.18-selinux', 'selinux-token-merged', 'selinux-token-fixed'],
  requires: 'selinux',
  gen: { lsm: { bpfLsm: true, races: true } },
  check(s, profile) {
    const order = lsmOrderOf(s, profile);
    const a = order.indexOf('selinux');
    const b = order.indexOf('bpf');
    if (a < 0 || b < 0) return null;
    const swapped = [...order];
    swapped[a] = 'bpf';
    swapped[b] = 'selinux';
    const r1 = runScenario(s, { profile }).results;
    const r2 = runScenario({ ...s, lsm_order: swapped }, { profile }).results;
    for (let i = 0; i < r1.length; i++) {
      const ok1 = r1[i]!.ret === 'ok';
      const ok2 = r2[i]!.ret === 'ok';
      if (ok1 !== ok2) return { step: i, message: `${s.steps[i]!.op} gives ${r1[i]!.ret} with lsm=${order.join(',')} but ${r2[i]!.ret} with lsm=${swapped.join(',')}` };
    }
    return null;
  },
};
