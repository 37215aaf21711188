// Arbitrary set-ups: user-namespace trees (child, sibling, nested), actors with
// credentials (kuids, capability subsets) and mount namespaces. Actor 0 is
// always the privileged grantor (init, euid 0, all capabilities).

import fc from 'fast-check';
import { record } from './record.ts';
import type { ActorDecl, UsernsDecl } from '../scenario/types.ts';
import { capSet } from './caps.ts';

export interface World {
  userns: UsernsDecl[];
  actors: ActorDecl[];
}

const kuidBase = fc.constantFrom(1000, 100000, 0);

/** one unprivileged container (userns u1) plus optional neighbours; with
 *  grantor 'sometimes', a quarter of the worlds have no privileged task at all */
export function worldArb(grantor: 'always' | 'sometimes' = 'always'): fc.Arbitrary<World> {
  return record({
    noGrantor: grantor === 'always' ? fc.constant(false) : fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    base: kuidBase,
    count: fc.constantFrom(1, 2),
    childCaps: capSet,
    secondChild: fc.option(record({ caps: capSet, shareMnt: fc.boolean() }), { freq: 3 }),
    sibling: fc.option(capSet, { freq: 3 }),
    nested: fc.option(capSet, { freq: 4 }),
    initUser: fc.option(record({ kuid: fc.constantFrom(0, 1000, 1001, 100000), caps: capSet }), { freq: 3 }),
  })
  .map(({ noGrantor, base, count, childCaps, secondChild, sibling, nested, initUser }) => {
    const userns: UsernsDecl[] = [{ name: 'u1', parent: 'init', owner: base, map: { base, count } }];
    const actors: ActorDecl[] = [
      noGrantor
        ? { name: 'root', userns: 'init', kuid: 1000, caps: [], mntns: 'init' }
        : { name: 'root', userns: 'init', kuid: 0, caps: 'all', mntns: 'init' },
      { name: 'c1', userns: 'u1', kuid: base, caps: childCaps },
    ];
    if (secondChild)
      actors.push({
        name: 'c2',
        userns: 'u1',
        kuid: base + count - 1,
        caps: secondChild.caps,
        mntns: secondChild.shareMnt ? 'c1' : 'own',
      });
    if (sibling !== null) {
      const sb = base === 0 ? 2000 : base + 5000;
      userns.push({ name: 'u2', parent: 'init', owner: sb, map: { base: sb, count: 1 } });
      actors.push({ name: 's1', userns: 'u2', kuid: sb, caps: sibling });
    }
    if (nested !== null) {
      userns.push({ name: 'u3', parent: 'u1', owner: base, map: { base, count: 1 } });
      actors.push({ name: 'n1', userns: 'u3', kuid: base, caps: nested });
    }
    if (initUser && !noGrantor) actors.push({ name: 'i1', userns: 'init', kuid: initUser.kuid, caps: initUser.caps, mntns: 'init' });
    return { userns, actors };
  });
}
