// bpftc diff --from P --to Q: what does this version change?

import { diffProfiles, formatDiff } from '../diff/diff.ts';
import { UsageError, parseArgs, q } from './args.ts';
import { RUNS, SEED, profileFlag, runsOf, seedOf } from './main.ts';
import { checkOutFile } from './outpath.ts';
import { CoverageRecorder, coverageFile } from '../speccov/record.ts';
import { writeFileAtomic } from '../scenario/io.ts';

export function diffCommand(argv: string[], out: (l: string) => void): number {
  const { flags, positional } = parseArgs(argv, { from: 'string', to: 'string', runs: RUNS, seed: SEED, format: 'string', polcap: 'string', coverage: 'string' });
  if (positional.length) throw new UsageError(`diff takes no positional argument (got ${q(positional[0]!)})`);
  for (const f of ['from', 'to']) if (typeof flags[f] !== 'string') throw new UsageError(`diff needs --${f} PROFILE`);
  const from = profileFlag(flags.from, '--from');
  const to = profileFlag(flags.to, '--to');
  const format = (flags.format as string | undefined) ?? 'text';
  if (format !== 'text' && format !== 'markdown' && format !== 'json') throw new UsageError(`--format is text, markdown or json, got ${q(format)}`);
  const runs = runsOf(flags, 1000);
  const polcap = flags.polcap as string | undefined;
  if (polcap !== undefined && polcap !== 'on' && polcap !== 'off') throw new UsageError(`--polcap is on or off, got ${q(polcap)}`);
  const cov = flags.coverage as string | undefined;
  if (cov !== undefined) checkOutFile('--coverage', cov);
  const seed = seedOf(flags);
  // --coverage FILE: the decision points of every compared scenario, once under each profile
  const recs = cov !== undefined ? [new CoverageRecorder(from, 'diff', seed), new CoverageRecorder(to, 'diff', seed)] : [];
  const onScenario = (s: Parameters<CoverageRecorder['add']>[0], i: number): void => recs.forEach((rec) => rec.add(s, [0, 0, i]));
  const r = diffProfiles(from, to, { runs, seed, ...(polcap ? { polcap } : {}), ...(recs.length ? { onScenario } : {}) });
  out(format === 'json' ? JSON.stringify(r, null, 2) : formatDiff(r, format));
  if (cov !== undefined) writeFileAtomic(cov, `${JSON.stringify(coverageFile(['diff', ...argv].join(' '), recs.map((x) => x.section)))}\n`, { what: `--coverage ${cov}` });
  return 0;
}
