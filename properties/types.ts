// A property is a small named claim with its provenance and a check over one
// scenario run on the model.

import type { Scenario } from '../scenario/types.ts';
import type { Profile } from '../model/profile.ts';
import type { GenOptions } from '../generators/scenario.ts';

export interface Violation {
  /** index of the step where the claim broke */
  step: number;
  message: string;
}

/** Whose claim a property checks (issue 9, "claim discipline").
 *  - document: a sentence of a seed document (`seeds/NNN_<hash>.txt`, as the
 *    seeds are named), quoted verbatim (up to line breaks and mail/diff quoting
 *    marks: properties/source.test.ts checks it against the seed file);
 *  - semantic: a general semantic of the field (SELinux's permissive rules,
 *    the LSM framework's hook rules), with where it is defined (kernel function
 *    and file, or a project spec clause `spec/<file>.md §N`);
 *  - ours: a rule stronger than any source, stated by this suite: a
 *    counterexample to it is a QUESTION for the author, not a gap. */
export type Source =
  | { kind: 'document'; file: string; section: string; quote: string }
  | { kind: 'semantic'; where: string }
  | { kind: 'ours'; why: string };

/** What a counterexample to the property is: a gap (the claim is a
 *  document's or a field's semantics) or a question (the suite's own rule). */
export function verdictOf(p: Pick<Property, 'source'>): 'gap' | 'question' {
  return p.source.kind === 'ours' ? 'question' : 'gap';
}

/** The dimensions of a scenario a claim can range over; each property
 *  declares the ones its claim covers, and generators/dimensions.test.ts shows
 *  its generator drawing each of them (properties/dimensions.ts). */
export type Dimension =
  /** a policy reload between two steps */
  | 'policy-reload'
  /** a policy reload attached to the very step that uses a token */
  | 'reload-at-use'
  /** a policy load completing between two hooks of the step's own syscall (`at`) */
  | 'reload-in-syscall'
  /** a BPF-LSM program refusing a hook */
  | 'bpf-lsm'
  /** a token fd passed to another task (SCM_RIGHTS) */
  | 'token-passed'
  /** a token fd passed to a task in another SELinux domain */
  | 'token-passed-domain'
  /** another thread changes the fd table between the kernel's lookup and the hooks */
  | 'fd-race'
  /** a token-backed step of each command a token can delegate */
  | 'token-map_create'
  | 'token-prog_load'
  | 'token-btf_load'
  | 'token-btf_get_fd_by_id'
  /** every map / program / attach type a token can delegate, named by some
   *  token-backed step of the sample (checked as a union over the sample) */
  | 'delegated-types'
  /** bpf_token_perms off at some step */
  | 'polcap-off'
  /** a permissive domain or permissive mode */
  | 'permissive'
  /** a signed program load (integrity) */
  | 'signed-load'
  /** a load from a signed loader (is_kernel) */
  | 'kernel-load'
  /** a signed prog_load whose fd_array binds maps while another thread swaps one of its fds (race at "fd_array") */
  | 'fd-array-swap'
  /** a map_update_elem or map_delete_elem of a map that an earlier signed prog_load carried in its fd_array */
  | 'map-contents'
  /** a prog_load with an injected fault (scenario `fault`) */
  | 'fault'
  /** scenario `integrity` (issue 12): two or more providers (declared ones, Hornet) in lsm= */
  | 'multi-provider'
  /** a declared provider delivering twice */
  | 'repeat-verdict'
  /** a declared provider delivering after bpf() returned */
  | 'late-verdict'
  /** a declared LSM passing another LSM's lsm_id (a wrong or duplicated one) */
  | 'wrong-lsm-id'
  /** a declared consumer that re-enters the framework */
  | 'reentering-consumer'
  /** a declared verdict outside enum lsm_integrity_verdict */
  | 'out-of-enum-verdict'
  /** a declared provider whose callback returns a positive value */
  | 'positive-return'
  /** a task outside the token's user namespace uses it */
  | 'foreign-userns-use'
  /** token creation by a task in another user namespace than the bpffs's */
  | 'cross-userns-create'
  /** a program attached (prog_attach, link_create) by a task with other credentials than its loader's */
  | 'attach-by-other'
  /** a BPF-LSM program returning a raw value (bpf_lsm_deny `ret`), positive or past -MAX_ERRNO included */
  | 'bpf-lsm-any-ret';

export interface Property {
  name: string;
  /** the claim, one sentence */
  claim: string;
  /** whose claim it is (required: properties/source.test.ts) */
  source: Source;
  /** the dimensions the claim ranges over (its generator must draw each) */
  dimensions: Dimension[];
  /** which document or kernel function makes the claim, in more detail */
  provenance: string[];
  /** profiles the test suite shows this property catching */
  knownBad: string[];
  /** profiles where the claim applies and the test suite shows it holding
   *  (a profile without the layer a claim is about would pass vacuously) */
  holdsOn: string[];
  /** the layer the claim is about; a profile without it makes the claim vacuous */
  requires?: 'selinux' | 'selinux-token-patch' | 'integrity';
  /** generator tuning for this claim */
  gen?: Partial<Omit<GenOptions, 'profile'>>;
  check(scenario: Scenario, profile: Profile): Violation | null;
}

/** does the claim say anything about this profile? */
export function appliesTo(prop: Property, profile: Profile): boolean {
  switch (prop.requires) {
    case undefined:
      return true;
    case 'selinux':
      return profile.lsm?.order.includes('selinux') ?? false;
    case 'selinux-token-patch':
      return (profile.lsm?.order.includes('selinux') ?? false) && profile.lsm?.selinux !== undefined && profile.lsm.selinux !== 'none';
    case 'integrity':
      return profile.integrity !== undefined;
  }
}
