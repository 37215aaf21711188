// bpftc diff: classes of behavioural difference with minimal, reproducing witnesses.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diffProfiles, formatDiff, rootCauseOf } from './diff.ts';
import { findProfile } from '../model/profile.ts';
import { runScenario } from '../model/run.ts';
import { main } from '../cli/main.ts';

const v10 = findProfile('token-v10')!;
const linux = findProfile('linux-6.18')!;

describe('spec-version diff', () => {
  const r = diffProfiles(v10, linux, { runs: 600, seed: 1 });

  it('finds what v12 changed: EOPNOTSUPP in init, ENOENT without delegation, the CAP_SYS_ADMIN rule, symbolic names', () => {
    const keys = r.classes.map((c) => c.key);
    expect(keys).toContain('token_create: ok -> EOPNOTSUPP');
    expect(keys).toContain('token_create: ok -> ENOENT');
    expect(keys).toContain('fsconfig: ok -> EPERM');
    expect(keys).toContain('fsconfig: EINVAL -> ok');
    expect(r.classes.reduce((a, c) => a + c.count, 0)).toBe(r.differing);
  });

  it('every witness is small and reproduces its class at the marked step', () => {
    for (const c of r.classes) {
      expect(c.witness.steps.length).toBeLessThanOrEqual(8);
      const a = runScenario(c.witness, { profile: v10 }).results;
      const b = runScenario(c.witness, { profile: linux }).results;
      expect(a.slice(0, c.step).map((x) => x.ret)).toEqual(b.slice(0, c.step).map((x) => x.ret));
      expect(c.witness.steps[c.step]!.op).toBe(c.op);
      expect(a[c.step]!.ret !== b[c.step]!.ret || a[c.step]!.text !== b[c.step]!.text).toBe(true);
    }
  });

  it('a profile against itself has no difference; output is deterministic', () => {
    expect(diffProfiles(linux, linux, { runs: 200, seed: 2 }).classes).toEqual([]);
    expect(formatDiff(diffProfiles(v10, linux, { runs: 100, seed: 3 }), 'markdown')).toBe(formatDiff(diffProfiles(v10, linux, { runs: 100, seed: 3 }), 'markdown'));
  });

  it('for the LSM layer, reports changed AVC decisions (v7 with bpf_token_perms off is not the old behaviour)', () => {
    const r = diffProfiles(findProfile('linux-6.18-selinux')!, findProfile('selinux-token-v7')!, { runs: 400, seed: 1, polcap: 'off' });
    const keys = r.classes.map((c) => c.key);
    // the root cause: a check v7 makes at token creation (with the polcap off)
    expect(keys[0]).toBe('bpf_token_create bpf:map_create_as: made under selinux-token-v7 only');
    expect(r.classes[0]!.consequences.some((q) => /^token_create: ok -> EACCES \[denied \w+->\w+ bpf:map_create_as\]$/.test(q.key))).toBe(true);
    for (const c of r.classes.slice(0, 5)) expect(c.witness.selinux?.polcap ?? []).not.toContain('bpf_token_perms');
  });

  it('v6 -> v7 is one root cause (token_capable with the caller as subject), its consequences counted together, in 100 columns', () => {
    const [v6, v7] = [findProfile('selinux-token-v6')!, findProfile('selinux-token-v7')!];
    const d = diffProfiles(v6, v7, { runs: 1000, seed: 1 });
    expect(d.classes.map((c) => c.key)).toEqual(['bpf_token_capable cap2_userns:bpf: subject changed']);
    const c = d.classes[0]!;
    expect(c.count).toBe(d.differing);
    expect(c.changes).toEqual([{ change: "subject the token's creator -> current", count: d.differing }]);
    // what used to be a class of its own per result and denial list is a consequence now
    expect(c.consequences.length).toBeGreaterThan(5);
    expect(c.consequences.reduce((a, q) => a + q.count, 0)).toBe(c.count);
    // the witness still shows that root cause first, with a policy reduced to what it needs
    expect(rootCauseOf(c.witness, v6, v7)).toBe(c.key);
    const text = formatDiff(d, 'text');
    for (const l of text.split('\n')) expect(l.length, l).toBeLessThanOrEqual(100);
    expect(text.length).toBeLessThan(4000); // before issue 14: 18 classes, 58 KB, lines of up to 1,826 characters
    expect(text).toMatch(/^ {8}selinux-token-v6: bpf_token_capable: unconfined_t -> unlabeled_t cap2_userns:bpf denied$/m);
    // the README shows this very output
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const block = /npx bpftc diff --from selinux-token-v6 --to selinux-token-v7\n```\n\n```\n([\s\S]*?)\n```/.exec(readme);
    expect(block?.[1]).toBe(text);
  });

  it('the CLI prints markdown, and rejects bad input with one line and exit 2', async () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(await main(['diff', '--from', 'token-v10', '--to', 'linux-6.18', '--runs', '50', '--format', 'markdown'], (l) => out.push(l), (l) => err.push(l))).toBe(0);
    expect(out.join('\n')).toMatch(/^### token-v10 -> linux-6\.18/);
    for (const argv of [['diff', '--to', 'linux-6.18'], ['diff', '--from', 'x', '--to', 'linux-6.18'], ['diff', '--from', 'token-v10', '--to', 'linux-6.18', '--format', 'html']]) {
      err.length = 0;
      expect(await main(argv, () => {}, (l) => err.push(l))).toBe(2);
      expect(err).toHaveLength(1);
    }
  });
});
