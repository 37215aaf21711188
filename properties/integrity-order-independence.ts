import type { Property, Violation } from './types.ts';
import type { Scenario } from '../scenario/types.ts';
import type { Profile } from '../model/profile.ts';
import { runScenario } from '../model/run.ts';
import { lsmOrderOf } from './lsm-util.ts';
import { declaredNames } from '../scenario/integrity.ts';

/** the orders of the integrity LSMs to compare: capability first, the rest permuted */
const PERMS = [[0, 1, 2], [1, 0, 2], [0, 2, 1], [2, 0, 1], [1, 2, 0], [2, 1, 0]];

/** the orders of n > 3 movable LSMs to compare (declared integrity LSMs,
 *  issue 12): each swap of two neighbours, and the reverse */
function perms(n: number): number[][] {
  if (n <= 3) return PERMS.map((p) => p.filter((i) => i < n));
  const id = [...Array(n).keys()];
  const out = [id.slice().reverse()];
  for (let i = 0; i + 1 < n; i++) {
    const p = id.slice();
    [p[i], p[i + 1]] = [p[i + 1]!, p[i]!];
    out.push(p);
  }
  return out;
}

export const integrityOrderIndependence: Property = {
  name: 'integrity-order-independence',
  claim:
    'Whether a program load succeeds does not depend on the LSM order of the integrity provider (one), the consumers and the BPF LSM (lsm=); only the errno may differ.',
  source: { kind: 'document', file: "seeds/002_01e0cdc43575c833.txt", section: "[RFC 01/11] kernel-doc of security_bpf_prog_load()", quote: "Performing both verification and authorization in a single callback, with arbitrary LSM ordering, would be a challenge." },
  dimensions: ['signed-load', 'kernel-load', 'bpf-lsm'],
  provenance: [
    'seed 002 kernel-doc of security_bpf_prog_load(): "Performing both verification and authorization in a single callback, with arbitrary LSM ordering, would be a challenge"; the integrity phase makes every verdict available to every authorizer, whatever the order',
    'spec/integrity-rfc.md §I5: call_int_hook() runs LSMs in lsm= order, the first non-zero wins',
  ],
  knownBad: ['mutant-integrity-in-authz'],
  holdsOn: ['integrity-rfc', 'integrity-fixed'],
  requires: 'integrity',
  gen: { integrity: {} },
  check(s, profile) {
    if (!profile.integrity) return null;
    // the claim is about one provider: with two or more in lsm= (Hornet and
    // declared ones, issue 12), which verdict a consumer keeps may follow the
    // order by the consumer's own design (seed 002 leaves combining verdicts
    // to it: "allows the LSM to consider multiple different integrity
    // verdicts"); orderDependence() below still shows it (report-integ F1)
    const order = lsmOrderOf(s, profile);
    const providers = (s.integrity?.providers ?? []).filter((p) => order.includes(p.name)).length + (order.includes('hornet') ? 1 : 0);
    if (providers > 1) return null;
    return orderDependence(s, profile);
  },
};

/** the first step whose success changes when the integrity LSMs (ipe,
 *  hornet, bpf, the declared ones) are reordered, or null */
export function orderDependence(s: Scenario, profile: Profile): Violation | null {
  const order = lsmOrderOf(s, profile);
  const declared = declaredNames(s.integrity);
  const movable: string[] = order.filter((n) => n === 'ipe' || n === 'hornet' || n === 'bpf' || declared.includes(n));
  if (movable.length < 2) return null;
  const base = runScenario(s, { profile }).results;
  for (const perm of perms(movable.length)) {
    const names = perm.map((i) => movable[i]!);
    const other = [...order.filter((n) => !movable.includes(n)), ...names];
    if (other.join() === order.join()) continue;
    const r = runScenario({ ...s, lsm_order: other }, { profile }).results;
    for (let i = 0; i < r.length; i++)
      if ((base[i]!.ret === 'ok') !== (r[i]!.ret === 'ok'))
        return { step: i, message: `${s.steps[i]!.op} gives ${base[i]!.ret} with lsm=${order.join(',')} but ${r[i]!.ret} with lsm=${other.join(',')}` };
  }
  return null;
}
