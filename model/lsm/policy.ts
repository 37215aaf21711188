// A SELinux policy as the security server sees it (security/selinux/ss/):
// type-only contexts, allow rules over the classes the BPF token touches,
// policy capabilities, handle_unknown for permissions the kernel's class map
// has but the policy does not define, enforcing mode and permissive types.
// Pure data plus the access-vector computation (security_compute_av()).

import { CLASSES, POLICY_CAPS, TOKEN_PERMS, parseRule, type PolicyCap, type Rule } from '../../scenario/vocab.ts';
import type { PolicyDecl } from '../../scenario/types.ts';

// the class map and the rule syntax are scenario vocabulary (scenario/vocab.ts)
export { CLASSES, POLICY_CAPS, TOKEN_PERMS, parseRule };
export type { PolicyCap, Rule };

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

export interface Policy {
  /** frozen: a loaded policy's rules never change, so copies of the state share them (properties/clone.ts) */
  rules: readonly Rule[];
  polcaps: Set<string>;
  definesTokenPerms: boolean;
  handleUnknown: 'allow' | 'deny' | 'reject';
  enforcing: boolean;
  permissive: Set<string>;
}

/** the last text parsed per allow array (a scenario's policy is the same array in every run of it) */
const byArray = new WeakMap<readonly string[], { text: readonly string[]; rules: readonly Rule[] }>();

/** a policy's rules: each rule parsed once per text (frozenRule()), whatever
 *  array it comes in (a walk's copies of the state give each run fresh arrays) */
function parseRules(allow: readonly string[]): readonly Rule[] {
  const last = byArray.get(allow);
  if (last && last.text.length === allow.length && last.text.every((t, i) => t === allow[i])) return last.rules;
  const rules: Rule[] = [];
  for (const r of allow) rules.push(frozenRule(r));
  const frozen = Object.freeze(rules);
  byArray.set(allow, { text: [...allow], rules: frozen });
  return frozen;
}

/** one rule parsed and frozen, by its text: generated policies are drawn from a
 *  fixed set of candidate rules, so most texts of a new policy were parsed before
 *  (issue 13: parsing policies was 7% of a SELinux campaign). Bounded: emptied
 *  when it holds RULE_TEXTS_CACHED texts. */
const ruleByText = new Map<string, Rule>();
const RULE_TEXTS_CACHED = 4096;

function frozenRule(text: string): Rule {
  const hit = ruleByText.get(text);
  if (hit) return hit;
  const x = parseRule(text);
  if (typeof x === 'string') throw new Error(x);
  const rule = Object.freeze({ ...x, perms: Object.freeze([...x.perms]) }) as Rule;
  if (ruleByText.size >= RULE_TEXTS_CACHED) ruleByText.clear();
  ruleByText.set(text, rule);
  return rule;
}

export function compilePolicy(d: PolicyDecl): Policy {
  return {
    rules: parseRules(d.allow),
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
  // a plain loop, not rules.some(closure): this runs for every avc check of a campaign (issue 13)
  for (const r of p.rules)
    if (
      (r.source === stype || r.source === '*') &&
      (r.target === ttype || r.target === '*') &&
      r.tclass === tclass &&
      (r.perms.includes(perm) || r.perms.includes('*'))
    )
      return true;
  return false;
}

/** a policy load is refused: handle_unknown=reject and the kernel's class map
 *  has permissions the policy does not define (policydb_load_isids / selinux_set_mapping) */
export function rejectsLoad(p: Policy, tokenPatch: boolean): boolean {
  return tokenPatch && !p.definesTokenPerms && p.handleUnknown === 'reject';
}
