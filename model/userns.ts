// User namespaces and capability tests: kernel/user_namespace.c,
// kernel/capability.c (ns_capable), security/commoncap.c (cap_capable).

import { type CapSet, capRaised } from './caps.ts';

export interface UserNamespace {
  id: number;
  name: string;
  level: number;
  parent: UserNamespace | null;
  /** kuid of the creator's euid (user_namespace.owner) */
  owner: number;
  /** uid_map / gid_map: in-ns 0..count-1 -> kuid base..base+count-1 (init: identity) */
  mapBase: number;
  mapCount: number;
  /** a gid_map of its own (an idmap step, model/procs.ts sys_write_idmap()): in-ns
   *  0..gidCount-1 -> kgid gidBase..; absent: the gid map is the uid map (init, the
   *  declared namespaces) */
  gidBase?: number;
  gidCount?: number;
  /** parent_could_setfcap (kernel/user_namespace.c create_user_ns()): its creator had
   *  CAP_SETFCAP in effect (a namespace made by unshare; verify_root_map() reads it) */
  parentCouldSetfcap?: boolean;
}

export function makeInitUserNs(): UserNamespace {
  return { id: 0, name: 'init', level: 0, parent: null, owner: 0, mapBase: 0, mapCount: 2 ** 32 - 1 };
}

export function isInit(ns: UserNamespace): boolean {
  return ns.parent === null;
}

/** kuid_has_mapping() / kgid_has_mapping() */
export function hasMapping(ns: UserNamespace, kid: number): boolean {
  return kid >= ns.mapBase && kid < ns.mapBase + ns.mapCount;
}

/** kgid_has_mapping() */
export function hasGidMapping(ns: UserNamespace, kgid: number): boolean {
  if (ns.gidCount === undefined) return hasMapping(ns, kgid);
  return kgid >= ns.gidBase! && kgid < ns.gidBase! + ns.gidCount;
}

/** make_kgid(): in-namespace id -> kgid, or -1 (INVALID_GID) */
export function makeKgid(ns: UserNamespace, id: number): number {
  if (ns.gidCount === undefined) return makeKuid(ns, id);
  if (id < 0 || id >= ns.gidCount) return -1;
  return ns.gidBase! + id;
}

/** make_kuid(): in-namespace id -> kuid, or -1 (INVALID_UID) */
export function makeKuid(ns: UserNamespace, id: number): number {
  if (id < 0 || id >= ns.mapCount) return -1;
  return ns.mapBase + id;
}

/** from_kuid(): kuid -> in-namespace id, or -1 */
export function fromKuid(ns: UserNamespace, kid: number): number {
  return hasMapping(ns, kid) ? kid - ns.mapBase : -1;
}

export function isAncestorOrSelf(anc: UserNamespace, ns: UserNamespace): boolean {
  for (let n: UserNamespace | null = ns; n; n = n.parent) if (n === anc) return true;
  return false;
}

/** struct cred, reduced to what these layers read. Creds are replaced, never
 *  mutated, as in the kernel (prepare_creds/commit_creds). */
export interface Cred {
  userns: UserNamespace;
  uid: number; // kuids
  euid: number;
  suid: number;
  fsuid: number;
  gid: number; // kgids (same numbering as kuids in this model)
  /** the real, effective and saved gid after a setresgid step (model/cred.ts); absent: `gid`.
   *  `gid` is the one DAC checks and new inodes use (the kernel's fsgid) */
  rgid?: number;
  egid?: number;
  sgid?: number;
  /** supplementary groups (setgroups step); absent: none */
  groups?: number[];
  /** cred->securebits (SECURE_KEEP_CAPS after a keepcaps step); absent: 0 */
  securebits?: number;
  cap_effective: CapSet;
  cap_permitted: CapSet;
  /** cred->security: the LSMs' blob (SELinux: the task's SID) */
  security?: Record<string, unknown>;
}

/** cap_capable() (security/commoncap.c, cap_capable_helper loop): is `cred`
 *  capable of `cap` in `target`? Includes the owner rule. */
export function cap_capable(cred: Cred, target: UserNamespace, cap: number): boolean {
  let ns: UserNamespace = target;
  const credNs = cred.userns;
  for (;;) {
    // Do we have the necessary capabilities?
    if (ns === credNs) return capRaised(cred.cap_effective, cap);
    // If we're already at a lower level than we're looking for, we're done.
    if (ns.level <= credNs.level) return false;
    // The owner of the user namespace in the parent namespace has all caps.
    if (ns.parent === credNs && ns.owner === cred.euid) return true;
    ns = ns.parent!;
  }
}

/** which rule of cap_capable() decides (for spec coverage) */
export function capCapableRule(cred: Cred, target: UserNamespace): 'own_ns' | 'owner_rule' | 'not_ancestor' {
  let ns: UserNamespace = target;
  for (;;) {
    if (ns === cred.userns) return 'own_ns';
    if (ns.level <= cred.userns.level) return 'not_ancestor';
    if (ns.parent === cred.userns && ns.owner === cred.euid) return 'owner_rule';
    ns = ns.parent!;
  }
}
