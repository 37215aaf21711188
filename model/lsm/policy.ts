// A SELinux policy as the security server sees it (security/selinux/ss/):
// type-only contexts, allow rules over the classes the BPF token touches,
// policy capabilities, handle_unknown for permissions the kernel's class map
// has but the policy does not define, enforcing mode and permissive types.
// Pure data plus the access-vector computation (security_compute_av()).

import { CAP_LAST_CAP, capName } from '../caps.ts';
import type { PolicyDecl } from '../../scenario/types.ts';

/** the classes and permissions of the kernel's class map
 *  (security/selinux/include/classmap.h) that the model uses */
const CAPS_0_31 = Array.from({ length: 32 }, (_, i) => capName(i).toLowerCase());
const CAPS_32_63 = Array.from({ length: CAP_LAST_CAP - 31 }, (_, i) => capName(32 + i).toLowerCase());

/** the token patch adds map_create_as and prog_load_as to class bpf (seed 000 classmap.h) */
export const TOKEN_PERMS = ['map_create_as', 'prog_load_as'] as const;

export const CLASSES: Record<string, readonly string[]> = {
  bpf: ['map_create', 'map_read', 'map_write', 'prog_load', 'prog_run', ...TOKEN_PERMS],
  capability: CAPS_0_31,
  capability2: CAPS_32_63,
  cap_userns: CAPS_0_31,
  cap2_userns: CAPS_32_63,
  fd: ['use'],
  file: ['read', 'write', 'open', 'getattr'],
};

export const POLICY_CAPS = ['bpf_token_perms'] as const;
export type PolicyCap = (typeof POLICY_CAPS)[number];

/** initial SIDs (security/selinux/include/initial_sid_to_string.h) */
export const SECSID_NULL = 0;
export const SECINITSID_KERNEL = 1;
export const SECINITSID_UNLABELED = 3;
export const SECINITSID_FILE = 5;
export const INITIAL_SIDS: Record<number, string> = {
  [SECINITSID_KERNEL]: 'kernel_t',
  [SECINITSID_UNLABELED]: 'unlabeled_t',
  [SECINITSID_FILE]: 'file_t',
};

export type { PolicyDecl };

export interface Rule {
  source: string;
  target: string;
  tclass: string;
  perms: string[];
}

/** parses "S T:class p1 p2"; returns an error message or the rule */
export function parseRule(text: string): Rule | string {
  const m = /^\s*(\S+)\s+(\S+):(\S+)\s+(.+?)\s*$/.exec(text);
  if (!m) return `expected "source target:class perm...", got ${JSON.stringify(text)}`;
  const [, source, target, tclass, rest] = m as unknown as [string, string, string, string, string];
  const known = Object.hasOwn(CLASSES, tclass) ? CLASSES[tclass] : undefined; // not Object.prototype's "constructor"
  if (!known) return `unknown class "${tclass}" (known: ${Object.keys(CLASSES).join(', ')})`;
  const perms = rest.split(/\s+/);
  for (const p of perms) if (p !== '*' && !known.includes(p)) return `class ${tclass} has no permission "${p}"`;
  return { source, target, tclass, perms };
}

export interface Policy {
  /** frozen: a loaded policy's rules never change, so copies of the state share them (properties/clone.ts) */
  rules: readonly Rule[];
  polcaps: Set<string>;
  definesTokenPerms: boolean;
  handleUnknown: 'allow' | 'deny' | 'reject';
  enforcing: boolean;
  permissive: Set<string>;
}

export function compilePolicy(d: PolicyDecl): Policy {
  const rules: Rule[] = [];
  for (const r of d.allow) {
    const x = parseRule(r);
    if (typeof x === 'string') throw new Error(x);
    rules.push(x);
  }
  return {
    rules: Object.freeze(rules),
    polcaps: new Set(d.polcap ?? []),
    definesTokenPerms: d.defines_token_perms ?? true,
    handleUnknown: d.handle_unknown ?? 'deny',
    enforcing: d.enforcing ?? true,
    permissive: new Set(d.permissive ?? []),
  };
}

/** a permission the kernel's class map has but the loaded policy does not
 *  define (selinux_set_mapping(): unmapped permissions) */
export function isUnknownPerm(p: Policy, tclass: string, perm: string, tokenPatch: boolean): boolean {
  return tokenPatch && tclass === 'bpf' && (TOKEN_PERMS as readonly string[]).includes(perm) && !p.definesTokenPerms;
}

/** security_compute_av() for one permission: allowed by a rule, or an
 *  unknown permission under handle_unknown=allow */
export function policyAllows(p: Policy, stype: string, ttype: string, tclass: string, perm: string, tokenPatch: boolean): boolean {
  if (isUnknownPerm(p, tclass, perm, tokenPatch)) return p.handleUnknown === 'allow';
  return p.rules.some(
    (r) =>
      (r.source === stype || r.source === '*') &&
      (r.target === ttype || r.target === '*') &&
      r.tclass === tclass &&
      (r.perms.includes(perm) || r.perms.includes('*')),
  );
}

/** a policy load is refused: handle_unknown=reject and the kernel's class map
 *  has permissions the policy does not define (policydb_load_isids / selinux_set_mapping) */
export function rejectsLoad(p: Policy, tokenPatch: boolean): boolean {
  return tokenPatch && !p.definesTokenPerms && p.handleUnknown === 'reject';
}
