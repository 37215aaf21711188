// bpftc coverage: which decision points of the model a campaign reaches.

import { collectCoverage } from '../speccov/collect.ts';
import { formatHtml, formatText, rows } from '../speccov/report.ts';
import { writeFileAtomic } from '../scenario/io.ts';
import { UsageError, parseArgs, q } from './args.ts';
import { RUNS, SEED, profileFlag, runsOf, seedOf } from './main.ts';
import { checkOutFile } from './outpath.ts';

export function coverageCommand(argv: string[], out: (l: string) => void): number {
  const { flags, positional } = parseArgs(argv, { profile: 'string', runs: RUNS, seed: SEED, html: 'string', json: 'bool', lsm: 'bool' });
  if (positional.length) throw new UsageError(`coverage takes no positional argument (got ${q(positional[0]!)})`);
  const profile = profileFlag(flags.profile);
  const runs = runsOf(flags, 2000);
  const html = flags.html as string | undefined;
  if (html !== undefined) checkOutFile('--html', html);
  const run = collectCoverage(profile, { runs, seed: seedOf(flags), lsm: flags.lsm === true });
  if (flags.json) out(JSON.stringify({ profile: run.profile, seed: run.seed, scenarios: run.scenarios, points: rows(run), avc: run.avc.toJSON() }, null, 2));
  else out(formatText(run));
  if (html !== undefined) writeFileAtomic(html, formatHtml(run), { what: `--html ${html}` });
  return 0;
}
