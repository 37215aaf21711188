import type { Property } from './types.ts';
import type { BpfMap } from '../model/include/linux/bpf.ts';
import { hornetOkHashed, loadEvents } from './integrity-util.ts';
import { walk } from './walk.ts';

/** A program loaded under an OK verdict of Hornet's, and the maps its hash loop read, with
 *  each map's update count at that moment */
interface Vouched {
  step: number;
  maps: Array<{ map: BpfMap; updates: number }>;
}

export const integrityOkContentsUnchanged: Property = {
  name: 'integrity-ok-contents-unchanged',
  claim:
    'After a load succeeds with verdict OK from Hornet, whose hash loop read its maps from fd_array, no later BPF_MAP_UPDATE_ELEM or BPF_MAP_DELETE_ELEM changes one of those maps: the contents whose hash the verdict vouched for are the contents the program runs with.',
  source: {
    kind: 'ours',
    why: "Hornet (RFC 08/11) is not among the seeds. It hashes only frozen maps (`if (!map->frozen) return LSM_INT_VERDICT_BADSIG;`, spec/integrity-rfc.md §I3.4), and its authors' objection to the light-skeleton scheme is that an unfrozen map can keep a hash computed before it was modified (§I3.1): the point of the frozen test is that the hashed contents stay. This property states that consequence over the element ops (update, delete); integrity-ok-maps-frozen states its cause (an OK verdict after an unfrozen map).",
  },
  dimensions: ['signed-load', 'map-contents'],
  provenance: [
    'spec/integrity-rfc.md §I3.4: RFC 08/11 tests map->frozen before `map` is assigned, so the last entry\'s map is never tested (knob hornetFrozenBeforeAssign)',
    'model/syscall.ts map_update_elem(), map_delete_elem(): map_get_sys_perms() refuses a frozen map (EPERM), kernel-checked: corpus/kernel/140, 143',
    'scope: successful loads whose fd_array Hornet\'s hash loop read under an OK verdict (the RFC\'s context cast keeps it from running: integrity-rfc never gets here, §I3.3)',
  ],
  knownBad: ['integrity-rfc-cast-fixed'],
  holdsOn: ['integrity-rfc', 'integrity-fixed', 'integrity-fixed-no-recheck'],
  requires: 'integrity',
  gen: { integrity: { fdArray: true } },
  check(s, profile) {
    const vouched: Vouched[] = [];
    return walk(s, profile, {
      before(st) {
        st.k.security.lsmTrace = [];
        return null;
      },
      after(st, step, i, r) {
        if (step.op === 'prog_load' && r.ret === 'ok') {
          const hashed = hornetOkHashed(st, loadEvents(st));
          if (hashed) vouched.push({ step: i, maps: hashed.map((map) => ({ map, updates: map.updates ?? 0 })) });
          return null;
        }
        // an update or a delete (map_delete_elem(): the same map_get_sys_perms() test) changes contents
        if ((step.op !== 'map_update_elem' && step.op !== 'map_delete_elem') || r.ret !== 'ok') return null;
        for (const v of vouched)
          for (const m of v.maps)
            if ((m.map.updates ?? 0) > m.updates)
              return { step: i, message: `${step.op} changed map id ${m.map.id}, whose hash Hornet checked for the OK verdict of step ${v.step + 1}'s load (the map was not frozen)` };
        return null;
      },
    });
  },
};
