// The scenario sandbox on the real kernel (oracle/SANDBOX.md): refusals before
// any syscall with the exact reasons, a host-style bpffs (mounted by this test
// in a private mount namespace of its own, never on the host) that stays out of
// reach even when an fd of it or a path to it is planted in an actor, the
// executor parser's limits, and the resource limits. Skipped (with the reason)
// without the executor, root, user namespaces or BPF tokens.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type OutLine, cgroupDirs, parseLines, results, runExec, scenario } from './raw-exec.testkit.ts';
import { EXECUTOR_BIN, probeKernelSync, runOnKernel, adaptToMachine, type Probe } from './driver.ts';
import { compareRuns, compareWithKernel, runModel } from './compare.ts';
import { REASON } from '../scenario/sandbox.ts';
import { loadCorpus } from '../corpus/load.ts';
import type { Scenario } from '../scenario/types.ts';

const probed = probeKernelSync();
const reason = 'skip' in probed ? probed.skip : null;
const probe = 'skip' in probed ? null : (probed as Probe);
if (reason) console.log(`oracle/sandbox.test.ts skipped: ${reason}`);
const unshare = spawnSync('unshare', ['--help'], { encoding: 'utf8' });
const noUnshare = unshare.error || unshare.status !== 0 ? 'no unshare(1)' : null;

/** the executor's output lines of `input` (env: extra environment) */
const exec = async (input: string, env?: Record<string, string>): Promise<OutLine[]> => (await runExec(input, env ? { env } : {})).lines;
/** protocol text of a scenario, with its timeout spelled out */
const scen = (id: number, decls: string[], steps: string[], timeoutMs = 2000): string => scenario(id, decls, steps, timeoutMs);
const ROOT = ['actor name=r userns=init kuid=0 caps=all mntns=own'];


const R = (text: string) => ({ ret: 'REFUSED', text });


describe.skipIf(reason !== null)(`the sandbox on the real kernel${reason ? ` (skipped: ${reason})` : ''}`, () => {
  it('refuses absolute and ".." paths, other fs types and rlimit > 4096 before any syscall, with the exact reasons', async () => {
    const marker = `bpftc-sandbox-${process.pid}`;
    const lines = await exec(
      scen(1, ROOT, [
        'actor=r op=rlimit_nofile limit=4',
        'actor=r op=fsopen as=f1',
        'actor=r op=open dirfd=f1 path=/ as=host', // the kernel would say EMFILE first: no syscall was made
        `actor=r op=mkdir dirfd=f1 path=../${marker}`,
        `actor=r op=mkdir dirfd=x path=/${marker}`,
        'actor=r op=fspick dirfd=x path=/sys/fs/bpf',
        'actor=r op=open_tree dirfd=x path=/',
        'actor=r op=fsopen fs=ext4',
        'actor=r op=rlimit_nofile limit=5000',
        'actor=r op=open dirfd=f1 path=a%00b',
        `actor=r op=open dirfd=f1 path=${'y'.repeat(1025)}`,
        'actor=r op=close fd=host',
        'actor=r op=fsopen',
      ]) + 'quit\n',
    );
    const r = results(lines, 1);
    expect(r.done).toBe(true);
    expect(r.steps).toEqual([
      { ret: 'ok' },
      { ret: 'ok' },
      R(REASON.pathEscapes),
      R(REASON.pathEscapes),
      R(REASON.pathEscapes),
      R(REASON.pathEscapes),
      R(REASON.pathEscapes),
      R(REASON.fsType),
      R(REASON.fds),
      R(REASON.pathEscapes),
      R(REASON.pathTooLong),
      { ret: 'EBADF' }, // a refused step binds no handle
      { ret: 'EMFILE' }, // and allocated no fd
    ]);
    expect(existsSync(`/${marker}`)).toBe(false);
  });

  it.skipIf(noUnshare !== null)(`keeps a host-style bpffs out of reach even when an fd or a path reaches an actor${noUnshare ? ` (skipped: ${noUnshare})` : ''}`, async () => {
    // the "host" bpffs: mounted by this test inside a private mount namespace (unshare -m), never on the host
    const dir = mkdtempSync('/var/tmp/bpftc-hostbpf-');
    try {
      const input =
        scen(1, ROOT, [
          `actor=r op=test_open_host path=${dir} as=h`, // test-only: a host bpffs fd planted in the actor
          'actor=r op=mkdir dirfd=h path=evil',
          'actor=r op=mkdir dirfd=h path=a/b',
          'actor=r op=fspick dirfd=h path=',
          'actor=r op=open dirfd=h path=. as=h2',
          'actor=r op=open_tree dirfd=h path=',
          'actor=r op=move_mount fd=h',
          'actor=r op=mount data=- as=b',
          'actor=r op=mkdir dirfd=b path=sub',
          `actor=r op=test_bind_host dirfd=b path=sub src=${dir}`, // test-only: the host bpffs mounted inside ours
          'actor=r op=mkdir dirfd=b path=sub/evil',
          'actor=r op=open dirfd=b path=sub',
          'actor=r op=fspick dirfd=b path=sub',
          'actor=r op=open_tree dirfd=b path=sub',
          `actor=r op=test_symlink dirfd=b path=l target=${dir}`, // test-only: a symlink to it inside ours
          'actor=r op=open dirfd=b path=l',
          'actor=r op=mkdir dirfd=b path=l/evil',
          'actor=r op=fspick dirfd=b path=l',
          'actor=r op=open_tree dirfd=b path=l',
          `actor=r op=open dirfd=b path=${dir}`,
          'actor=r op=mkdir dirfd=b path=sub2',
          'actor=r op=mkdir dirfd=b path=sub2/ok',
          'actor=r op=open dirfd=b path=sub2/ok',
        ]) + 'quit\n';
      const script = `mount -t bpf -o mode=0755 hostbpf ${dir} || exit 3; "$0"; echo; echo "--- $(ls -A ${dir} | tr '\\n' ' ')"; grep " ${dir} " /proc/self/mountinfo`;
      const res = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, EXECUTOR_BIN], {
        input,
        encoding: 'utf8',
        env: { ...process.env, BPFTC_EXEC_TEST_OPS: '1' },
        timeout: 20_000,
      });
      expect(res.status, res.stderr).toBe(0);
      const r = results(parseLines(res.stdout.split('\n').filter((l) => l.startsWith('{')).join('\n')), 1);
      expect(r.done).toBe(true);
      const fd = R(REASON.fdNotOwned);
      const esc = R(REASON.pathEscapes);
      const ok = { ret: 'ok' };
      expect(r.steps).toEqual([ok, fd, fd, fd, fd, fd, fd, ok, ok, ok, esc, esc, esc, esc, ok, esc, esc, esc, esc, esc, ok, ok, ok]);
      // the host-style bpffs is unchanged: no entry made, options as mounted
      expect(res.stdout).toContain('--- maps.debug progs.debug \n');
      expect(res.stdout).toMatch(new RegExp(` ${dir} rw,relatime( \\S+)* - bpf hostbpf rw,mode=755\\n`));
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(dir);
    } finally {
      rmdirSync(dir);
    }
  }, 30_000);

  it('the parser enforces the scenario limits with one line naming the limit, and never splits a long line', async () => {
    const step = 'actor=r op=close fd=x';
    const chain = Array.from({ length: 9 }, (_, i) => `userns name=u${i} parent=${i ? `u${i - 1}` : 'init'} owner=0 base=0 count=1`);
    const input =
      scen(1, ROOT, Array.from({ length: 4097 }, () => step)) +
      scen(2, Array.from({ length: 33 }, (_, i) => `actor name=a${i} userns=init kuid=0 caps=all`), []) +
      scen(3, [...chain, ...ROOT], []) +
      scen(4, ROOT, [`actor=r op=fsconfig fd=x cmd=set_string key=a value=${'v'.repeat(4097)}`]) +
      scen(5, ROOT, [`actor=r op=close fd=${'z'.repeat(1 << 20)} op=fsopen`]) +
      scen(6, Array.from({ length: 32 }, (_, i) => `actor name=a${i} userns=init kuid=0 caps=all`), Array.from({ length: 4096 }, () => 'actor=a0 op=close fd=x'), 20_000) +
      'quit\n';
    const lines = await exec(input);
    expect(results(lines, 1).error).toMatch(/^line 4099: limit: steps \(at most 4096\)$/);
    expect(results(lines, 2).error).toMatch(/: limit: actors \(at most 32\)$/);
    expect(results(lines, 3).error).toMatch(/: limit: userns depth \(at most 8\)$/);
    expect(results(lines, 4).error).toMatch(/: limit: string length \(at most 4096 bytes\)$/);
    expect(results(lines, 5).error).toMatch(/: limit: line length \(at most \d+ bytes\)$/);
    for (const id of [1, 2, 3, 4, 5]) {
      expect(results(lines, id).done, `scenario ${id}`).toBe(false);
      expect(results(lines, id).steps, `scenario ${id}`).toEqual([]);
      expect(lines.filter((l) => l.scenario === id && l.error !== undefined), `scenario ${id}`).toHaveLength(1);
    }
    const six = results(lines, 6);
    expect(six.done).toBe(true);
    expect(six.steps.length).toBe(4096);
    // a NUL byte (%00) would cut a C string: refused in a path or fs name, an error anywhere else
    const nul = await exec(
      scen(1, ROOT, ['actor=r op=fsopen fs=bpf%00x', 'actor=r op=open dirfd=x path=d%00/../../x']) +
        scen(2, ROOT, ['actor=r op=fsconfig fd=x cmd=set_string key=source value=a%00b']) +
        scen(3, ['actor name=r%00x userns=init kuid=0 caps=all'], []) +
        'quit\n',
    );
    expect(results(nul, 1).steps).toEqual([R(REASON.fsType), R(REASON.pathEscapes)]);
    expect(results(nul, 2).error).toMatch(/NUL byte in 'value'$/);
    expect(results(nul, 3).error).toMatch(/NUL byte in 'name'$/);
  }, 30_000);

  it('stops a scenario that allocates huge memory or many processes at a limit, naming it', async () => {
    const env = { BPFTC_EXEC_TEST_OPS: '1' };
    const input =
      scen(1, ROOT, ['actor=r op=test_alloc mb=1500', 'actor=r op=test_alloc mb=64'], 10_000) +
      (probe!.memcg ? scen(2, ROOT, ['actor=r op=test_alloc mb=800', 'actor=r op=fsopen'], 10_000) : '') +
      (probe!.pidscg ? scen(3, ROOT, ['actor=r op=test_forks n=300', 'actor=r op=fsopen'], 10_000) : '') +
      'quit\n';
    const run = await runExec(input, { env });
    const lines = run.lines;
    // RLIMIT_AS 1 GiB per actor
    expect(results(lines, 1).steps).toEqual([{ ret: 'ENOMEM' }, { ret: 'ok' }]);
    if (probe!.memcg) {
      // 800 MiB fits under RLIMIT_AS; the memory cgroup (512 MiB) kills the actor
      const r = results(lines, 2);
      expect(r.error).toBe('actor r died (limit: memory, 512 MiB)');
    } else console.log('no memory cgroup here: the memory-cgroup part is skipped');
    if (probe!.pidscg) expect(results(lines, 3).steps).toEqual([{ ret: 'EAGAIN' }, { ret: 'ok' }]);
    else console.log('no pids cgroup here: the pids-cgroup part is skipped');
    // the scenario cgroups are gone afterwards: none of this executor's (bpftc-<pid>-<n>, removed
    // once their processes left, the last ones before it exits) is left in any hierarchy
    const cg = readFileSync('/proc/self/cgroup', 'utf8');
    expect(cg).not.toMatch(/bpftc-/);
    expect(cgroupDirs(`bpftc-${run.pid}-`)).toEqual([]);
  }, 30_000);

  it('refuses test-only ops unless the executor was started with BPFTC_EXEC_TEST_OPS=1', async () => {
    const lines = await exec(scen(1, ROOT, ['actor=r op=test_open_host path=/']) + 'quit\n', { BPFTC_EXEC_TEST_OPS: '' });
    expect(results(lines, 1).error).toMatch(/unknown op 'test_open_host'/);
  });

  it('model and kernel agree on the REFUSED steps of the corpus, reasons included', async () => {
    const corpus = loadCorpus(new URL('../corpus/kernel/', import.meta.url).pathname)
      .map((e) => e.scenario)
      .filter((s) => /^sandbox:/.test(s.name ?? ''));
    expect(corpus.length).toBeGreaterThanOrEqual(4);
    const scen = corpus.map((s) => adaptToMachine(s, probe!));
    const runs = await runOnKernel(scen);
    let refused = 0;
    scen.forEach((s, i) => {
      const c = compareWithKernel(s, runs[i]!);
      expect(c.kind, s.name).toBe('agree');
      refused += runs[i]!.results.filter((x) => x.ret === 'REFUSED').length;
      s.steps.forEach((st, j) => {
        if (st.expect !== undefined) expect(runs[i]!.results[j]?.ret, `${s.name} step ${j + 1}`).toBe(st.expect);
        if (st.expect_text !== undefined) expect(runs[i]!.results[j]?.text, `${s.name} step ${j + 1}`).toBe(st.expect_text);
      });
    });
    expect(refused).toBeGreaterThanOrEqual(15);
  });
});

describe('compare: a REFUSED step agrees only with the same reason', () => {
  const s: Scenario = {
    format: 'bpftc/1',
    actors: [{ name: 'r', userns: 'init', kuid: 0, caps: 'all' }],
    steps: [{ actor: 'r', op: 'fsopen', fs: 'ext4' }],
  };
  it('compares the reason', () => {
    const m = runModel(s);
    expect(compareRuns(s, m, { results: [{ ret: 'REFUSED', text: REASON.fsType }] }).kind).toBe('agree');
    const d = compareRuns(s, m, { results: [{ ret: 'REFUSED', text: REASON.checkFailed }] });
    expect(d.kind === 'disagree' && d.first.what).toBe('text');
    const n = compareRuns(s, m, { results: [{ ret: 'REFUSED' }] });
    expect(n.kind === 'disagree' && n.first.what).toBe('text');
  });
});
