// bpftc diff --from P --to Q: what does this version change?

import { diffProfiles, formatDiff } from '../diff/diff.ts';
import { UsageError, parseArgs, q } from './args.ts';
import { RUNS, SEED, profileFlag, runsOf, seedOf } from './main.ts';

export function diffCommand(argv: string[], out: (l: string) => void): number {
  const { flags, positional } = parseArgs(argv, { from: 'string', to: 'string', runs: RUNS, seed: SEED, format: 'string', polcap: 'string' });
  if (positional.length) throw new UsageError(`diff takes no positional argument (got ${q(positional[0]!)})`);
  for (const f of ['from', 'to']) if (typeof flags[f] !== 'string') throw new UsageError(`diff needs --${f} PROFILE`);
  const from = profileFlag(flags.from, '--from');
  const to = profileFlag(flags.to, '--to');
  const format = (flags.format as string | undefined) ?? 'text';
  if (format !== 'text' && format !== 'markdown' && format !== 'json') throw new UsageError(`--format is text, markdown or json, got ${q(format)}`);
  const runs = runsOf(flags, 1000);
  const polcap = flags.polcap as string | undefined;
  if (polcap !== undefined && polcap !== 'on' && polcap !== 'off') throw new UsageError(`--polcap is on or off, got ${q(polcap)}`);
  const r = diffProfiles(from, to, { runs, seed: seedOf(flags), ...(polcap ? { polcap } : {}) });
  out(format === 'json' ? JSON.stringify(r, null, 2) : formatDiff(r, format));
  return 0;
}
