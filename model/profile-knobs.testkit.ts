// Shared by the per-kernel profile tests (profile-linux-*.test.ts): one
// scenario per knob, run on linux-6.18 and on the profile under test, showing
// that the two differ exactly at the knob's check. Test-only (not built).

import { expect } from 'vitest';
import type { Scenario, Step } from '../scenario/types.ts';
import { runScenario } from './run.ts';
import { type Profile, findProfile } from './profile.ts';

/** c1 in userns u1 has a bpffs delegated by root, opened at "root" */
export function withBpffs(delegate: Array<[string, string]>, tail: Step[]): Scenario {
  return {
    format: 'bpftc/1',
    userns: [{ name: 'u1', parent: 'init', owner: 1000, map: { base: 1000, count: 1 } }],
    actors: [
      { name: 'root', userns: 'init', kuid: 0, caps: 'all', mntns: 'init' },
      { name: 'c1', userns: 'u1', kuid: 1000, caps: 'all' },
    ],
    steps: [
      { actor: 'c1', op: 'fsopen', as: 'fs' },
      { actor: 'c1', op: 'send_fd', fd: 'fs', to: 'root', as: 'pfs' },
      ...delegate.map(([key, value]): Step => ({ actor: 'root', op: 'fsconfig', fd: 'pfs', cmd: 'set_string', key, value })),
      { actor: 'root', op: 'fsconfig', fd: 'pfs', cmd: 'create' },
      { actor: 'c1', op: 'fsmount', fd: 'fs', as: 'mnt' },
      { actor: 'c1', op: 'open', dirfd: 'mnt', path: '.', as: 'root' },
      ...tail,
    ],
  };
}

/** `both` runs a scenario on linux-6.18 (a) and on `name` (b); `differsOnlyAtLast`
 *  asserts the results agree except at the last step, which gives the two values */
export function knobPair(name: string): {
  profile: Profile;
  both: (s: Scenario) => { a: string[]; b: string[] };
  differsOnlyAtLast: (s: Scenario, on618: string, onOther: string) => void;
} {
  const p618 = findProfile('linux-6.18')!;
  const other = findProfile(name)!;
  const show = (s: Scenario, p: Profile): string[] => runScenario(s, { profile: p }).results.map((r) => r.ret + (r.text === undefined ? '' : ` ${r.text}`));
  const both = (s: Scenario): { a: string[]; b: string[] } => ({ a: show(s, p618), b: show(s, other) });
  return {
    profile: other,
    both,
    differsOnlyAtLast(s, on618, onOther) {
      const { a, b } = both(s);
      expect(a.slice(0, -1)).toEqual(b.slice(0, -1));
      expect(a.at(-1)).toBe(on618);
      expect(b.at(-1)).toBe(onOther);
    },
  };
}
