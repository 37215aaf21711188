// The BPF-LSM hook trace (vm/lsmtrace.ts): model side, kernel-event parsing and
// the comparison, without a VM; then one bounded VM boot (a cached image and
// QEMU, else skipped with the reason) whose kernel trace must agree with the
// model's on a few scenarios.

import { describe, expect, it } from 'vitest';
import type { Scenario, Step } from '../scenario/types.ts';
import type { KernelRun } from '../oracle/driver.ts';
import { adaptToMachine } from '../oracle/driver.ts';
import { compareWithKernel } from '../oracle/compare.ts';
import { findProfile } from '../model/profile.ts';
import { withBpffs } from '../model/profile-knobs.testkit.ts';
import { runScenario } from '../model/run.ts';
import { loadCorpus } from '../corpus/load.ts';
import { cachedImages } from './cache.ts';
import { bootVm, vmMissing } from './qemu.ts';
import { type HookEvent, type TraceMode, compareTrace, describe as describeEvent, dropVerifier, modelTrace, ObjIds, parseKernelEvent } from './lsmtrace.ts';

const P618 = findProfile('linux-6.18')!;
const P73 = findProfile('linux-7.3')!;

/** c1 creates a token, loads a socket filter with it and a map without, closes the map */
const tokenLoad: Scenario = withBpffs(
  [['delegate_cmds', 'any'], ['delegate_progs', 'any'], ['delegate_attachs', 'any'], ['delegate_maps', 'any']],
  [
    { actor: 'c1', op: 'token_create', bpffs: 'root', as: 'tok' },
    { actor: 'c1', op: 'prog_load', prog_type: 1, token: 'tok', as: 'p' },
    { actor: 'root', op: 'map_create', map_type: 2, as: 'm' },
    { actor: 'root', op: 'close', fd: 'm' },
  ],
);

/** the kernel events a perfect kernel would report for `s` on `profile` (kprobe mode): the model's own, encoded */
function fakeKernel(s: Scenario, mode: TraceMode, profile = P618, edit?: (steps: string[][], teardown: string[]) => void): KernelRun {
  const t = modelTrace(s, mode, profile);
  const ptr = new Map<unknown, string>();
  const hex = (o: unknown): string => {
    if (o === null || o === undefined) return '0';
    if (!ptr.has(o)) ptr.set(o, (0xffff888000000000n + BigInt(ptr.size + 1) * 0x100n).toString(16));
    return ptr.get(o)!;
  };
  const enc = (e: HookEvent): string => {
    const a0 = e.hook === 'bpf' ? e.cmd!.toString(16) : hex(e.obj);
    const a1 = e.cmd !== undefined && e.hook !== 'bpf' ? e.cmd.toString(16) : e.cap !== undefined ? e.cap.toString(16) : e.fmode !== undefined ? e.fmode.toString(16) : '0';
    const a2 = e.token ? 'ffff8880000ff000' : '0';
    return `${e.hook} 1 ${a0} ${a1} ${a2} ${e.ret ?? 0}`;
  };
  const steps = t.steps.map((evs) => evs.map(enc));
  const teardown = t.teardown.map(enc);
  edit?.(steps, teardown);
  const results = runScenario(s, { profile }).results;
  return { results, hooks: steps, lsmTeardown: { events: teardown, pending: 0, lost: 0 } };
}

/** corpus/vm/bpf-lsm-trace-7.3-prog-load-hook-gets-token.json as the 7.3.4 guest traced it (kprobe mode, 2026-12-02) */
const KERNEL_73: KernelRun = {"results": [{"ret": "ok"}, {"ret": "ok"}, {"ret": "ok"}, {"ret": "ok"}, {"ret": "ok"}, {"ret": "ok"}, {"ret": "ok"}, {"ret": "ok"}, {"ret": "ok"}, {"ret": "ok"}], "hooks": [[], [], [], [], [], [], [], [], ["bpf 2 24 ffff888000a13d40 8 0", "bpf_token_create 2 ffff88800079cd80 ffff888000a13d40 ffff888000a13c18 0"], ["bpf 2 5 ffff888000a13d40 a8 0", "bpf_token_cmd 2 ffff88800079cd80 5 0 0", "bpf_token_capable 2 ffff88800079cd80 27 0 0", "bpf_token_capable 2 ffff88800079cd80 26 0 0", "bpf_token_capable 2 ffff88800079cd80 26 0 0", "bpf_token_capable 2 ffff88800079cd80 27 0 0", "bpf_prog_load 2 ffffc900001ce000 ffff888000a13d40 ffff88800079cd80 0", "bpf_token_capable 2 ffff88800079cd80 27 0 0", "bpf_prog 2 ffffc900001ce000 0 0 0"]], "lsmTeardown": {"events": ["bpf_prog_free 0 ffffc900001ce000 0 0 0", "bpf_token_free 0 ffff88800079cd80 0 0 0"], "pending": 0, "lost": 0}};

/** corpus/vm/bpf-lsm-trace-7.3-map-refusal-frees-once.json on Debian's 7.3.4 kernel (mode lsm, 2026-12-02) */
const KERNEL_73_MAP: KernelRun = {"results": [{"ret": "EACCES"}, {"ret": "ok"}], "hooks": [["bpf 1 0 ffffd048c05e7a80 a8 0", "bpf_map_create 1 ffff8ba2c249a400 ffffd048c05e7a80 0 -13", "bpf_map_free 1 ffff8ba2c249a400 0 0 0"], ["bpf 1 5 ffffd048c05e7b40 a8 0", "bpf_prog_load 1 ffffd048c009d000 ffffd048c05e7b40 0 0", "bpf_prog 1 ffffd048c009d000 0 0 0"]], "lsmTeardown": {"events": ["bpf_prog_free 0 ffffd048c009d000 0 0 0"], "pending": 0, "lost": 0}};
/** corpus/findings/linux-6.18-prog-free-callbacks-twice.json (FINDINGS I2) on Debian's 7.3.4 kernel (mode lsm, 2026-12-02) */
const KERNEL_73_I2: KernelRun = {"results": [{"ret": "EPERM"}], "hooks": [["bpf 1 5 ffffd262405e7c30 a8 0", "bpf_prog_load 1 ffffd2624009d000 ffffd262405e7c30 0 -1", "bpf_prog_free 1 ffffd2624009d000 0 0 0", "bpf_prog_free 1 ffffd2624009d000 0 0 0"]], "lsmTeardown": {"events": [], "pending": 0, "lost": 0}};

describe('BPF-LSM hook trace: model side and comparison', () => {
  it('parses the executor\'s events (hex arguments, the return, a missing return)', () => {
    expect(parseKernelEvent('bpf 2 5 ffff8880007ffd40 a8 0')).toMatchObject({ hook: 'bpf', actor: 2, cmd: 5, ret: 0 });
    expect(parseKernelEvent('bpf_prog_load 2 ffffc900001ce000 ffff8880007ffd40 ffff8880007b15a0 -13')).toMatchObject({ hook: 'bpf_prog_load', obj: 'ffffc900001ce000', token: true, ret: -13 });
    expect(parseKernelEvent('bpf_map_create 1 ffff888000273200 ffff8880007ffd40 0 0')).toMatchObject({ token: false });
    expect(parseKernelEvent('bpf_token_capable 3 ffff8880007b1900 27 0 0')).toMatchObject({ cap: 39 });
    expect(parseKernelEvent('bpf_token_cmd 3 ffff8880007b1900 5 0 -1000000')!.ret).toBeUndefined();
    expect(parseKernelEvent('capable 1 0 0 0 0')).toBeNull();
    expect(parseKernelEvent('bpf 1 zz 0 0 0')).toBeNull();
  });

  it('describes calls with object identities by creation order', () => {
    const ids = new ObjIds();
    expect(describeEvent({ hook: 'bpf_map_create', obj: 'a', token: false, ret: 0 }, ids)).toBe('bpf_map_create map#1 token=0 = 0');
    expect(describeEvent({ hook: 'bpf_map', obj: 'a', fmode: 3, ret: -1 }, ids)).toBe('bpf_map map#1 fmode=3 = EPERM');
    expect(describeEvent({ hook: 'bpf_map_create', obj: 'a', token: false, ret: 0 }, ids)).toBe('bpf_map_create map#2 token=0 = 0');
    expect(describeEvent({ hook: 'bpf_map_free', obj: 'a' }, ids)).toBe('bpf_map_free map#2');
  });

  it('the model trace of a token-backed load: the syscall\'s checks, the hook, the fd hook; frees at close and at exit', () => {
    const t = modelTrace(tokenLoad, 'kprobe', P618);
    const ids = new ObjIds();
    const load = t.steps[tokenLoad.steps.length - 3]!.map((e) => describeEvent(e, ids));
    // 6.18: the syscall's CAP_BPF check, the hook (NULL token), then bpf_check()'s
    // CAP_PERFMON x4 and CAP_BPF and bpf_prog_kallsyms_add()'s CAP_BPF (profile verifierCaps)
    expect(load).toEqual(['bpf cmd=5 = 0', 'bpf_token_cmd token#1 cmd=5 = 0', 'bpf_token_capable token#1 cap=39 = 0', 'bpf_prog_load prog#1 token=0 = 0',
      ...Array(4).fill('bpf_token_capable token#1 cap=38 = 0'), 'bpf_token_capable token#1 cap=39 = 0', 'bpf_token_capable token#1 cap=39 = 0', 'bpf_prog prog#1 = 0']);
    expect(t.steps.at(-1)!.map((e) => e.hook)).toEqual(['bpf_map_free']); // the close of the last map fd
    expect(t.teardown.map((e) => e.hook).sort()).toEqual(['bpf_prog_free', 'bpf_token_free']);
  });

  it('linux-7.3 knob progLoadHookInVerifier: the hook gets the token on 7.3, NULL on 6.18 (results unchanged)', () => {
    const at = tokenLoad.steps.length - 3;
    const hook = (p = P618): HookEvent => modelTrace(tokenLoad, 'kprobe', p).steps[at]!.find((e) => e.hook === 'bpf_prog_load')!;
    expect(hook(P618).token).toBe(false);
    expect(hook(P73).token).toBe(true);
    expect(runScenario(tokenLoad, { profile: P73 }).results).toEqual(runScenario(tokenLoad, { profile: P618 }).results);
  });

  it('a kernel that matches the model agrees; one that passes the token, frees twice or calls the verifier is caught', () => {
    const n = tokenLoad.steps.length;
    expect(compareTrace(tokenLoad, fakeKernel(tokenLoad, 'kprobe'), n, { mode: 'kprobe', profile: P618 }).agree).toBe(true);
    // 7.3's token at the hook, judged against 6.18: one step differs, the frees agree
    const c73 = compareTrace(tokenLoad, fakeKernel(tokenLoad, 'kprobe', P73), n, { mode: 'kprobe', profile: P618 });
    expect(c73.agree).toBe(false);
    expect(c73.diffs.map((d) => d.index)).toEqual([n - 3]);
    expect(c73.diffs[0]!.kernel).toContain('bpf_prog_load prog#1 token=1 = 0');
    expect(c73.frees!.model).toEqual(c73.frees!.kernel);
    // an extra free of the map at teardown
    const twice = fakeKernel(tokenLoad, 'kprobe', P618, (_s, td) => td.push(td.find(() => true)!.replace(/^bpf_\w+_free/, 'bpf_map_free').replace(/ \S+ 0 0 0$/, ' ffff888000000900 0 0 0')));
    const c2 = compareTrace(tokenLoad, twice, n, { mode: 'kprobe', profile: P618 });
    expect(c2.agree).toBe(false);
    expect(c2.diffs).toEqual([]);
    expect(c2.frees!.kernel.filter((x) => !c2.frees!.model.includes(x))).toEqual(['bpf_map_free map#2 x1']);
    // the verifier's capability calls after the hook (6.12 order) are left out with preVerifier only
    const verifier = fakeKernel(tokenLoad, 'kprobe', P618, (st) => st[n - 3]!.splice(4, 0, st[n - 3]![2]!.replace(' 27 ', ' 26 ')));
    expect(compareTrace(tokenLoad, verifier, n, { mode: 'kprobe', profile: P618 }).agree).toBe(false);
    expect(compareTrace(tokenLoad, verifier, n, { mode: 'kprobe', profile: P618, preVerifier: true }).agree).toBe(true);
  });

  it('the recorded 7.3.4 trace of corpus/vm/bpf-lsm-trace-7.3-prog-load-hook-gets-token.json agrees with linux-7.3, not with linux-6.18', () => {
    const s = loadCorpus(new URL('../corpus/vm', import.meta.url).pathname).find((e) => e.file.endsWith('bpf-lsm-trace-7.3-prog-load-hook-gets-token.json'))!.scenario;
    const n = s.steps.length;
    const on73 = compareTrace(s, KERNEL_73, n, { mode: 'kprobe', profile: P73, preVerifier: true });
    expect(on73.agree).toBe(true);
    expect(on73.frees!.kernel).toEqual(['bpf_prog_free prog#1 x1', 'bpf_token_free token#1 x1']);
    const on618 = compareTrace(s, KERNEL_73, n, { mode: 'kprobe', profile: P618, preVerifier: true });
    expect(on618.diffs.map((d) => d.index)).toEqual([n - 1]);
    expect(on618.diffs[0]!.model).toContain('bpf_prog_load prog#1 token=0 = 0');
    expect(on618.diffs[0]!.kernel).toContain('bpf_prog_load prog#1 token=1 = 0');
    // with the verifier's calls (profile verifierCaps): 7.3.4 asks CAP_PERFMON twice and CAP_BPF
    // before the hook, CAP_BPF once after, and the model now says the same: the full trace agrees
    const full = compareTrace(s, KERNEL_73, n, { mode: 'kprobe', profile: P73 });
    expect(full.diffs).toEqual([]);
    expect(full.agree).toBe(true);
  });

  it('linux-6.12 knob lsmRefusalCallerFreesOnly: a refused load frees its program once on 6.12.117, twice on 6.18 (seen in mode lsm on the FUNCTION_TRACER image)', () => {
    const i2 = loadCorpus(new URL('../corpus/findings', import.meta.url).pathname).find((e) => e.file.endsWith('linux-6.18-prog-free-callbacks-twice.json'))!.scenario;
    const frees = (name: string): string[] => {
      const t = modelTrace(i2, 'lsm', findProfile(name)!);
      return [...t.steps.flat(), ...t.teardown].filter((e) => e.hook === 'bpf_prog_free').map((e) => e.hook);
    };
    expect(frees('linux-6.18').length).toBe(2);
    expect(frees('linux-6.12').length).toBe(1);
  });

  it('linux-7.3 knob tokenLsmRefusalNoCallerFree: a token the LSM refuses is freed once on 7.3.4, twice on 6.18 (seen in mode lsm on the FUNCTION_TRACER image)', () => {
    const i = tokenLoad.steps.findIndex((st) => st.op === 'token_create');
    const deny: Scenario = { ...tokenLoad, steps: tokenLoad.steps.slice(0, i + 1).map((st, j) => (j === i ? { ...st, lsm: [{ action: 'bpf_lsm_deny', hook: 'bpf_token_create', task: st.actor, errno: 'EPERM' }] } : st)) };
    const frees = (p: typeof P618): number => {
      const t = modelTrace(deny, 'lsm', p);
      return [...t.steps.flat(), ...t.teardown].filter((e) => e.hook === 'bpf_token_free').length;
    };
    expect(runScenario(deny, { profile: P73 }).results.at(-1)!.ret).toBe('EPERM');
    expect(frees(P618)).toBe(2);
    expect(frees(P73)).toBe(1);
  });

  it('Debian 7.3.4 (mode lsm): a refused map_create frees once (knob mapLsmRefusalFreeOnce), a refused load twice (FINDINGS I2)', () => {
    const byName = (dir: string, f: string): Scenario => loadCorpus(new URL(`../corpus/${dir}`, import.meta.url).pathname).find((e) => e.file.endsWith(f))!.scenario;
    const map = byName('vm', 'bpf-lsm-trace-7.3-map-refusal-frees-once.json');
    const c73 = compareTrace(map, KERNEL_73_MAP, map.steps.length, { mode: 'lsm', profile: P73, preVerifier: true });
    expect(c73.agree).toBe(true);
    expect(c73.frees!.kernel).toEqual(['bpf_map_free map#1 x1', 'bpf_prog_free prog#1 x1']);
    const c618 = compareTrace(map, KERNEL_73_MAP, map.steps.length, { mode: 'lsm', profile: P618, preVerifier: true });
    expect(c618.frees!.model).toContain('bpf_map_free map#1 x2');
    expect(c618.agree).toBe(false);
    const i2 = byName('findings', 'linux-6.18-prog-free-callbacks-twice.json');
    const ci2 = compareTrace(i2, KERNEL_73_I2, 1, { mode: 'lsm', profile: P73 });
    expect(ci2.agree).toBe(true);
    expect(ci2.frees!.kernel).toEqual(['bpf_prog_free prog#1 x2']);
  });

  it('dropVerifier: the extra bpf_token_capable calls right before the kernel\'s hook (7.3 order) or after it (6.12 order)', () => {
    const step: Step = { actor: 'c1', op: 'prog_load', prog_type: 1, token: 'tok' };
    const ev = (hook: string, cap?: number): HookEvent => ({ hook, obj: 't', ...(cap === undefined ? {} : { cap }), ret: 0 });
    const model = [ev('bpf'), ev('bpf_token_cmd'), ev('bpf_token_capable', 39), ev('bpf_prog_load'), ev('bpf_prog')];
    const k73 = [ev('bpf'), ev('bpf_token_cmd'), ev('bpf_token_capable', 39), ev('bpf_token_capable', 38), ev('bpf_token_capable', 38), ev('bpf_token_capable', 39), ev('bpf_prog_load'), ev('bpf_prog')];
    const k612 = [...model.slice(0, 4), ev('bpf_token_capable', 38), ev('bpf_token_capable', 39), ev('bpf_prog')];
    expect(dropVerifier(model, k73, step)[1]).toEqual(model);
    expect(dropVerifier(model, k612, step)[1]).toEqual(model);
    // not a verifier call: another hook before the kernel's hook is kept
    const other = [...model.slice(0, 3), ev('bpf_map'), ...model.slice(3)];
    expect(dropVerifier(model, other, step)[1]).toEqual(other);
  });

  it('lsm mode: a call the BPF LSM did not reach is not in the model trace; the BPF LSM\'s own result is', () => {
    const deny: Scenario = {
      ...tokenLoad,
      steps: tokenLoad.steps.map((st, i) => (i === tokenLoad.steps.length - 3 ? { ...st, lsm: [{ action: 'bpf_lsm_deny', hook: 'bpf_token_capable', task: 'c1', errno: 'EPERM' }] } : st)),
    };
    const t = modelTrace(deny, 'lsm', P618);
    const load = t.steps[tokenLoad.steps.length - 3]!;
    expect(load.filter((e) => e.hook === 'bpf_token_capable').map((e) => e.ret)).toEqual([-1]);
    // the token's capability is refused: the load goes on without it and fails before the prog hook
    expect(load.some((e) => e.hook === 'bpf_prog_load')).toBe(false);
  });
});

// ---------------------------------------------------------------- one VM boot

const image = process.env.BPFTC_VM_KERNEL ?? cachedImages()[0];
const skip = image === undefined ? 'no cached kernel image (bpftc vm build makes one)' : vmMissing(image);

describe.skipIf(skip !== null)(`BPF-LSM trace in a VM${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('the guest executor\'s hook trace agrees with the model (verifier calls left out), frees by object included', async () => {
    const vm = await bootVm({ image: image!, lsmTrace: true });
    try {
      const lt = vm.lsmTrace!;
      expect(lt.error ?? 'ok').toBe('ok');
      const mode = lt.mode!;
      const rel = vm.probe.release;
      const profile = findProfile(rel.startsWith('7.3') ? 'linux-7.3' : rel.startsWith('6.12') ? 'linux-6.12' : 'linux-6.18')!;
      const rootOnly: Scenario = {
        format: 'bpftc/1',
        actors: [{ name: 'root', userns: 'init', kuid: 0, caps: 'all', mntns: 'init' }],
        steps: [
          { actor: 'root', op: 'map_create', map_type: 2, as: 'm' },
          { actor: 'root', op: 'prog_load', prog_type: 1, as: 'p' },
          { actor: 'root', op: 'close', fd: 'm' },
          { actor: 'root', op: 'btf_load', as: 'b' },
        ],
      };
      for (const s0 of [tokenLoad, rootOnly]) {
        const s = adaptToMachine({ ...s0, profile: profile.name }, vm.probe);
        const run = await vm.executor.run(s);
        expect(compareWithKernel(s, run).kind).toBe('agree');
        const c = compareTrace(s, run, s.steps.length, { mode, profile, preVerifier: true });
        expect(c.diffs.map((d) => `${d.index}: ${d.model.join('; ')} | ${d.kernel.join('; ')}`)).toEqual([]);
        expect(c.frees).not.toBeNull();
        expect(c.frees!.kernel).toEqual(c.frees!.model);
        expect(c.pending).toBe(0);
      }
    } finally {
      await vm.close();
    }
  }, 120_000);
});
