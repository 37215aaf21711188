// Public API: profiles (spec versions as data). `import { ... } from
// 'bpf-token-conformance/profiles'`.

import { type Profile, PROFILES, DEFAULT_PROFILE, findProfile } from '../model/profile.ts';
import { profileProblem, registerProfileUnchecked } from './plugins.ts';
// the single-point mutant profiles (model functions replaced from outside the model)
import '../mutants/index.ts';

export type { Profile };
export { DEFAULT_PROFILE, findProfile };

/** every profile: built-in ones, then those registered (plugins) */
export function listProfiles(): readonly Profile[] {
  return PROFILES;
}

/**
 * adds a profile that campaigns, `check`, `run` and JUnit treat like a built-in
 * one (a plugin's `profiles`). Usually a built-in profile with other knobs:
 * `{ ...findProfile('linux-6.18')!, name: 'my-kernel', summary: '...', replace: { bpf_token_capable: ... } }` (model functions to swap, as mutants/index.ts does).
 */
export function registerProfile(p: Profile): void {
  const why = profileProblem(p);
  if (why) throw new TypeError(why);
  registerProfileUnchecked(p);
}
