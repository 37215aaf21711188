// The hostile-scenario suite (oracle/SANDBOX.md): scenarios written to escape
// are refused, with their reason, by the model, the validator, `bpftc run
// --kernel` and a compiled reproducer, and the host is left byte for byte as it
// was. "The host" is a stand-in: a scratch tmpfs (files, a FIFO, device nodes,
// symlinks, a tree, a bpffs mounted beforehand) that oracle/hostile-host.sh
// mounts in a private mount namespace (unshare -m), so that a sandbox failure
// would show there and stay there. The hostile cases: oracle/hostile-scenarios.ts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostileCases, type HostileCase } from './hostile-scenarios.ts';
import { EXECUTOR_BIN, adaptToMachine, probeKernelSync, toProtocol } from './driver.ts';
import { runScenario } from '../model/run.ts';
import { parseScenario } from '../scenario/validate.ts';
import { REASON, REFUSED } from '../scenario/sandbox.ts';
import { reproC } from '../repro/repro.ts';
import { main } from '../cli/main.ts';
import type { StepResult } from '../scenario/types.ts';

// The table checks run on the cases for a stand-in host path that does not exist; the
// kernel part makes the real mount point (outside /tmp, which each scenario's executor
// covers with its own tmpfs) and builds the same cases for it.
const cases = hostileCases('/nonexistent/bpftc-standin-host');
const scratch = mkdtempSync(join(tmpdir(), 'bpftc-hostile-'));
let HOST: string | undefined;
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  if (HOST !== undefined)
    try {
      rmdirSync(HOST); // an empty directory on the real host (the tmpfs lived in the private namespace only)
    } catch {
      /* already gone */
    }
});
const probe = probeKernelSync();

const write = (c: HostileCase): string => {
  const f = join(scratch, `${c.id}.json`);
  writeFileSync(f, JSON.stringify(c.scenario, null, 1));
  return f;
};

describe('hostile scenarios: the table', () => {
  it('has at least 30 cases with distinct ids, each with its refusal', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    for (const c of cases) expect(c.refusal.length).toBeGreaterThan(0);
  });

  it('the validator refuses exactly the limit cases, with the limit named', () => {
    for (const c of cases) {
      const text = JSON.stringify(c.scenario);
      if (c.limit) expect(() => parseScenario(text), c.id).toThrow(c.limit);
      else expect(() => parseScenario(text), c.id).not.toThrow();
    }
  });

  it('the model refuses each hostile step with its reason, and binds nothing', () => {
    for (const c of cases) {
      if (c.limit && c.parserLimit) continue;
      const r = runScenario(c.scenario).results;
      c.scenario.steps.forEach((st, i) => {
        if (st.expect !== undefined) expect({ case: c.id, step: i, ...r[i] }).toEqual({ case: c.id, step: i, ...expected(st.expect as string, st.expect_text as string | undefined, r[i]!) });
      });
      if (c.runsNormally) expect(r.filter((x) => x.ret === REFUSED), c.id).toEqual([]);
    }
  });

  it('the wire protocol percent-encodes every name and value: one token per key=value, one line per declaration', () => {
    for (const c of cases) {
      const s = c.scenario;
      const lines = toProtocol(s, 1).trimEnd().split('\n');
      expect(lines.length, c.id).toBe(2 + (s.userns?.length ?? 0) + s.actors.length + s.steps.length);
      for (const l of lines.slice(1, -1)) expect(l, c.id).toMatch(/^(userns|actor|step)( [a-z_]+=[\x21-\x3c\x3e-\x7e]*)+$/);
    }
  });
});

/** the expectation as a result: REFUSED carries its text; other texts are not predicted */
function expected(ret: string, text: string | undefined, got: StepResult): StepResult {
  return text !== undefined ? { ret, text } : got.text !== undefined ? { ret, text: got.text } : { ret };
}

describe('hostile scenarios: the command line refuses the limit cases as a whole', () => {
  const limits = cases.filter((c) => c.limit);
  it.each(limits.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const f = write(c);
    // (`run --kernel` answers "skipped" before reading its files where the oracle cannot run)
    const kernel = 'skip' in probe ? [] : [['run', f, '--kernel']];
    for (const argv of [['run', f], ...kernel, ['repro', f, '--c']]) {
      const out: string[] = [];
      const err: string[] = [];
      const rc = await main(argv, (l) => out.push(l), (l) => err.push(l));
      expect({ argv: argv[0], rc }).toEqual({ argv: argv[0], rc: 2 });
      expect(out).toEqual([]);
      expect(err.length).toBe(1);
      expect(err[0]).toContain(c.limit);
    }
  });
});

// ---------------------------------------------------------------- on the kernel, against the stand-in host

const has = (cmd: string, args: string[]): boolean => spawnSync(cmd, args).status === 0;
/** the built executor has the sandbox: its probe says so, or it carries the refusal texts only the sandbox prints */
function sandboxInExecutor(): boolean {
  if (!existsSync(EXECUTOR_BIN)) return false;
  const p = spawnSync(EXECUTOR_BIN, [], { input: 'probe\nquit\n', encoding: 'utf8', timeout: 10_000 });
  if (/"sandbox":\s*true/.test(p.stdout ?? '')) return true;
  const bin = readFileSync(EXECUTOR_BIN);
  return [REASON.pathEscapes, REASON.fdNotOwned, REASON.fsType].every((t) => bin.includes(t));
}
/** why the kernel part cannot run here (one line), or null */
function whySkip(): string | null {
  if (process.getuid?.() !== 0) return 'not root';
  if (!has('unshare', ['--version'])) return 'no unshare';
  if (!has('find', ['--version']) || !has('sha256sum', ['--version'])) return 'no GNU find/sha256sum (the stand-in snapshot needs them)';
  if (!has('cc', ['--version'])) return 'no C compiler';
  if ('skip' in probe) return probe.skip;
  // BPFTC_HOSTILE_FORCE=1 runs it anyway, to watch an unsandboxed executor fail (the damage stays in the stand-in)
  if (!sandboxInExecutor() && process.env.BPFTC_HOSTILE_FORCE !== '1') return 'the executor has no sandbox yet (oracle/SANDBOX.md)';
  return null;
}
const skip = whySkip();

interface ReproLine {
  ok: boolean;
  step: number;
  got: string;
}
interface Outcome {
  before: string;
  after: string;
  cliRc: number;
  cli: { results: Array<{ file: string; verdict: string; model: StepResult[]; kernel: StepResult[]; error?: string; unmet_expectations: unknown[] }> };
  cliErr: string;
  repro: Map<string, { rc: number; out: string; lines: ReproLine[] }>;
}

/** what a case's part of a reproducer needs from the executor part it is linked to */
const CASE_PART_HEADER = '#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <unistd.h>\n#include <sys/wait.h>\nint bpftc_executor_main(void);\n';
/** compiled as the whole generated file too (their output must be the same) */
const WHOLE = ['injected-names', 'host-bpffs-fspick-ro'];

/** runs `n` jobs at a time */
async function pool<T>(items: readonly T[], n: number, job: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await job(items[next++]!);
  }));
}

/** the cases `bpftc run --kernel` runs: all but the limit ones */
const isKernelCase = (c: HostileCase): boolean => !c.limit;
/** reproducers: every kernel case, plus the limit cases the executor's parser must refuse */
const isReproCase = (c: HostileCase): boolean => !c.limit || c.parserLimit !== undefined;

describe.skipIf(skip !== null)(`hostile scenarios on the kernel${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let o: Outcome;
  let kernelCases: HostileCase[] = [];
  let reproCases: HostileCase[] = [];
  beforeAll(async () => {
    if ('skip' in probe) return;
    const machine = probe;
    const base = ['/var/tmp', '/run', '/mnt'].find((d) => existsSync(d)) ?? process.cwd();
    HOST = mkdtempSync(join(base, 'bpftc-hostile-host-'));
    const hc = hostileCases(HOST);
    kernelCases = hc.filter(isKernelCase);
    reproCases = hc.filter(isReproCase);
    const out = join(scratch, 'out');
    mkdirSync(out);
    const files = kernelCases.map(write);
    writeFileSync(join(out, 'files'), files.join('\n') + '\n');
    // Each reproducer is the same embedded executor followed by its own data and main
    // (repro/repro.ts): the executor part is compiled once and linked to each case's
    // part; two whole files are also compiled as they are, and must behave the same.
    const cc = (args: string[]): Promise<void> =>
      new Promise((resolve, reject) => {
        const p = spawn('cc', ['-O0', '-w', ...args], { stdio: 'ignore' });
        p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`cc ${args.join(' ')} failed`))));
      });
    const SPLIT = '\n#undef main\n';
    // as the scenario runs on this machine (caps "all" spelled out, its sysctl), like bpftc run --kernel
    const srcs = new Map(reproCases.map((c) => [c.id, reproC(adaptToMachine(c.scenario, machine))] as const));
    const prefix = srcs.get(reproCases[0]!.id)!.split(SPLIT)[0]!;
    for (const [id, src] of srcs) if (src.indexOf(SPLIT) !== prefix.length) throw new Error(`${id}: reproducer does not start with the common executor part`);
    writeFileSync(join(scratch, 'executor-part.c'), prefix + '\n');
    await cc(['-c', '-o', join(scratch, 'executor-part.o'), join(scratch, 'executor-part.c')]);
    const bins: string[] = [];
    const jobs = [...srcs].map(([id, src]) => ({ id, src }));
    for (const id of WHOLE) jobs.push({ id: `${id}.whole`, src: srcs.get(id)! });
    await pool(jobs, 2, async (j) => {
      const bin = join(scratch, `${j.id}.bin`);
      if (j.id.endsWith('.whole')) {
        writeFileSync(join(scratch, `${j.id}.c`), j.src);
        await cc(['-o', bin, join(scratch, `${j.id}.c`)]);
      } else {
        writeFileSync(join(scratch, `${j.id}.c`), CASE_PART_HEADER + j.src.slice(prefix.length + SPLIT.length));
        await cc(['-o', bin, join(scratch, `${j.id}.c`), join(scratch, 'executor-part.o')]);
      }
      bins.push(`${j.id} ${bin}`);
    });
    writeFileSync(join(out, 'repros'), bins.sort().join('\n') + '\n');
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', new URL('./hostile-host.sh', import.meta.url).pathname, HOST, out, process.execPath], {
      encoding: 'utf8',
      timeout: 150_000,
    });
    if (r.status !== 0) throw new Error(`stand-in host: ${r.stderr || r.error?.message || `status ${String(r.status)}`}`);
    const read = (f: string): string => readFileSync(join(out, f), 'utf8');
    const repro = new Map<string, { rc: number; out: string; lines: ReproLine[] }>();
    for (const id of [...reproCases.map((c) => c.id), ...WHOLE.map((w) => `${w}.whole`)]) {
      const text = read(`${id}.out`);
      const lines = [...text.matchAll(/^(  |<>) (\d+)\. .* got (\S+) +expected \S+$/gm)].map((m) => ({ ok: m[1] === '  ', step: Number(m[2]) - 1, got: m[3]! }));
      repro.set(id, { rc: Number(read(`${id}.rc`)), out: text, lines });
    }
    let cli: Outcome['cli'] = { results: [] };
    try {
      cli = JSON.parse(read('cli.json')) as Outcome['cli'];
    } catch {
      /* reported below */
    }
    o = { before: read('before'), after: read('after'), cliRc: Number(read('cli.rc')), cli, cliErr: read('cli.err'), repro };
  }, 180_000);

  it('the stand-in host is byte for byte unchanged (tree, modes, times, contents, mount options, modules)', () => {
    expect(o.before).toContain('./fifo p ');
    expect(o.before).toMatch(/bpftc-standin-bpffs rw,.*delegate_cmds=any/);
    expect(o.after).toBe(o.before);
  });

  it('bpftc run --kernel refuses every hostile step with its reason, model and kernel agreeing', () => {
    expect(o.cliErr).toBe('');
    expect(o.cli.results.length).toBe(kernelCases.length);
    kernelCases.forEach((c, i) => {
      const r = o.cli.results[i]!;
      expect({ id: c.id, error: r.error, unmet: r.unmet_expectations }).toEqual({ id: c.id, error: undefined, unmet: [] });
      expect({ id: c.id, n: r.kernel.length }).toEqual({ id: c.id, n: c.scenario.steps.length });
      c.scenario.steps.forEach((st, j) => {
        const k = r.kernel[j]!;
        if (st.expect === REFUSED) expect({ id: c.id, j, ...k }).toEqual({ id: c.id, j, ret: REFUSED, text: st.expect_text });
        else expect({ id: c.id, j, ret: k.ret }).not.toEqual({ id: c.id, j, ret: REFUSED });
        const loose = c.loose?.[j];
        if (loose) expect(loose, `${c.id} step ${j}`).toContain(k.ret);
      });
      if (!c.loose) expect({ id: c.id, verdict: r.verdict }).toEqual({ id: c.id, verdict: 'agree' });
    });
    expect(o.cliRc).toBe(kernelCases.some((c) => c.loose) ? 1 : 0); // the loose cases: the model does not predict memory
  });

  it('compiled reproducers refuse the same steps with the same reasons', () => {
    for (const c of reproCases.filter((x) => !x.parserLimit)) {
      const r = o.repro.get(c.id)!;
      expect({ id: c.id, steps: r.lines.length }).toEqual({ id: c.id, steps: c.scenario.steps.length });
      for (const l of r.lines) {
        const st = c.scenario.steps[l.step]!;
        const loose = c.loose?.[l.step];
        if (loose) expect(loose, `${c.id} step ${l.step}`).toContain(l.got);
        else expect({ id: c.id, step: l.step, ok: l.ok, got: l.got }).toEqual({ id: c.id, step: l.step, ok: true, got: st.expect ?? l.got });
      }
      expect({ id: c.id, rc: r.rc }).toEqual({ id: c.id, rc: c.loose ? r.rc : 0 });
    }
  });

  it('the executor inside a reproducer refuses the over-limit scenarios the validator never let through', () => {
    for (const c of reproCases.filter((x) => x.parserLimit)) {
      const r = o.repro.get(c.id)!;
      expect({ id: c.id, rc: r.rc }).toEqual({ id: c.id, rc: 2 });
      expect(r.lines).toEqual([]);
      expect(r.out, c.id).toMatch(new RegExp(`^set-up failed: line \\d+: ${c.limit!.replace(/[()]/g, '\\$&')}$`, 'm'));
    }
  });

  it('a whole generated file behaves as its executor part linked to its case part', () => {
    for (const id of WHOLE) expect(o.repro.get(`${id}.whole`)).toEqual(o.repro.get(id));
  });
});
