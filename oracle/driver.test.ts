// Model vs real kernel (Linux 6.18 with BPF token): the canonical corpus
// example and a batch of hand-written, labelled scenarios covering the errno
// tables of spec/token-core.md must agree step by step.
// Skipped with a one-line reason when the oracle cannot run on this machine.

import { describe, expect, it } from 'vitest';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../scenario/io.ts';
import { adaptToMachine, kernelUncheckable, pct, probeKernelSync, raceOutcomes, runOnKernel, toProtocol, KernelExecutor, type Probe } from './driver.ts';
import { addCoverage, compareWithKernel, formatCoverageTable, newCoverage } from './compare.ts';
import { formatSideBySide, shrinkDisagreement } from './shrink.ts';
import { runOracleCampaign } from './campaign.ts';
import { KERNEL_SCENARIOS } from './kernel-scenarios.ts';
import type { Scenario } from '../scenario/types.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const probed = probeKernelSync();
const skip = 'skip' in probed ? probed.skip : null;
if (skip) console.log(`oracle/driver.test.ts skipped: ${skip}`);
const probe = probed as Probe;

describe('protocol encoding (no kernel needed)', () => {
  it('a race step: the thread actor is no process, the step carries race=, the bound and the model outcome', () => {
    const s = loadScenarioFile(join(ROOT, 'corpus/kernel/092-race-token-create-while-a-thread-closes-the-bpffs-fd.json'));
    expect(kernelUncheckable(s)).toBeNull();
    const until = raceOutcomes(s);
    expect([...until]).toEqual([[7, 'ok']]);
    const lines = toProtocol(s, 1, 500, { runs: 7, until }).split('\n');
    expect(lines.filter((l) => l.startsWith('actor ')).map((l) => l.split(' ')[1])).toEqual(['name=priv', 'name=user']);
    expect(lines.find((l) => l.startsWith('step i=7 '))).toBe(
      'step i=7 actor=user op=token_create bpffs=root flags=0 size=8 tail_byte=-1 race=close race_fd=root race_to=- race_n=7 race_until=ok as=tok',
    );
    // a race by an actor that is not a thread of the acting one stays model-only
    const other = { ...s, actors: s.actors.map((a) => (a.name === 'user_thread' ? { ...a, thread_of: 'priv' } : a)) };
    expect(kernelUncheckable(other)).toMatch(/not a thread of user/);
  });

  it('pct: the plain values it leaves as they are are exactly those the byte-wise escape leaves', () => {
    // the escape of PROTOCOL.md, byte by byte (pct() takes a shortcut for plain values)
    const slow = (v: string): string =>
      v === '-' ? '%2D' : [...Buffer.from(v, 'utf8')].map((b) => (b < 0x21 || b > 0x7e || '%:,='.includes(String.fromCharCode(b)) ? `%${b.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(b))).join('');
    for (let c = 0; c < 0x180; c++) for (const v of [String.fromCharCode(c), `a${String.fromCharCode(c)}b`]) expect(pct(v), `char ${c}`).toBe(slow(v));
    for (const v of ['', '-', '--', 'map_create:prog_load', 'a=b,c', 'é', '\u{1F600}', '100%']) expect(pct(v)).toBe(slow(v));
  });

  it('encodes handles, percent-escapes and caps masks', () => {
    const s: Scenario = {
      format: 'bpftc/1',
      actors: [{ name: 'a', userns: 'init', kuid: 0, caps: ['BPF', 'SYS_ADMIN'] }],
      steps: [
        { actor: 'a', op: 'mount', data: 'delegate_cmds=map_create:prog_load,mode=0700', as: 'm' },
        { actor: 'a', op: 'fsconfig', fd: 'm', cmd: 'set_string', key: 'source', value: 'a b' },
        { actor: 'a', op: 'map_create', map_type: 2, token: 't' },
        { actor: 'a', op: 'capset', effective: ['BPF'] },
        { actor: 'a', op: 'seteuid', euid: 1000 },
      ],
    };
    const lines = toProtocol(s, 3, 500).split('\n');
    expect(lines[0]).toBe('scenario id=3 timeout_ms=500');
    expect(lines[1]).toBe('actor name=a userns=init kuid=0 caps=8000200000 mntns=own');
    expect(lines[2]).toBe('step i=0 actor=a op=mount data=delegate_cmds%3Dmap_create%3Aprog_load%2Cmode%3D0700 as=m');
    expect(lines[3]).toBe('step i=1 actor=a op=fsconfig fd=m cmd=set_string key=source value=a%20b');
    expect(lines[4]).toBe('step i=2 actor=a op=map_create map_type=2 key_size=4 value_size=4 max_entries=1 map_flags=0 map_extra=0 token=t token_flag=1');
    expect(lines[5]).toBe('step i=3 actor=a op=capset effective=8000000000');
    expect(lines[6]).toBe('step i=4 actor=a op=seteuid euid=1000');
    expect(lines[7]).toBe('run');
  });
});

describe.skipIf(skip !== null)(`model vs kernel${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('the canonical delegation example agrees', async () => {
    const s = adaptToMachine(loadScenarioFile(join(ROOT, 'corpus/examples/canonical-delegation.json')), probe);
    const [k] = await runOnKernel([s]);
    const c = compareWithKernel(s, k!);
    if (c.kind !== 'agree') console.log(formatSideBySide(s, c.model, k!));
    expect(c.kind).toBe('agree');
    // and the kernel met every expectation written in the file
    s.steps.forEach((st, i) => {
      if (st.expect !== undefined) expect(k!.results[i]?.ret, `step ${i}`).toBe(st.expect);
      if (st.expect_text !== undefined) expect(k!.results[i]?.text, `step ${i}`).toBe(st.expect_text);
    });
  });

  it('every hand-written kernel scenario agrees (and meets its expectations)', async () => {
    const scen = KERNEL_SCENARIOS.map((s) => adaptToMachine(s, probe));
    const runs = await runOnKernel(scen);
    const cov = newCoverage();
    const bad: string[] = [];
    scen.forEach((s, n) => {
      const c = compareWithKernel(s, runs[n]!);
      addCoverage(cov, s, c);
      const unmet = s.steps.flatMap((st, i) =>
        st.expect !== undefined && runs[n]!.results[i]?.ret !== st.expect ? [`step ${i}: expected ${st.expect}, kernel ${runs[n]!.results[i]?.ret ?? '-'}`] : [],
      );
      if (c.kind !== 'agree' || unmet.length) bad.push(`${s.name}\n${unmet.join('\n')}\n${formatSideBySide(s, c.model, runs[n]!)}`);
    });
    console.log(`${scen.length} kernel scenarios\n${formatCoverageTable(cov)}`);
    if (bad.length) console.log(bad.join('\n\n'));
    expect(bad).toEqual([]);
  });

  it('shrinks a disagreement to a minimal trace (model forced wrong via a mutant profile)', async () => {
    // The mutant profile keeps a token whose map type is not delegated: hash map_create succeeds in the model only.
    const s = adaptToMachine(
      { ...loadScenarioFile(join(ROOT, 'corpus/examples/canonical-delegation.json')), profile: 'mutant-keep-dropped-token' },
      probe,
    );
    const ex = new KernelExecutor();
    try {
      const c = compareWithKernel(s, await ex.run(s));
      expect(c.kind).toBe('disagree');
      const r = await shrinkDisagreement(s, ex, { start: c });
      expect(r).not.toBeNull();
      const text = formatSideBySide(r!.scenario, r!.comparison.model, r!.comparison.kernel);
      console.log(text);
      expect(r!.scenario.steps.length).toBeLessThan(s.steps.length);
      expect(r!.comparison.first.step.op).toBe('map_create');
      expect(text).toMatch(/<>/);
    } finally {
      await ex.close();
    }
  });

  it('a race step runs as a second thread until the model outcome is seen, and reports the counts', async () => {
    const s = adaptToMachine(loadScenarioFile(join(ROOT, 'corpus/kernel/092-race-token-create-while-a-thread-closes-the-bpffs-fd.json')), probe);
    const [r] = await runOnKernel([s], { raceRuns: 1000 });
    expect(compareWithKernel(s, r!).kind).toBe('agree');
    const race = r!.races?.[0];
    expect(race?.step).toBe(7);
    expect(race?.confirmed).toBe(true);
    expect(race?.counts.ok).toBe(1); // it stops at the first ok
    expect(Object.values(race?.counts ?? {}).reduce((a, b) => a + b, 0)).toBe(race?.iterations);
  });

  it('runs a campaign: counts, coverage, shrunk disagreements', async () => {
    const base = loadScenarioFile(join(ROOT, 'corpus/examples/canonical-delegation.json'));
    async function* gen(): AsyncIterable<Scenario> {
      yield base;
      yield { ...base, profile: 'mutant-keep-dropped-token' };
      yield { ...base, actors: [base.actors[0]!, { ...base.actors[1]!, thread_of: 'parent' }] };
      yield { ...base, actors: [base.actors[0]!, { ...base.actors[1]!, kuid: 5 }] }; // kuid not mapped: set-up error
    }
    const seen: string[] = [];
    const r = await runOracleCampaign({ scenarios: gen(), probe, onDisagreement: (d) => void seen.push(d.report) });
    expect(r.scenarios).toBe(3);
    expect(r.agreements).toBe(1);
    expect(r.disagreements).toBe(1);
    expect(r.setupErrors).toBe(1);
    expect(r.unsupported).toBe(1);
    expect(seen).toHaveLength(1);
    expect(r.shrunk[0]!.shrunk!.scenario.steps.length).toBeLessThan(base.steps.length);
    expect(formatCoverageTable(r.coverage)).toMatch(/token_create\s+ok \d+\/\d+, EBADF/);
  });

  it('--workers: several executors give the result of one, counted in scenario order', async () => {
    const base = loadScenarioFile(join(ROOT, 'corpus/examples/canonical-delegation.json'));
    // a mix where results finish out of order: the slow scenarios (disagreement,
    // set-up error, unsupported) among quick ones, twice over
    const mix: Scenario[] = [];
    for (let i = 0; i < 2; i++)
      mix.push(
        { ...base, profile: 'mutant-keep-dropped-token' },
        ...KERNEL_SCENARIOS.slice(0, 6),
        { ...base, actors: [base.actors[0]!, { ...base.actors[1]!, kuid: 5 }] },
        { ...base, actors: [base.actors[0]!, { ...base.actors[1]!, thread_of: 'parent' }] },
        base,
      );
    const order: number[][] = [];
    const runWith = async (workers: number) => {
      const seen: number[] = [];
      order.push(seen);
      const r = await runOracleCampaign({ scenarios: mix, probe, workers, concurrency: 4, onResult: (s) => void seen.push(mix.findIndex((m) => m.steps === s.steps && m.actors.length === s.actors.length && m.profile === s.profile)) });
      return { ...r, coverage: [...r.coverage].map(([op, c]) => [op, [...c.kernel], [...c.model]]), shrunk: r.shrunk.map((d) => [d.index, d.report]) };
    };
    const one = await runWith(1);
    const three = await runWith(3);
    expect(one.disagreements).toBe(2);
    expect(one.unsupported).toBe(2);
    expect(three).toEqual(one);
    expect(order[1]).toEqual(order[0]);
  });
});
