// The BPF LSM (kernel/bpf/bpf_lsm.c): programs attached to LSM hooks. The
// model's programs are those of the selftest token_lsm
// (tools/testing/selftests/bpf/progs/token_lsm.c): for one task, return a
// fixed error from one hook; for every other task, 0.

import type { Kernel } from '../kernel.ts';
import type { LsmHooks } from '../lsm.ts';
import { BPF_LSM_FILE_HOOKS, BPF_LSM_HOOKS, BPF_LSM_INTEGRITY_HOOKS } from '../../scenario/vocab.ts';

export { BPF_LSM_FILE_HOOKS, BPF_LSM_HOOKS, BPF_LSM_INTEGRITY_HOOKS };
export type BpfLsmHook = (typeof BPF_LSM_HOOKS)[number] | (typeof BPF_LSM_INTEGRITY_HOOKS)[number] | (typeof BPF_LSM_FILE_HOOKS)[number];

export interface BpfLsmProg {
  hook: BpfLsmHook;
  /** the task (actor name) the program refuses; my_pid in token_lsm.c */
  task: string;
  /** the return value: -errno, or any int (scenario `ret`; a positive one
   *  loads only without the verifier's range check, profile knob bpfLsmRetvalRange) */
  ret: number;
}

export class BpfLsm implements LsmHooks {
  readonly name = 'bpf';
  readonly k: Kernel;
  progs: BpfLsmProg[] = [];

  constructor(k: Kernel) {
    this.k = k;
  }

  /** the hook's programs run newest first and the first non-zero result is the hook's:
   *  the trampoline's BPF_TRAMP_MODIFY_RETURN list is built with hlist_add_head()
   *  (kernel/bpf/trampoline.c bpf_trampoline_add_prog(), 7.3.4 :925; 6.12.118
   *  __bpf_trampoline_link_prog() :595), taken in list order (bpf_trampoline_get_progs()),
   *  and invoke_bpf_mod_ret() (arch/x86/net/bpf_jit_comp.c) jumps to do_fexit after the
   *  first program that returns non-zero. Found by oracle --vm --profile selinux-token-v7
   *  --seed 89 on 6.12.118: two programs on `bpf` for one task, the later one's errno won */
  private run(hook: BpfLsmHook): number {
    const cur = this.k.current?.name;
    for (let i = this.progs.length - 1; i >= 0; i--) {
      const p = this.progs[i]!;
      if (p.hook === hook && p.task === cur && p.ret !== 0) return p.ret;
    }
    return 0;
  }

  bpf(): number {
    return this.run('bpf');
  }
  bpf_map_create(): number {
    return this.run('bpf_map_create');
  }
  bpf_prog_load(): number {
    return this.run('bpf_prog_load');
  }
  bpf_token_create(): number {
    return this.run('bpf_token_create');
  }
  bpf_token_cmd(): number {
    return this.run('bpf_token_cmd');
  }
  bpf_token_capable(): number {
    return this.run('bpf_token_capable');
  }
  // ---- seed 002 (integrity RFC): the new hooks, and bpf_prog_free (every hook is registered)
  bpf_prog_load_integrity(): number {
    return this.run('bpf_prog_load_integrity');
  }
  bpf_prog_load_post_integrity(): number {
    return this.run('bpf_prog_load_post_integrity');
  }
  bpf_prog_free(): void {}
  // ---- chmod's notify_change() (no CONFIG_SECURITY_PATH in the VM images: no path_chmod)
  inode_setattr(): number {
    return this.run('inode_setattr');
  }
  // ---- the other BPF hooks: security/bpf/hooks.c registers a bpf_lsm_<hook>
  // for every LSM_HOOK of include/linux/lsm_hook_defs.h (6.12.117 :429-442,
  // 7.3.4 :441-454), so the BPF LSM is called at these too (its empty default
  // returns 0). No scenario attaches a program to them (scenario/validate.ts
  // takes BPF_LSM_HOOKS only); they are here so that the model's hook trace
  // says which LSMs a call reached, as the VM's BPF-LSM trace sees it.
  bpf_map(): number {
    return 0;
  }
  bpf_prog(): number {
    return 0;
  }
  bpf_map_free(): void {}
  bpf_token_free(): void {}
}
