// loopbackRefusesPseudoDentry (6.12.118, 7.3.4, and the 6.18.44 host build
// fc-v1252): open_tree() of the token file is EINVAL there; without the check (the
// earlier host build fc-v669) it is ok; the directory of the same attached mount
// clones on all (corpus/vm/open-tree-token-pseudo-dentry.json, which the VM oracle
// ran on both images).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findProfile } from './profile.ts';
import { runScenario } from './run.ts';
import { validateScenario } from '../scenario/validate.ts';

const file = new URL('../corpus/vm/open-tree-token-pseudo-dentry.json', import.meta.url);
const scenario = validateScenario(JSON.parse(readFileSync(file, 'utf8')));
const p618 = findProfile('linux-6.18')!;
const without = { ...p618, name: 'linux-6.18-fc-v669', token: { ...p618.token, loopbackRefusesPseudoDentry: false } };
const rets = (p: string): string[] => runScenario(scenario, { profile: p === without.name ? without : findProfile(p)! }).results.map((r) => r.ret);
const at = scenario.steps.findIndex((s) => s.op === 'open_tree' && s.dirfd === 'tok');

describe('open_tree() of a pseudo dentry (the token file)', () => {
  it('is EINVAL on linux-6.12, linux-7.3 and linux-6.18, ok without the check; nothing else differs', () => {
    const r618 = rets(without.name);
    for (const p of ['linux-6.12', 'linux-7.3', 'linux-6.18']) {
      const r = rets(p);
      expect(r[at], p).toBe('EINVAL');
      expect(r.filter((x, i) => i !== at), p).toEqual(r618.filter((x, i) => i !== at));
    }
    expect(r618[at]).toBe('ok');
    expect(r618[at + 1]).toBe('ok');
  });
});
