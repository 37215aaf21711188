// bpftc repro FILE --c [--out FILE [--force]]: a standalone C reproducer of a scenario.

import { loadScenarioFile, writeFileAtomic } from '../scenario/io.ts';
import { reproC } from '../repro/repro.ts';
import { UsageError, parseArgs } from './args.ts';
import { checkOutFile } from './outpath.ts';

export function reproCommand(argv: string[], out: (l: string) => void): number {
  const { flags, positional } = parseArgs(argv, { c: 'bool', out: 'string', force: 'bool' });
  if (positional.length !== 1) throw new UsageError('repro takes exactly one scenario file');
  if (!flags.c) throw new UsageError('repro needs --c (C is the only reproducer language)');
  if (flags.force && typeof flags.out !== 'string') throw new UsageError('--force only applies with --out FILE');
  // --out never replaces an existing file unless --force
  if (typeof flags.out === 'string') checkOutFile('--out', flags.out, !flags.force);
  const s = loadScenarioFile(positional[0]!);
  const src = reproC(s);
  if (typeof flags.out === 'string') writeFileAtomic(flags.out, src, { exclusive: !flags.force, what: `--out ${flags.out}` });
  else out(src.trimEnd());
  return 0;
}
