// bpftc diff --from P --to Q: what does this version change?

import { findProfile, type Profile } from '../model/profile.ts';
import { diffProfiles, formatDiff } from '../diff/diff.ts';
import { UsageError, parseArgs } from './args.ts';

function profile(flag: string, v: unknown): Profile {
  if (typeof v !== 'string') throw new UsageError(`diff needs --${flag} PROFILE`);
  const p = findProfile(v);
  if (!p) throw new UsageError(`unknown profile "${v}" (bpftc profiles lists them)`);
  return p;
}

export function diffCommand(argv: string[], out: (l: string) => void): number {
  const { flags, positional } = parseArgs(argv, { from: 'string', to: 'string', runs: 'int', seed: 'int', format: 'string', polcap: 'string' });
  if (positional.length) throw new UsageError(`diff takes no positional argument ("${positional[0]}")`);
  const from = profile('from', flags.from);
  const to = profile('to', flags.to);
  const format = (flags.format as string | undefined) ?? 'text';
  if (format !== 'text' && format !== 'markdown' && format !== 'json') throw new UsageError(`--format is text, markdown or json, got "${format}"`);
  const runs = (flags.runs as number | undefined) ?? 1000;
  if (runs < 1) throw new UsageError('--runs must be at least 1');
  const polcap = flags.polcap as string | undefined;
  if (polcap !== undefined && polcap !== 'on' && polcap !== 'off') throw new UsageError(`--polcap is on or off, got "${polcap}"`);
  const r = diffProfiles(from, to, { runs, seed: (flags.seed as number | undefined) ?? 1, ...(polcap ? { polcap } : {}) });
  out(format === 'json' ? JSON.stringify(r, null, 2) : formatDiff(r, format));
  return 0;
}
