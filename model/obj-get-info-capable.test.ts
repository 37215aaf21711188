import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../scenario/io.ts';
import type { Scenario } from '../scenario/types.ts';
import { runModel } from '../oracle/compare.ts';
import { printAvc } from '../vm/selinux/audit.ts';

// 6.12+v7 and 7.3.4 in the VM showed a kernel-only `P_t P_t:capability2 bpf` record at
// obj_get_info on a program fd: bpf_prog_get_info_by_fd() asks bpf_capable()
// (kernel/bpf/syscall.c, 6.12.118 :4643, 7.3.4 :5180), capable(CAP_BPF) first
const base = loadScenarioFile(new URL('../corpus/findings/v7-passed-token-skips-as-check.json', import.meta.url).pathname);
const s: Scenario = {
  ...base,
  selinux: { ...base.selinux!, allow: [...(base.selinux!.allow ?? []), 'P_t P_t:bpf *'] },
  steps: [
    { actor: 'priv', op: 'prog_load', prog_type: 1, as: 'p', expect: 'ok' },
    { actor: 'priv', op: 'obj_get_info', fd: 'p', expect: 'ok' },
  ],
} as Scenario;

describe('bpf_prog_get_info_by_fd(): bpf_capable() of the caller (model/syscall.ts)', () => {
  it('an init-namespace caller with CAP_BPF is asked capability2 bpf, granted, and not sys_admin after it', () => {
    const r = runModel(s).results;
    expect(r.map((x) => x.ret)).toEqual(['ok', 'ok']);
    const avc = (r[1]!.avc ?? []).map((a) => printAvc(a, { style: 'kernel' })).join('\n');
    expect(avc).toMatch(/capability2/);
    expect(avc).toMatch(/\bbpf\b/);
    expect(avc).not.toMatch(/sys_admin/);
  });
});
