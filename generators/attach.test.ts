// The attach ops in generated scenarios (generators/attach.ts): only with
// GenOptions.attach, every one of them made, valid, replayable; the property
// attach-capable-as-attacher reaches them; and on the host kernel (when the
// oracle can run and the executor has a cgroup v2 attach target) the attach
// kernel corpus (corpus/kernel/104-109) agrees with the model, the executor
// leaves no attach directory behind, and without a cgroup2 mount it says so.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { scenarioArb } from './scenario.ts';
import { expectOpsGated, expectReplaysAsCompiled } from './options.testkit.ts';
import { expectAgreeOnKernel } from '../oracle/kernel.testkit.ts';
import { findProfile } from '../model/profile.ts';
import { runScenario } from '../model/run.ts';
import { loadScenarioFile } from '../scenario/io.ts';
import { unmetExpectations } from '../scenario/expect.ts';
import { EXECUTOR_BIN, attachTargetNote, probeKernelSync } from '../oracle/driver.ts';
import { dimensionsOf } from '../properties/dimensions.ts';
import { attachCapableAsAttacher } from '../properties/attach-capable-as-attacher.ts';
import { counterfactual, walk } from '../properties/walk.ts';
import type { Scenario, StepResult } from '../scenario/types.ts';

const profile = findProfile('linux-6.18')!;
const NEW_OPS = ['prog_attach', 'prog_detach', 'link_create'];
const sample = (n: number, attach: boolean, seed: number) => fc.sample(scenarioArb({ profile, ...(attach ? { attach: true } : {}) }), { numRuns: n, seed });

describe('generators/attach.ts', () => {
  it('makes every attach op with GenOptions.attach, none without', () => expectOpsGated(profile, { attach: true }, NEW_OPS, 100));
  it('emits valid scenarios whose replay equals the results seen while compiling', () => expectReplaysAsCompiled(profile, { attach: true }, 40));

  it('reaches attach steps by other tasks than the loader, successful and refused', () => {
    let other = 0;
    const rets = new Set<string>();
    for (const c of sample(100, true, 11)) {
      if (dimensionsOf(c.scenario, profile, c.results).dims.has('attach-by-other')) other++;
      c.scenario.steps.forEach((s, i) => {
        if (s.op === 'prog_attach' || s.op === 'link_create') rets.add(`${s.op} ${c.results[i]!.ret}`);
      });
    }
    expect(other).toBeGreaterThan(20);
    for (const r of ['prog_attach ok', 'prog_attach EINVAL', 'link_create ok', 'link_create EPERM']) expect(rets.has(r), r).toBe(true);
  });
});

describe('the scenario cgroup in copies of the state (properties/walk.ts counterfactuals)', () => {
  it('a counterfactual sees the attachments made before it (cgrp->bpf is copied with the state)', () => {
    const s: Scenario = {
      format: 'bpftc/1',
      profile: 'linux-6.18',
      actors: [{ name: 'r', userns: 'init', kuid: 0, caps: 'all', mntns: 'init' }],
      steps: [
        { actor: 'r', op: 'prog_load', prog_type: 8, expected_attach_type: 1, as: 'p' },
        { actor: 'r', op: 'prog_attach', prog: 'p', attach_type: 1 },
        // a plain attach saved flags 0: BPF_F_ALLOW_MULTI now is EPERM (__cgroup_bpf_attach())
        { actor: 'r', op: 'prog_attach', prog: 'p', attach_type: 1, attach_flags: 2 },
      ],
    };
    const seen: Array<[StepResult, StepResult]> = [];
    walk(s, profile, {
      before(st, step) {
        if (step.op === 'prog_attach' && step.attach_flags === 2) seen.push([counterfactual(st, step), counterfactual(st, step)]);
        return null;
      },
    });
    expect(seen.map(([a, b]) => [a.ret, b.ret])).toEqual([['EPERM', 'EPERM']]);
    expect(runScenario(s, { profile }).results.map((r) => r.ret)).toEqual(['ok', 'ok', 'EPERM']);
  });
});

const ROOT = new URL('..', import.meta.url).pathname;
const FILES = readdirSync(join(ROOT, 'corpus/kernel'))
  .filter((f) => /^10[4-9]-/.test(f))
  .map((f) => `corpus/kernel/${f}`);
const probe = probeKernelSync();
const skip = 'skip' in probe ? probe.skip : attachTargetNote(probe);

describe('the attach kernel corpus (corpus/kernel/104-109)', () => {
  it('holds every expectation on the model, and the property on every file', () => {
    expect(FILES).toHaveLength(6);
    for (const f of FILES) {
      const s = loadScenarioFile(join(ROOT, f));
      expect(unmetExpectations(s.steps, runScenario(s).results), f).toEqual([]);
      expect(attachCapableAsAttacher.check(s, profile), f).toBeNull();
    }
  });

  it.skipIf(skip !== null)(`model and kernel agree, every expectation holds on the kernel, no attach directory is left${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    if ('skip' in probe) return;
    await expectAgreeOnKernel(ROOT, FILES, probe);
    // the executors of this run are gone: none of their bpftc-<pid>-<n>-att directories is left
    // in any cgroup2 hierarchy (an executor that is still running elsewhere keeps its own)
    const mounts = readFileLines('/proc/self/mountinfo').filter((l) => / - cgroup2 /.test(l)).map((l) => l.split(' ')[4]!);
    for (const m of mounts) {
      const left = walkDirs(m, 3).filter((d) => {
        const pid = /\/bpftc-(\d+)-\d+-att$/.exec(d)?.[1];
        return pid !== undefined && !alive(Number(pid));
      });
      expect(left, m).toEqual([]);
    }
  });

  it.skipIf(process.getuid?.() !== 0 || 'skip' in probe)('an executor without a cgroup2 mount says so in its probe (unshare -m, the cgroup2 mounts unmounted)', () => {
    const mounts = readFileLines('/proc/self/mountinfo').filter((l) => / - cgroup2 /.test(l)).map((l) => l.split(' ')[4]!);
    const script = `${mounts.map((m) => `umount -l '${m}' || exit 3`).join('; ')}; printf 'probe\\nquit\\n' | '${EXECUTOR_BIN}'`;
    const r = spawnSync('unshare', ['-m', 'sh', '-c', script], { encoding: 'utf8', timeout: 20_000 });
    if (r.status === 3 || r.error) return; // no private mount namespace here: nothing to show
    const p = (JSON.parse(r.stdout.split('\n')[0] ?? '{}') as { probe?: { attach_cgroup?: string } }).probe;
    expect(p?.attach_cgroup).toMatch(/^no cgroup2 mounted/);
  });
});

function readFileLines(p: string): string[] {
  return readFileSync(p, 'utf8').split('\n');
}

function walkDirs(dir: string, depth: number): string[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const n of names) {
    out.push(`${dir}/${n}`);
    if (depth > 1 && !n.startsWith('bpftc-')) out.push(...walkDirs(`${dir}/${n}`, depth - 1));
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
