// cap_capable() (security/commoncap.c): the owner rule and the ancestor walk.

import { describe, expect, it } from 'vitest';
import { type Cred, type UserNamespace, cap_capable, makeInitUserNs } from './userns.ts';
import { CAP_BPF, CAP_EMPTY, CAP_FULL } from './caps.ts';

const init = makeInitUserNs();
const ns = (name: string, parent: UserNamespace, owner: number): UserNamespace => ({
  id: 0, name, level: parent.level + 1, parent, owner, mapBase: owner, mapCount: 1,
});
const cred = (userns: UserNamespace, euid: number, caps: number): Cred => ({
  userns, uid: euid, euid, suid: euid, fsuid: euid, gid: euid, cap_effective: caps, cap_permitted: caps,
});

describe('cap_capable', () => {
  const u1 = ns('u1', init, 1000);
  const u2 = ns('u2', init, 2000);
  const u3 = ns('u3', u1, 1000);
  it('own namespace: the effective set decides', () => {
    expect(cap_capable(cred(u1, 1000, CAP_FULL), u1, CAP_BPF)).toBe(true);
    expect(cap_capable(cred(u1, 1000, CAP_EMPTY), u1, CAP_BPF)).toBe(false);
  });
  it('owner rule: the creator euid has every capability in the child, whatever its effective set', () => {
    expect(cap_capable(cred(init, 1000, CAP_EMPTY), u1, CAP_BPF)).toBe(true);
    expect(cap_capable(cred(init, 1001, CAP_EMPTY), u1, CAP_BPF)).toBe(false);
    expect(cap_capable(cred(u1, 1000, CAP_EMPTY), u3, CAP_BPF)).toBe(true);
  });
  it('ancestors with the capability, never siblings or descendants', () => {
    expect(cap_capable(cred(init, 0, CAP_FULL), u3, CAP_BPF)).toBe(true);
    expect(cap_capable(cred(u2, 2000, CAP_FULL), u1, CAP_BPF)).toBe(false);
    expect(cap_capable(cred(u3, 1000, CAP_FULL), u1, CAP_BPF)).toBe(false);
  });
});
