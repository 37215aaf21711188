// bpftc coverage: which decision points of the model a campaign reaches.
// Without a file: a campaign of its own (generated scenarios on --profile).
// With FILE (written by fuzz / oracle / diff --coverage FILE, or coverage
// --save FILE): the coverage of that very campaign, rendered.

import { collectCoverage } from '../speccov/collect.ts';
import { formatHtml, formatText, rows } from '../speccov/report.ts';
import { coverageFile } from '../speccov/record.ts';
import { loadCoverageFile } from '../speccov/load.ts';
import { writeFileAtomic } from '../scenario/io.ts';
import { UsageError, parseArgs, q } from './args.ts';
import { RUNS, SEED, profileFlag, runsOf, seedOf } from './main.ts';
import { checkOutFile } from './outpath.ts';

export function coverageCommand(argv: string[], out: (l: string) => void): number {
  const { flags, positional } = parseArgs(argv, { profile: 'string', runs: RUNS, seed: SEED, html: 'string', json: 'bool', lsm: 'bool', save: 'string' });
  if (positional.length > 1) throw new UsageError(`coverage takes at most one coverage file (got ${q(positional[1]!)})`);
  const html = flags.html as string | undefined;
  const save = flags.save as string | undefined;
  if (html !== undefined) checkOutFile('--html', html);
  if (save !== undefined) checkOutFile('--save', save);
  let file;
  if (positional.length) {
    for (const f of ['profile', 'runs', 'seed', 'lsm', 'save'])
      if (flags[f] !== undefined) throw new UsageError(`--${f} makes a campaign of its own: not with a coverage file (${q(positional[0]!)})`);
    file = loadCoverageFile(positional[0]!);
  } else {
    const profile = profileFlag(flags.profile);
    const runs = runsOf(flags, 2000);
    const section = collectCoverage(profile, { runs, seed: seedOf(flags), lsm: flags.lsm === true });
    file = coverageFile(['coverage', ...argv.filter((_, i) => argv[i - 1] !== '--save' && argv[i - 1] !== '--html' && argv[i] !== '--save' && argv[i] !== '--html' && argv[i] !== '--json')].join(' '), [section]);
  }
  const json = file.sections.map((s) => ({ profile: s.profile, source: s.source, seed: s.seed, scenarios: s.scenarios, points: rows(s), avc: s.avc }));
  if (flags.json) out(JSON.stringify(json.length === 1 ? json[0] : json, null, 2));
  else out(file.sections.map(formatText).join('\n\n'));
  if (save !== undefined) writeFileAtomic(save, `${JSON.stringify(file)}\n`, { what: `--save ${save}` });
  if (html !== undefined) writeFileAtomic(html, formatHtml(file.sections, file.command), { what: `--html ${html}` });
  return 0;
}
