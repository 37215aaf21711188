// bpftc oracle: the differential campaign. Generated scenarios (plus every
// kernel-checkable corpus scenario) run on the real kernel and on the model;
// each disagreement is shrunk and printed side by side.

import fc from 'fast-check';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findProfile } from '../model/profile.ts';
import { scenarioArb } from '../generators/scenario.ts';
import { probeKernel } from '../oracle/driver.ts';
import { type Disagreement, formatCoverageTable, runOracleCampaign } from '../oracle/campaign.ts';
import type { Scenario } from '../scenario/types.ts';
import { loadCorpus } from '../corpus/load.ts';
import { UsageError, parseArgs } from './args.ts';
import { SIGNAL_EXIT, type StopSignal } from '../campaign/run.ts';

type Out = (line: string) => void;

function saveDisagreement(dir: string, d: Disagreement, seed: number, n: number): string {
  mkdirSync(dir, { recursive: true });
  const s = d.shrunk?.scenario ?? d.scenario;
  const cmp = d.shrunk?.comparison ?? d.comparison;
  const sc: Scenario = {
    ...s,
    name: s.name ?? 'model/kernel disagreement',
    meta: {
      kernel_checkable: true,
      seed,
      date: new Date().toISOString().slice(0, 10),
      note: `model and kernel disagree at step ${cmp.first.index + 1}`,
      kernel: { results: cmp.kernel },
    },
  };
  let file = join(dir, `disagreement-seed${seed}-${n}.json`);
  for (let k = 2; existsSync(file); k++) file = join(dir, `disagreement-seed${seed}-${n}-${k}.json`);
  writeFileSync(file, JSON.stringify(sc, null, 2) + '\n', { flag: 'wx' });
  return file;
}

export async function oracleCommand(argv: string[], out: Out, err: Out = (l) => console.error(l)): Promise<number> {
  const { flags, positional } = parseArgs(argv, {
    runs: 'int', seed: 'int', json: 'bool', corpus: 'string', save: 'string', 'no-shrink': 'bool', 'max-commands': 'int',
  });
  if (positional.length) throw new UsageError(`oracle takes no positional argument ("${positional[0]}")`);
  const runs = (flags.runs as number | undefined) ?? 500;
  const seed = (flags.seed as number | undefined) ?? 1;
  const corpusDir = (flags.corpus as string | undefined) ?? 'corpus';
  const probe = await probeKernel();
  if ('skip' in probe) {
    out(flags.json ? JSON.stringify({ skipped: probe.skip }) : `skipped: ${probe.skip}`);
    return 0;
  }
  const profile = findProfile('linux-6.18')!;
  const corpus = loadCorpus(corpusDir).filter((e) => e.scenario.meta?.kernel_checkable);
  const arb = scenarioArb({ profile, sysctl: probe.unprivileged_bpf_disabled, maxCommands: (flags['max-commands'] as number | undefined) ?? 30 });
  const generated = fc.sample(arb, { numRuns: runs, seed }).map((c) => c.scenario);
  const scenarios = [...corpus.map((e) => e.scenario), ...generated];
  const found: Disagreement[] = [];
  // SIGINT / SIGTERM: the executors (and every scenario's process group) are
  // killed; what was compared so far is reported and saved, exit 130 / 143
  const stop = new AbortController();
  let interrupted: StopSignal | undefined;
  const onSignal = (sig: StopSignal): void => {
    interrupted ??= sig;
    stop.abort();
  };
  const onInt = (): void => onSignal('SIGINT');
  const onTerm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  let res: Awaited<ReturnType<typeof runOracleCampaign>>;
  try {
    res = await runOracleCampaign({
      scenarios,
      probe,
      shrink: !flags['no-shrink'],
      signal: stop.signal,
      onDisagreement: (d) => {
        found.push(d);
      },
    });
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
  if (interrupted) err(`bpftc: ${interrupted}: the executors are stopped; reporting what was compared so far`);
  const saved = typeof flags.save === 'string' ? found.map((d, i) => saveDisagreement(flags.save as string, d, seed, i + 1)) : [];
  if (flags.json) {
    out(
      JSON.stringify(
        {
          release: probe.release,
          unprivileged_bpf_disabled: probe.unprivileged_bpf_disabled,
          seed,
          ...(interrupted ? { interrupted } : {}),
          scenarios: res.scenarios,
          corpus: corpus.length,
          agreements: res.agreements,
          disagreements: res.disagreements,
          setupErrors: res.setupErrors,
          coverage: Object.fromEntries([...res.coverage].map(([op, c]) => [op, { kernel: [...c.kernel].sort(), model: [...c.model].sort() }])),
          found: found.map((d) => d.shrunk?.scenario ?? d.scenario),
          saved,
        },
        null,
        2,
      ),
    );
  } else {
    out(`kernel ${probe.release}, unprivileged_bpf_disabled=${probe.unprivileged_bpf_disabled}, seed ${seed}`);
    out(`${res.scenarios} scenarios (${corpus.length} from the corpus): ${res.agreements} agree, ${res.disagreements} disagree, ${res.setupErrors} kernel set-up errors`);
    out(formatCoverageTable(res.coverage));
    for (const d of found) out(`\nDISAGREEMENT\n${d.report}`);
    for (const f of saved) out(`saved: ${f}`);
  }
  if (interrupted) return SIGNAL_EXIT[interrupted];
  return res.disagreements ? 1 : 0;
}
