// Signals to a running campaign: SIGTERM / SIGINT stop every worker, the
// findings so far are printed, saved (--save) and reported (--junit), the exit
// code is 143 / 130, and no process of the campaign survives. SIGKILL to the
// parent: its workers notice and exit by themselves.
//
// Each campaign runs detached, in a process group of its own, so that what is
// left of it can be found: every process whose process group is the
// campaign's, or whose command line names the test's unique temporary
// directory (and its session, for what leads a process group of its own).
// Zombies do not count (orphans are reaped by whoever init is).
// There are no timed assertions: the test waits for events (a finding printed,
// the exit, the group emptied); the timeouts are only a safety net.

import { afterAll, describe, expect, it } from 'vitest';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { probeKernelSync } from '../oracle/driver.ts';
import { PROPERTIES } from '../properties/index.ts';
import { findProfile } from '../model/profile.ts';
import { appliesTo } from '../properties/types.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'cli', 'bpftc.js');
const SAFETY_MS = 60_000;
const root = mkdtempSync(join(tmpdir(), 'bpftc-signals-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  state: string;
  cmdline: string;
}

/** every process on the machine, from /proc (the ones that vanish while read are skipped) */
function processes(): Proc[] {
  const out: Proc[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ');
      out.push({ pid: Number(e), state: f[0]!, ppid: Number(f[1]), pgid: Number(f[2]), sid: Number(f[3]), cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * the live (non-zombie) processes of a campaign started detached (so in a
 * session and process group of its own): its session, its process group, or
 * its temporary directory on the command line. Zombies are left out: an
 * orphan's is reaped by init whenever init gets to it.
 */
export function leftOf(pgid: number, dir: string): Proc[] {
  return processes().filter((p) => p.state !== 'Z' && p.state !== 'X' && (p.sid === pgid || p.pgid === pgid || p.cmdline.includes(dir)));
}

/** resolves when `cond()` holds; polls, and gives up (rejects) only after the safety timeout */
async function until(what: string, cond: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > SAFETY_MS) throw new Error(`safety timeout waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Campaign {
  child: ChildProcess;
  pgid: number;
  dir: string;
  save: string;
  junit: string;
  stdout: () => string;
  stderr: () => string;
  /** resolves with the exit status once the process is gone and its output read */
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** resolves once the first finding is announced */
  found: Promise<void>;
}

/**
 * a two-worker campaign that finds counterexamples in its first batches
 * (token-v10 breaks delegation-needs-init-sysadmin and token-from-bpffs-root)
 * and keeps busy with the properties that hold until its long time budget
 */
function startCampaign(name: string): Campaign {
  const dir = mkdtempSync(join(root, `${name}-`));
  const save = join(dir, 'found');
  const junit = join(dir, 'junit.xml');
  const argv = ['fuzz', '--profile', 'token-v10', '--property', 'all', '--workers', '2', '--time', '600', '--batch', '50', '--save', save, '--junit', junit];
  const child = spawn(process.execPath, [CLI, ...argv], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const found = new Promise<void>((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      if (/\b[1-9]\d* findings/.test(err)) resolve();
    });
    child.on('close', () => reject(new Error(`campaign ended before a finding: ${err}`)));
  });
  found.catch(() => {});
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, pgid: child.pid!, dir, save, junit, stdout: () => out, stderr: () => err, closed, found };
}

/** a JUnit file is well-formed XML (balanced tags) and its counts agree with its test cases */
function checkJunit(text: string): { tests: number; failures: number } {
  expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
  const stack: string[] = [];
  for (const m of text.replace(/^<\?xml[^>]*\?>/, '').matchAll(/<(\/?)([A-Za-z]+)(?:\s[^<>]*?)?(\/?)>/g)) {
    if (m[3]) continue;
    if (m[1]) expect(stack.pop(), `closing </${m[2]}>`).toBe(m[2]);
    else stack.push(m[2]!);
  }
  expect(stack).toEqual([]);
  expect(text.replace(/<[^<>]*>/g, '')).not.toMatch(/[<>]/);
  const suites = /<testsuites [^>]*tests="(\d+)" failures="(\d+)"/.exec(text);
  expect(suites).not.toBeNull();
  const tests = Number(suites![1]);
  const failures = Number(suites![2]);
  expect(text.match(/<testcase /g)?.length).toBe(tests);
  expect(text.match(/<failure /g)?.length ?? 0).toBe(failures);
  return { tests, failures };
}

const hasProc = existsSync('/proc/self/stat');

describe.skipIf(!hasProc)('signals to bpftc fuzz (2 workers, --save, --junit)', () => {
  for (const [sig, code, toGroup] of [
    ['SIGTERM', 143, false],
    ['SIGINT', 130, true], // as a terminal's ^C: to the whole process group
  ] as const) {
    it(`${sig}: every worker stops, the findings are printed, saved and reported, exit ${code}, nothing left`, async () => {
      const c = startCampaign(sig);
      await c.found;
      expect(leftOf(c.pgid, c.dir).length).toBeGreaterThanOrEqual(3); // the parent and its two workers
      process.kill(toGroup ? -c.pgid : c.child.pid!, sig);
      const { code: status, signal } = await c.closed;
      expect({ status, signal }, c.stderr()).toEqual({ status: code, signal: null });
      await until('the campaign to leave no process', () => leftOf(c.pgid, c.dir).length === 0);

      const out = c.stdout();
      expect(c.stderr()).toContain(`bpftc: ${sig} after`);
      // the normal report: one line per property, then the summary
      expect(out).toMatch(/\n\d+ passed, [1-9]\d* failed, \d+ not applicable \(profile token-v10, seed 1\)\n$/);
      const failed = [...out.matchAll(/^FAIL {2}(\S+) {2}after \d+ runs/gm)].map((m) => m[1]!);
      expect(failed.length).toBeGreaterThan(0);
      // every finding printed is saved, as a complete scenario file
      const saved = [...out.matchAll(/^ {6}saved: (.+)$/gm)].map((m) => m[1]!);
      expect(saved).toHaveLength(failed.length);
      expect(readdirSync(c.save).sort()).toEqual(saved.map((f) => f.slice(c.save.length + 1)).sort());
      for (const [i, f] of saved.entries()) {
        const text = readFileSync(f, 'utf8');
        expect(text.endsWith('}\n')).toBe(true);
        const sc = JSON.parse(text) as { meta: { property: string; profile: string }; steps: unknown[] };
        expect(sc.meta).toMatchObject({ property: failed[i], profile: 'token-v10' });
        expect(sc.steps.length).toBeGreaterThan(0);
      }
      // the JUnit report: every property, the findings as failures, the rest of token-v10's n/a ones skipped
      const j = checkJunit(readFileSync(c.junit, 'utf8'));
      const applicable = PROPERTIES.filter((p) => appliesTo(p, findProfile('token-v10')!)).length;
      expect(j).toEqual({ tests: PROPERTIES.length, failures: failed.length });
      expect(readFileSync(c.junit, 'utf8').match(/<skipped /g)?.length).toBe(PROPERTIES.length - applicable);
    });
  }

  it('SIGKILL to the parent: the workers exit by themselves', async () => {
    const c = startCampaign('SIGKILL');
    await c.found;
    const workers = processes().filter((p) => p.ppid === c.child.pid && p.cmdline.includes('__campaign-worker'));
    expect(workers).toHaveLength(2);
    process.kill(c.child.pid!, 'SIGKILL');
    expect(await c.closed).toEqual({ code: null, signal: 'SIGKILL' });
    const alive = (pid: number): boolean => processes().some((p) => p.pid === pid && p.state !== 'Z' && p.state !== 'X');
    await until('the orphaned workers to exit', () => workers.every((w) => !alive(w.pid)));
    await until('the campaign to leave no process', () => leftOf(c.pgid, c.dir).length === 0);
    expect(existsSync(c.junit)).toBe(false); // nobody was left to write it
  });
});

const probe = probeKernelSync();
const oracleSkip = !hasProc ? 'no /proc' : 'skip' in probe ? probe.skip : null;

describe('signals to bpftc oracle', () => {
  it.skipIf(oracleSkip !== null)(`SIGTERM: the executors and their scenarios are killed, the report printed, exit 143${oracleSkip ? ` (skipped: ${oracleSkip})` : ''}`, async () => {
    const dir = mkdtempSync(join(root, 'oracle-'));
    const child = spawn(process.execPath, [CLI, 'oracle', '--runs', '3000', '--save', join(dir, 'found')], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    let exited = false;
    void closed.then(() => (exited = true));
    const sid = child.pid!;
    // a scenario running: an executor's child (the scenario leader, in a process group of its own)
    const running = (): boolean => {
      const ps = processes().filter((p) => p.sid === sid && p.state !== 'Z');
      const executors = new Set(ps.filter((p) => p.cmdline.includes('bpftc-exec') && p.ppid === sid).map((p) => p.pid));
      return ps.some((p) => executors.has(p.ppid) && p.pgid === p.pid);
    };
    await until('a scenario on the kernel', () => running() || exited);
    expect(exited, err).toBe(false);
    process.kill(child.pid!, 'SIGTERM');
    expect(await closed, err).toEqual({ code: 143, signal: null });
    await until('the oracle to leave no process', () => leftOf(sid, dir).length === 0);
    expect(err).toMatch(/^bpftc: SIGTERM: /m);
    expect(out).toMatch(/^\d+ scenarios \(\d+ from the corpus\): \d+ agree, \d+ disagree, \d+ kernel set-up errors$/m);
  });
});
