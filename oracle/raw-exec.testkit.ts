// A raw client of oracle/bin/bpftc-exec for the executor's own tests
// (executor.test.ts, sandbox.test.ts): protocol text in, JSON lines out, as
// PROTOCOL.md says, independent of the driver (oracle/driver.ts) on purpose.
// Test-only (not built).

import { spawn } from 'node:child_process';
import { type Dirent, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = join(dirname(fileURLToPath(import.meta.url)), 'bin', 'bpftc-exec');

export interface ProbeInfo {
  root: boolean;
  userns: boolean;
  bpf_token: boolean;
  unprivileged_bpf_disabled: number | null;
  release: string;
  memcg?: boolean;
  pidscg?: boolean;
}

/** one line of the executor's output */
export interface OutLine {
  probe?: ProbeInfo;
  scenario?: number;
  step?: number;
  ret?: string;
  text?: string;
  done?: boolean;
  error?: string;
}

/** every output line is one JSON object (a line that is not fails the test) */
export function parseLines(stdout: string): OutLine[] {
  return stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as OutLine);
}

export interface RunResult {
  lines: OutLine[];
  pid: number;
  code: number | null;
}

/** feed `input` to a fresh executor and collect what it prints */
export function runExec(input: string, opts: { detached?: boolean; env?: Record<string, string> } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, [], {
      stdio: ['pipe', 'pipe', 'inherit'],
      detached: opts.detached ?? false,
      ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ lines: parseLines(out), pid: child.pid ?? -1, code }));
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

/** A scenario in protocol form; steps are numbered in order. */
export function scenario(id: number, decls: string[], steps: string[], timeoutMs?: number): string {
  const head = timeoutMs === undefined ? `scenario id=${id}` : `scenario id=${id} timeout_ms=${timeoutMs}`;
  return [head, ...decls, ...steps.map((s, i) => `step i=${i} ${s}`), 'run', ''].join('\n');
}

export interface StepOut {
  ret: string;
  text?: string;
}

/** step results of scenario `id`, indexed by step number; plus the terminating line */
export function results(lines: OutLine[], id: number): { steps: Array<StepOut | undefined>; done: boolean; error?: string } {
  const steps: Array<StepOut | undefined> = [];
  let done = false;
  let error: string | undefined;
  for (const l of lines) {
    if (l.scenario !== id) continue;
    if (l.step !== undefined && l.ret !== undefined) steps[l.step] = l.text === undefined ? { ret: l.ret } : { ret: l.ret, text: l.text };
    if (l.done) done = true;
    if (l.error !== undefined) error = l.error;
  }
  return error === undefined ? { steps, done } : { steps, done, error };
}

/** the cgroup directories (4 levels under /sys/fs/cgroup) whose name starts with `prefix` */
export function cgroupDirs(prefix: string, dir = '/sys/fs/cgroup', depth = 4): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    if (e.name.startsWith(prefix)) out.push(`${dir}/${e.name}`);
    else if (depth > 1) out.push(...cgroupDirs(prefix, `${dir}/${e.name}`, depth - 1));
  }
  return out;
}
