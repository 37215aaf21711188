// The bounded differential campaign of npm test: generated scenarios (the
// property generators, restricted to what the kernel can execute) plus every
// kernel-checkable corpus scenario, on the real kernel and on the model.
// Longer: BPFTC_ORACLE_RUNS=10000 BPFTC_SEED=7 npm test (or: npx bpftc oracle --runs 10000 --seed 7)

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { probeKernelSync } from './driver.ts';
import { runOracleCampaign, type Disagreement } from './campaign.ts';
import { scenarioArb } from '../generators/scenario.ts';
import { findProfile } from '../model/profile.ts';
import { loadCorpus } from '../corpus/load.ts';

const probe = probeKernelSync();
const skip = 'skip' in probe ? probe.skip : null;
const RUNS = Number(process.env.BPFTC_ORACLE_RUNS ?? 400);
const SEED = Number(process.env.BPFTC_SEED ?? 1);

/** outcomes the default campaign must see on the kernel (issue 3) */
const MUST_SEE: Record<string, string[]> = {
  token_create: ['ok', 'E2BIG', 'EINVAL', 'EBADF', 'EPERM', 'EOPNOTSUPP', 'ENOENT'],
  fsconfig: ['ok', 'EINVAL', 'ERANGE', 'EPERM'],
  map_create: ['ok', 'EPERM', 'EINVAL', 'E2BIG'],
  prog_load: ['ok', 'EPERM', 'EINVAL', 'E2BIG'],
  btf_load: ['ok', 'EPERM', 'EINVAL'],
};

describe.skipIf(skip !== null)(`oracle campaign${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it(`${RUNS} generated scenarios + the kernel corpus agree with the model, with full outcome coverage`, async () => {
    if ('skip' in probe) return;
    const profile = findProfile('linux-6.18')!;
    const corpusDir = new URL('../corpus', import.meta.url).pathname;
    const corpus = loadCorpus(corpusDir).filter((e) => e.scenario.meta?.kernel_checkable).map((e) => e.scenario);
    const generated = fc
      .sample(scenarioArb({ profile, sysctl: probe.unprivileged_bpf_disabled, maxCommands: 30 }), { numRuns: RUNS, seed: SEED })
      .map((c) => c.scenario);
    const found: Disagreement[] = [];
    const res = await runOracleCampaign({ scenarios: [...corpus, ...generated], probe, onDisagreement: (d) => void found.push(d) });
    expect(found.map((d) => d.report)).toEqual([]);
    expect(res.scenarios).toBe(corpus.length + RUNS);
    expect(res.agreements).toBe(res.scenarios);
    for (const [op, outs] of Object.entries(MUST_SEE)) {
      const seen = res.coverage.get(op as never)?.kernel ?? new Set<string>();
      for (const o of outs) expect(seen.has(o), `kernel outcome ${op} ${o}`).toBe(true);
    }
  }, 240_000);
});
