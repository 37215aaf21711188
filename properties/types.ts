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

export interface Property {
  name: string;
  /** the claim, one sentence */
  claim: string;
  /** which document or kernel function makes the claim */
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
