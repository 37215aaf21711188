// The token.c corpus (corpus/selftest/README.md): every file cites its
// subtest, the README table covers the 13 subtests in token.c's order and at
// least 11 are translated; the kernel-checkable files run on the host kernel,
// where model and kernel must agree step by step and every expectation must
// hold (corpus/corpus.test.ts replays all of them on the model).

import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadCorpus } from '../load.ts';
import { adaptToMachine, kernelUncheckable, probeKernelSync, runOnKernel } from '../../oracle/driver.ts';
import { compareWithKernel } from '../../oracle/compare.ts';
import { unmetExpectations } from '../../scenario/expect.ts';
import { runScenario } from '../../model/run.ts';
import { findProfile } from '../../model/profile.ts';

const DIR = new URL('.', import.meta.url).pathname;
const entries = loadCorpus(DIR);
const TOKEN_C = join(homedir(), '.cache/bpftc/trees/linux-source-7.3_7.3.4-1~bpo13+1/linux-source-7.3/tools/testing/selftests/bpf/prog_tests/token.c');
const probe = probeKernelSync();
const skip = 'skip' in probe ? probe.skip : null;

interface Row { n: number; subtest: string; files: string[]; translation: string; missing: string }

function table(): Row[] {
  const md = readFileSync(join(DIR, 'README.md'), 'utf8');
  return md
    .split('\n')
    .filter((l) => /^\| \d+ \|/.test(l))
    .map((l) => {
      const c = l.split('|').map((x) => x.trim());
      return { n: Number(c[1]), subtest: c[2]!, files: c[3] === '-' ? [] : c[3]!.split(', '), translation: c[4]!, missing: c[5]! };
    });
}

interface SelftestMeta { source: string; subtest: string; lines: string; translation: string; missing?: string; verdict: string }
const meta = (e: (typeof entries)[number]): SelftestMeta => (e.scenario.meta as { selftest: SelftestMeta }).selftest;

describe('corpus/selftest (token.c)', () => {
  const rows = table();

  it('every file cites its subtest, the lines it translates and its verdict', () => {
    expect(entries.length).toBeGreaterThanOrEqual(11);
    for (const e of entries) {
      const m = meta(e);
      expect(m, e.file).toBeDefined();
      expect(m.source, e.file).toMatch(/prog_tests\/token\.c$/);
      expect(m.lines, e.file).toMatch(/^\d+-\d+/);
      expect(['full', 'core', 'partial'], e.file).toContain(m.translation);
      if (m.translation !== 'full') expect(m.missing, e.file).toBeTruthy();
      expect(m.verdict, e.file).toBeTruthy();
      for (const st of e.scenario.steps) expect(st.label, `${e.file}: every step cites token.c`).toBeTruthy();
      const row = rows.find((r) => r.files.includes(e.file.slice(DIR.length)));
      expect(row?.subtest, `${e.file} is in the README table`).toBe(m.subtest);
      expect(row?.translation, e.file).toBe(m.translation);
    }
  });

  it('the README table has the 13 subtests, 11 or more translated, the others say what is missing', () => {
    expect(rows.map((r) => r.n)).toEqual([...Array(13).keys()].map((i) => i + 1));
    expect(rows.filter((r) => r.translation !== 'none').length).toBeGreaterThanOrEqual(11);
    for (const r of rows) {
      if (r.translation === 'none') expect(r.files, r.subtest).toEqual([]), expect(r.missing.length, r.subtest).toBeGreaterThan(40);
      for (const f of r.files) expect(existsSync(join(DIR, f)), f).toBe(true);
    }
  });

  it('fails where the kernel would be wrong: known-bad profiles break the subtests\' own assertions', () => {
    const first = (file: string, profile: string): number | undefined => {
      const e = entries.find((x) => x.file.endsWith(file))!;
      return unmetExpectations(e.scenario.steps, runScenario(e.scenario, { profile: findProfile(profile)! }).results)[0]?.step;
    };
    // token-v10 lets the unprivileged child set delegate_cmds (token.c:412 delegate_cmd_eperm)
    expect(first('token-01-map_token.json', 'token-v10')).toBe(2);
    // a dropped token still used: the reject_cmd load succeeds (token.c:786-795)
    expect(first('token-05c-obj_priv_prog-reject_cmd.json', 'mutant-keep-dropped-token')).toBe(25);
    expect(first('token-01-map_token.json', 'linux-6.18')).toBeUndefined();
  });

  it('on the linux-6.12 profile exactly the two subtests of newer features fail, where the 6.12 VM kernel fails them', () => {
    const unmet = (file: string): string[] => {
      const e = entries.find((x) => x.file.endsWith(file))!;
      return unmetExpectations(e.scenario.steps, runScenario(e.scenario, { profile: findProfile('linux-6.12')! }).results).map((u) => `${u.step}:${u.got}`);
    };
    const failing = entries.filter((e) => e.scenario.meta?.kernel_checkable && unmet(e.file.slice(DIR.length)).length > 0).map((e) => e.file.slice(DIR.length));
    expect(failing).toEqual(['token-06-obj_priv_freplace_prog.json', 'token-12-bpf_token_info.json']);
    expect(unmet('token-06-obj_priv_freplace_prog.json')).toEqual(['30:EINVAL']);
    expect(unmet('token-12-bpf_token_info.json')).toEqual(['24:EINVAL', '25:EINVAL']);
  });

  it.skipIf(!existsSync(TOKEN_C))(`the table names token.c's subtests in its order${existsSync(TOKEN_C) ? '' : ' (skipped: no Linux 7.3.4 tree)'}`, () => {
    const names = [...readFileSync(TOKEN_C, 'utf8').matchAll(/test__start_subtest\("([a-z_]+)"\)/g)].map((m) => m[1]);
    expect(rows.map((r) => r.subtest)).toEqual(names);
  });

  it.skipIf(!existsSync(TOKEN_C))(`labels cite lines of token.c that hold the assertion they name${existsSync(TOKEN_C) ? '' : ' (skipped: no Linux 7.3.4 tree)'}`, () => {
    const lines = readFileSync(TOKEN_C, 'utf8').split('\n');
    let checked = 0;
    for (const e of entries)
      for (const st of e.scenario.steps)
        for (const m of (st.label ?? '').matchAll(/token\.c:(\d+)(?:-(\d+))?/g)) {
          const a = Number(m[1]);
          const b = Number(m[2] ?? m[1]);
          expect(a <= b && b <= lines.length, `${e.file}: ${m[0]}`).toBe(true);
          // "token.c:A-B ... (ASSERT_X ...)": ASSERT_X is on one of lines A..B
          const assert = /^token\.c:[\d-]+[^()]*\((ASSERT_[A-Z_]+)/.exec(st.label!.slice(m.index))?.[1];
          if (assert) {
            expect(lines.slice(a - 1, b).join('\n'), `${e.file}: ${m[0]} (${assert})`).toContain(`${assert}(`);
            checked++;
          }
        }
    expect(checked).toBeGreaterThanOrEqual(50);
  });

  it.skipIf(skip !== null)(`the kernel-checkable files: model and host kernel agree, every expectation holds on the kernel${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    if ('skip' in probe) return;
    const checkable = entries.filter((e) => e.scenario.meta?.kernel_checkable);
    expect(checkable.length).toBeGreaterThanOrEqual(10);
    for (const e of checkable) expect(kernelUncheckable(e.scenario), e.file).toBeNull();
    const scenarios = checkable.map((e) => adaptToMachine(e.scenario, probe));
    const runs = await runOnKernel(scenarios);
    scenarios.forEach((s, i) => {
      const f = checkable[i]!.file.slice(DIR.length);
      expect(compareWithKernel(s, runs[i]!).kind, f).toBe('agree');
      expect(unmetExpectations(s.steps, runs[i]!.results, true), f).toEqual([]);
    });
  });
});
