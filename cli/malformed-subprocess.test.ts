// Malformed input through the real launcher (node cli/bpftc.js), as a user
// runs it: exit 2, exactly one line on stderr, nothing on stdout, no stack
// trace from node -- for a representative subset of cli/malformed.test.ts,
// including what only a process shows (environment, a FIFO that must not
// block, a reader that goes away).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusHash } from './testing.ts';

const REPO = new URL('..', import.meta.url).pathname;
const BPFTC = join(REPO, 'cli', 'bpftc.js');
const CORPUS = join(REPO, 'corpus');
const GOOD = join(CORPUS, 'examples', 'canonical-delegation.json');
const corpusBefore = corpusHash(CORPUS);
let T = '';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/** a clean environment: no BPFTC_* of the caller, plus `env` */
function bpftc(argv: string[], env: Record<string, string> = {}, closeStdout = false): Promise<Run> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BPFTC_')));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BPFTC, ...argv], { cwd: REPO, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (closeStdout) child.stdout.destroy(); // the reader goes away after the first chunk
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // a command that blocks (a FIFO read) would hang the suite: kill it, and fail below
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err });
    });
  });
}

const cases: Array<[string, () => string[], RegExp, Record<string, string>?]> = [
  ['bad flag value', () => ['fuzz', '--runs', 'x'], /--runs takes an integer/],
  ['BPFTC_RUNS=abc', () => ['fuzz'], /environment variable BPFTC_RUNS takes an integer/, { BPFTC_RUNS: 'abc' }],
  ['BPFTC_RUNS empty', () => ['fuzz'], /environment variable BPFTC_RUNS is empty/, { BPFTC_RUNS: '' }],
  ['BPFTC_RUNS=0', () => ['properties'], /BPFTC_RUNS takes an integer in 1\.\./, { BPFTC_RUNS: '0' }],
  ['BPFTC_SEED=-1', () => ['run', GOOD], /BPFTC_SEED takes an integer/, { BPFTC_SEED: '-1' }],
  ['BPFTC_DEBUG=2', () => ['profiles'], /BPFTC_DEBUG takes an integer in 0\.\.1/, { BPFTC_DEBUG: '2' }],
  ['no command', () => [], /no command given/],
  ['command __proto__', () => ['__proto__'], /unknown command "__proto__"/],
  ['the hidden worker command by hand', () => ['__campaign-worker'], /unknown command "__campaign-worker"/],
  ['a FIFO as the scenario (must not block)', () => ['run', join(T, 'fifo.json')], /fifo\.json: cannot read: not a regular file/],
  ['malformed JSON', () => ['run', join(T, 'truncated.json')], /truncated\.json:\$: not valid JSON/],
  ['op "constructor"', () => ['run', join(T, 'ctor.json')], /\$\.steps\[0\]\.op: unknown op "constructor"/],
  ['dangling symlink in a corpus directory', () => ['corpus', 'merge', join(T, 'dangling'), '--into', join(T, 'into')], /x\.json: a dangling symbolic link/],
  ['symlink loop in a corpus directory', () => ['corpus', 'merge', join(T, 'loop'), '--into', join(T, 'into')], /a symbolic link loop/],
  ['repro --out onto an existing file', () => ['repro', GOOD, '--c', '--out', join(T, 'old.c')], /already exists \(--force replaces it\)/],
  ['--junit /dev/full', () => ['fuzz', '--runs', '1', '--workers', '1', '--junit', '/dev/full'], /--junit \/dev\/full: not a regular file/],
  ['--html a directory', () => ['coverage', '--html', T], /is a directory, expected a file/],
  ['oracle --corpus a file', () => ['oracle', '--corpus', GOOD], /--corpus .*: not a directory/],
];

describe('malformed input through node cli/bpftc.js', () => {
  beforeAll(() => {
    T = mkdtempSync(join(tmpdir(), 'bpftc-malformed-sub-'));
    writeFileSync(join(T, 'truncated.json'), '{"format": "bpftc/1", "actors": [');
    const s = JSON.parse(readFileSync(GOOD, 'utf8')) as { steps: Array<{ op: string }> };
    s.steps[0]!.op = 'constructor';
    writeFileSync(join(T, 'ctor.json'), JSON.stringify(s));
    spawnSync('mkfifo', [join(T, 'fifo.json')]);
    mkdirSync(join(T, 'dangling'));
    symlinkSync(join(T, 'gone.json'), join(T, 'dangling', 'x.json'));
    mkdirSync(join(T, 'loop', 'a'), { recursive: true });
    symlinkSync('..', join(T, 'loop', 'a', 'back'));
    mkdirSync(join(T, 'into'));
    writeFileSync(join(T, 'old.c'), 'old\n');
  });
  afterAll(() => rmSync(T, { recursive: true, force: true }));

  it('one line, exit 2, nothing on stdout, no stack trace', async () => {
    // a few at a time: each is a node process (~1 s of start-up)
    const results: Array<[string, Run, RegExp]> = [];
    for (let i = 0; i < cases.length; i += 4)
      results.push(
        ...(await Promise.all(cases.slice(i, i + 4).map(async ([label, argv, re, env]): Promise<[string, Run, RegExp]> => [label, await bpftc(argv(), env), re]))),
      );
    for (const [label, r, re] of results) {
      expect(r.signal, `${label}: killed (it blocked)`).toBeNull();
      expect(r.code, `${label}: ${r.err}`).toBe(2);
      expect(r.out, label).toBe('');
      expect(r.err.endsWith('\n'), label).toBe(true);
      const lines = r.err.slice(0, -1).split('\n');
      expect(lines, label).toHaveLength(1);
      expect(lines[0], label).toMatch(/^bpftc: \S/);
      expect(r.err, label).not.toMatch(/^\s+at /m);
      expect(r.err, label).not.toMatch(/^(\w*Error|node:internal)/m);
      expect(lines[0], label).toMatch(re);
    }
    expect(readFileSync(join(T, 'old.c'), 'utf8')).toBe('old\n');
    expect(corpusHash(CORPUS)).toBe(corpusBefore);
  }, 120_000);

  it('--help is the usage on stdout, exit 0; a reader that goes away is no error', async () => {
    const [help, piped] = await Promise.all([bpftc(['fuzz', '--help']), bpftc(['properties'], {}, true)]);
    expect(help.code).toBe(0);
    expect(help.err).toBe('');
    expect(help.out).toMatch(/^usage: bpftc <command> \[flags\]/);
    expect(piped.err).toBe('');
    expect(piped.code).toBe(0);
  }, 60_000);
});
