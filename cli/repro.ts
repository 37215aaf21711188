// bpftc repro FILE --c [--out FILE]: a standalone C reproducer of a scenario.

import { writeFileSync } from 'node:fs';
import { loadScenarioFile } from '../scenario/io.ts';
import { reproC } from '../repro/repro.ts';
import { UsageError, parseArgs } from './args.ts';

export function reproCommand(argv: string[], out: (l: string) => void): number {
  const { flags, positional } = parseArgs(argv, { c: 'bool', out: 'string' });
  if (positional.length !== 1) throw new UsageError('repro takes exactly one scenario file');
  if (!flags.c) throw new UsageError('repro needs --c (C is the only reproducer language)');
  const s = loadScenarioFile(positional[0]!);
  const src = reproC(s);
  if (typeof flags.out === 'string') writeFileSync(flags.out, src);
  else out(src.trimEnd());
  return 0;
}
