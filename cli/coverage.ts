// bpftc coverage: which decision points of the model a campaign reaches.

import { writeFileSync } from 'node:fs';
import { findProfile, DEFAULT_PROFILE } from '../model/profile.ts';
import { collectCoverage } from '../speccov/collect.ts';
import { formatHtml, formatText, rows } from '../speccov/report.ts';
import { UsageError, parseArgs } from './args.ts';

export function coverageCommand(argv: string[], out: (l: string) => void): number {
  const { flags, positional } = parseArgs(argv, { profile: 'string', runs: 'int', seed: 'int', html: 'string', json: 'bool', lsm: 'bool' });
  if (positional.length) throw new UsageError(`coverage takes no positional argument ("${positional[0]}")`);
  const name = (flags.profile as string | undefined) ?? DEFAULT_PROFILE;
  const profile = findProfile(name);
  if (!profile) throw new UsageError(`unknown profile "${name}" (bpftc profiles lists them)`);
  const runs = (flags.runs as number | undefined) ?? 2000;
  if (runs < 1) throw new UsageError('--runs must be at least 1');
  const run = collectCoverage(profile, { runs, seed: (flags.seed as number | undefined) ?? 1, lsm: flags.lsm === true });
  if (typeof flags.html === 'string') writeFileSync(flags.html, formatHtml(run));
  if (flags.json) out(JSON.stringify({ profile: run.profile, seed: run.seed, scenarios: run.scenarios, points: rows(run), avc: run.avc.toJSON() }, null, 2));
  else out(formatText(run));
  return 0;
}
