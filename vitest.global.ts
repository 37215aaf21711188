// vitest globalSetup: the test suite's own temporary directory, and a check
// that the suite left nothing in it.
//
// Before any test file runs, TMPDIR points at a fresh directory below the
// system temporary directory, so os.tmpdir() in every test worker (and in the
// processes tests start: bpftc, cc, reproducers) is that directory, and other
// programs using /tmp at the same time cannot disturb the check. At teardown
// every entry still in it is a test that did not clean up: the run fails
// naming them, and the directory is removed either way, so `npm test` leaves
// nothing in the system temporary directory (tsx's transform cache, which the
// bpftc subprocesses write there, goes with it).
//
// The BPFTC_* knobs the tests read (BPFTC_RUNS, BPFTC_SEED, ...) are checked
// first: a bad value is one line and exit 2, not a suite of NaN runs.

import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkEnv } from './cli/env.ts';

function entries(dir: string, rel = ''): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(join(dir, rel));
  } catch {
    return out;
  }
  for (const n of names.sort()) out.push(join(rel, n));
  return out;
}

export default function setup(): () => void {
  try {
    checkEnv();
  } catch (e) {
    process.stderr.write(`npm test: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const system = tmpdir();
  const dir = mkdtempSync(join(system, 'bpftc-test-'));
  // searchable (not listable) by other users: tests that drop to an unprivileged
  // uid reach their own fixtures below it (everything inside is mkdtemp's 0700)
  chmodSync(dir, 0o711);
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    // tsx's transform cache (bpftc subprocesses and campaign workers run through tsx) is no leak
    const left = entries(dir).filter((n) => !/^tsx-\d+$/.test(n));
    rmSync(dir, { recursive: true, force: true });
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    if (left.length) {
      // a teardown that throws does not fail a vitest run: say it and set the exit status
      process.stderr.write(
        `\nFAIL tmpdir: the tests left ${left.length} entr${left.length === 1 ? 'y' : 'ies'} in the temporary directory (removed now; the test that made them must clean up): ${left.slice(0, 20).join(', ')}${left.length > 20 ? ', ...' : ''}\n`,
      );
      process.exitCode = 1;
    }
  };
}
