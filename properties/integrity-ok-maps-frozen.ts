import type { Property } from './types.ts';
import { hornetOkHashed, mapIds, walkLoads } from './integrity-util.ts';

export const integrityOkMapsFrozen: Property = {
  name: 'integrity-ok-maps-frozen',
  claim:
    "When Hornet delivers OK for a load whose fd_array its hash loop read, every map it read was frozen (BPF_MAP_FREEZE): user space can no longer change the contents whose hash the verdict vouches for.",
  source: {
    kind: 'ours',
    why: "Hornet (RFC 08/11) is not among the seeds. Its hash loop tests `if (!map->frozen) return LSM_INT_VERDICT_BADSIG;` for each signed map (spec/integrity-rfc.md §I3.4), an earlier Hornet says why: \"don't allow userspace to change map data used for signature verification\", and its authors' objection to the light-skeleton scheme is that an unfrozen map can keep a hash computed before it was modified (§I3.1). \"OK only for frozen maps\" is the suite's statement of that rule over every entry.",
  },
  dimensions: ['signed-load', 'fd-array-swap'],
  provenance: [
    'spec/integrity-rfc.md §I3.4: RFC 08/11 tests map->frozen before `map` is assigned, so each entry tests the previous entry\'s map and the last map is never tested (knob hornetFrozenBeforeAssign); the model leaves the first entry\'s uninitialised pointer untested',
    'model/lsm/integrity.ts verifyHashes(), the BPF_MAP_FREEZE op (model/syscall.ts map_freeze(), kernel-checked: corpus/kernel/136)',
    'scope: loads whose fd_array Hornet\'s hash loop read (the RFC\'s context cast keeps it from running: integrity-rfc never gets here, §I3.3)',
  ],
  knownBad: ['integrity-rfc-cast-fixed'],
  holdsOn: ['integrity-rfc', 'integrity-fixed', 'integrity-fixed-no-recheck'],
  requires: 'integrity',
  gen: { integrity: { fdArray: true } },
  check(s, profile) {
    return walkLoads(s, profile, (st, step, i, _r, ev) => {
      // frozen is never cleared, so a map unfrozen now was unfrozen when Hornet read it
      const thawed = hornetOkHashed(st, ev)?.filter((m) => !m.frozen) ?? [];
      if (!thawed.length) return null;
      return { step: i, message: `${step.op}: Hornet delivered OK after hashing ${mapIds(thawed)}, which ${thawed.length > 1 ? 'were' : 'was'} not frozen` };
    });
  },
};
