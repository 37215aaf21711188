// selinux-token-merged, re-derived from Debian's 7.3.4 tree, against v7: each
// difference is shown at exactly its check (the rest of the run agrees), and
// the verifier's bpf_token_capable() calls are made in each release's order
// (model/profile.ts verifierCaps, progLoadHookInVerifier; spec/selinux-token.md §S6).

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { AvcRecord, Scenario, Step } from '../../scenario/types.ts';
import { runScenario } from '../run.ts';
import { type Profile, findProfile } from '../profile.ts';
import type { LsmHooks } from '../lsm.ts';
import type { BpfToken } from '../token.ts';
import { capName } from '../caps.ts';

const corpus = (f: string): Scenario => JSON.parse(readFileSync(new URL(`../../corpus/findings/${f}`, import.meta.url), 'utf8')) as Scenario;
const P = (n: string): Profile => findProfile(n)!;
const avcOf = (recs: AvcRecord[] | undefined, hook: string): string[] =>
  (recs ?? []).filter((a) => a.hook === hook).map((a) => `${a.granted ? 'granted' : 'denied'} ${a.scontext} -> ${a.tcontext} ${a.tclass}:${a.perm}`);
const rets = (s: Scenario, p: Profile): string[] => runScenario(s, { profile: p }).results.map((r) => r.ret);

/** the merged SELinux code on another core: isolates the SELinux knobs from the core's */
const mergedOn = (core: string): Profile => ({ ...P('selinux-token-merged'), name: `merged-on-${core}`, token: P(core).token });

describe('selinux-token-merged (7.3.4 hooks.c) against v7', () => {
  it('runs on the 7.3.4 core, v7-6.12 on the 6.12.117 core, v7 on 6.18; each cites its tree', () => {
    expect(P('selinux-token-merged').token).toBe(P('linux-7.3').token);
    expect(P('selinux-token-v7-6.12').token).toBe(P('linux-6.12').token);
    expect(P('selinux-token-v7').token).toBe(P('linux-6.18').token);
    expect(P('selinux-token-merged').provenance.join('\n')).toMatch(/hooks\.c:7431-7467.*path->dentry->d_sb/);
    expect(P('selinux-token-v7-6.12').provenance.join('\n')).toMatch(/hooks\.c:7156-7171/);
  });

  it('token_create: the grantor of the validated path (hooks.c:7439), not a re-read fd: the fd-race scenario differs only at that step', () => {
    const s = corpus('v7-token-create-fd-race.json');
    const v7 = runScenario(s, { profile: P('selinux-token-v7') }).results;
    const merged = runScenario(s, { profile: mergedOn('linux-6.18') }).results;
    expect(merged.slice(0, -1).map((r) => r.ret)).toEqual(v7.slice(0, -1).map((r) => r.ret));
    expect(v7.at(-1)!.ret).toBe('EACCES');
    expect(avcOf(v7.at(-1)!.avc, 'bpf_token_create')).toEqual(['denied U_t -> unlabeled_t bpf:map_create_as']);
    expect(merged.at(-1)!.ret).toBe('ok');
    expect(avcOf(merged.at(-1)!.avc, 'bpf_token_create')).toEqual(['granted U_t -> P_t bpf:map_create_as']);
  });

  it('map_create: the token\'s grantor_sid (hooks.c:7404), not attr->map_token_fd re-read: a close() racing the hook changes v7 only', () => {
    const s = corpus('v7-token-create-fd-race.json');
    const steps: Step[] = [
      ...s.steps.slice(0, -1),
      { actor: 'user', op: 'token_create', bpffs: 'root', as: 'tok' },
      { actor: 'user', op: 'map_create', map_type: 23, key_size: 0, value_size: 8, max_entries: 1, token: 'tok', race: { actor: 'user_thread', op: 'close', fd: 'tok' } },
    ];
    const t: Scenario = { ...s, steps, meta: undefined };
    const v7 = runScenario(t, { profile: P('selinux-token-v7') }).results;
    const merged = runScenario(t, { profile: mergedOn('linux-6.18') }).results;
    expect(merged.slice(0, -1).map((r) => r.ret)).toEqual(v7.slice(0, -1).map((r) => r.ret));
    expect(avcOf(v7.at(-1)!.avc, 'bpf_map_create')).toEqual(['denied unlabeled_t -> U_t bpf:map_create']);
    expect(v7.at(-1)!.ret).toBe('EACCES');
    expect(avcOf(merged.at(-1)!.avc, 'bpf_map_create')).toEqual(['granted P_t -> U_t bpf:map_create']);
    expect(merged.at(-1)!.ret).toBe('ok');
  });

  it('prog_load: the 7.3.4 core passes prog->aux->token to the hook (verifier.c:21268), so the creator check runs; the SELinux code alone does not change it', () => {
    const s = corpus('v7-prog-load-creator-check-dead-code.json');
    const i = 11;
    const on = (p: Profile): string[] => avcOf(runScenario(s, { profile: p }).results[i]!.avc, 'bpf_prog_load');
    expect(on(P('selinux-token-v7'))).toEqual(['granted U_t -> U_t bpf:prog_load']);
    expect(on(mergedOn('linux-6.18'))).toEqual(['granted U_t -> U_t bpf:prog_load']);
    expect(on(P('selinux-token-v7-6.12'))).toEqual(['granted U_t -> U_t bpf:prog_load']);
    // the merged hook on 7.3.4: P_t -> U_t, which this policy does not grant
    expect(on(P('selinux-token-merged'))).toEqual(['denied P_t -> U_t bpf:prog_load']);
    const a = rets(s, P('selinux-token-v7'));
    const b = rets(s, P('selinux-token-merged'));
    expect(b.slice(0, i)).toEqual(a.slice(0, i));
    expect([a[i], b[i]]).toEqual(['ok', 'EACCES']);
  });
});

// ------------------------------------------------------------ the verifier's capability calls

/** an LSM that records the bpf_token_capable() and bpf_prog_load calls of the last step */
function recorder(log: string[]): LsmHooks {
  return {
    name: 'rec',
    bpf_token_capable(_t: BpfToken, cap: number): number {
      log.push(capName(cap));
      return 0;
    },
    bpf_prog_load(_p, _a, token): number {
      log.push(token ? 'prog_load(token)' : 'prog_load(NULL)');
      return 0;
    },
  };
}

/** c1 in u1 loads a socket filter through a token of its own delegated bpffs */
function tokenLoad(extra: Partial<Step> = {}): Scenario {
  return {
    format: 'bpftc/1',
    userns: [{ name: 'u1', parent: 'init', owner: 1000, map: { base: 1000, count: 1 } }],
    actors: [
      { name: 'root', userns: 'init', kuid: 0, caps: 'all', mntns: 'init' },
      { name: 'c1', userns: 'u1', kuid: 1000, caps: 'all' },
    ],
    steps: [
      { actor: 'c1', op: 'fsopen', as: 'fs' },
      { actor: 'c1', op: 'send_fd', fd: 'fs', to: 'root', as: 'pfs' },
      { actor: 'root', op: 'fsconfig', fd: 'pfs', cmd: 'set_string', key: 'delegate_cmds', value: 'prog_load' },
      { actor: 'root', op: 'fsconfig', fd: 'pfs', cmd: 'set_string', key: 'delegate_progs', value: 'socket_filter' },
      { actor: 'root', op: 'fsconfig', fd: 'pfs', cmd: 'set_string', key: 'delegate_attachs', value: 'any' },
      { actor: 'root', op: 'fsconfig', fd: 'pfs', cmd: 'create' },
      { actor: 'c1', op: 'fsmount', fd: 'fs', as: 'mnt' },
      { actor: 'c1', op: 'open', dirfd: 'mnt', path: '.', as: 'root' },
      { actor: 'c1', op: 'token_create', bpffs: 'root', as: 'tok' },
      { actor: 'c1', op: 'prog_load', prog_type: 1, token: 'tok', ...extra } as Step,
    ],
  };
}

function callsOfLastStep(s: Scenario, p: Profile): { ret: string; calls: string[] } {
  const log: string[] = [];
  let calls: string[] = [];
  const r = runScenario(s, {
    profile: p,
    setup: (st) => st.k.security.lsms.push(recorder(log)),
    onStep: (_st, _step, i) => {
      if (i === s.steps.length - 2) log.length = 0;
      if (i === s.steps.length - 1) calls = [...log];
    },
  });
  return { ret: r.results.at(-1)!.ret, calls };
}

describe('the verifier\'s bpf_token_capable() calls (bpf_check(), bpf_prog_kallsyms_add())', () => {
  it('6.18 (host, mitigations on): seven calls, all after the prog_load hook, which gets NULL', () => {
    expect(callsOfLastStep(tokenLoad(), P('linux-6.18'))).toEqual({
      ret: 'ok',
      calls: ['BPF', 'prog_load(NULL)', 'PERFMON', 'PERFMON', 'PERFMON', 'PERFMON', 'BPF', 'BPF'],
    });
  });

  it('6.12.117 VM image (no CONFIG_CPU_MITIGATIONS): the bypass_spec calls are skipped; hook before bpf_check()', () => {
    expect(callsOfLastStep(tokenLoad(), P('linux-6.12'))).toEqual({ ret: 'ok', calls: ['BPF', 'prog_load(NULL)', 'PERFMON', 'PERFMON', 'BPF', 'BPF'] });
  });

  it('7.3.4 VM image: bpf_check() asks first and then calls the hook with the token (verifier.c:21231-21268)', () => {
    expect(callsOfLastStep(tokenLoad(), P('linux-7.3'))).toEqual({ ret: 'ok', calls: ['BPF', 'PERFMON', 'PERFMON', 'BPF', 'prog_load(token)', 'BPF'] });
  });

  it('a load the verifier refuses makes the bpf_check() calls but not the kallsyms one; a bad signature on 7.3.4 stops before the hook', () => {
    // insn_cnt 1: "R0 !read_ok" in do_check() (EACCES)
    expect(callsOfLastStep(tokenLoad({ insn_cnt: 1 }), P('linux-7.3'))).toEqual({ ret: 'EACCES', calls: ['BPF', 'PERFMON', 'PERFMON', 'BPF', 'prog_load(token)'] });
    expect(callsOfLastStep(tokenLoad({ insn_cnt: 1 }), P('linux-6.18')).calls).toEqual(['BPF', 'prog_load(NULL)', 'PERFMON', 'PERFMON', 'PERFMON', 'PERFMON', 'BPF']);
    const sig = { signature: { state: 'malformed', keyring: 'builtin' } } as Partial<Step>;
    const r73 = callsOfLastStep(tokenLoad(sig), P('linux-7.3'));
    expect(r73.calls).toEqual(['BPF', 'PERFMON', 'PERFMON', 'BPF']);
    const r618 = callsOfLastStep(tokenLoad(sig), P('linux-6.18'));
    expect(r618.calls).toEqual(['BPF']);
    expect(r73.ret).toBe(r618.ret);
  });

  it('under merged SELinux the calls reach selinux_bpf_token_capable(): current -> grantor cap2_userns perfmon/bpf, audited when denied', () => {
    const s = corpus('v7-prog-load-creator-check-dead-code.json');
    const recs = runScenario(s, { profile: P('selinux-token-merged') }).results[11]!.avc;
    const tc = avcOf(recs, 'bpf_token_capable');
    // bpf_prog_load()'s CAP_BPF gate, bpf_check()'s PERFMON, PERFMON, BPF (the rest after the refusal)
    expect(tc.map((x) => x.replace(/^(granted|denied) /, ''))).toEqual(['U_t -> P_t cap2_userns:bpf', 'U_t -> P_t cap2_userns:perfmon', 'U_t -> P_t cap2_userns:perfmon', 'U_t -> P_t cap2_userns:bpf']);
  });
});
