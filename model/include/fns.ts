// The model's replaceable functions: one named kernel function (or one inline
// statement of one, named after it) per entry. The model calls them through
// `k.fn` (Kernel.fn), which model/run.ts fills with the model's own
// implementations (model/fns.ts) and then the profile's `replace` entries, so a
// mutant (mutants/) swaps exactly one function from outside and no mutant
// branch lives in model/. Real version differences are not here: they are
// profile data (model/profile.ts).

import type { Kernel, Task } from '../kernel.ts';
import type { BpfToken } from '../token.ts';
import type { DelegateEnum } from '../enums.ts';
import type { Profile } from '../profile.ts';
import type { SecurityStack, IntHook } from '../lsm.ts';
import type { DecisionPointId } from '../coverage.ts';

/** the functions with a `<fn>/token_allowed` decision point (model/coverage.ts) */
export type TokenSite = DecisionPointId extends infer D ? (D extends `${infer S}/token_allowed` ? S : never) : never;

export interface ModelFns {
  /** bpf_token_capable() (kernel/bpf/token.c) */
  bpf_token_capable(k: Kernel, t: Task, token: BpfToken | null, cap: number): boolean;
  /** bpf_token_allow_prog_type() (kernel/bpf/token.c) */
  bpf_token_allow_prog_type(k: Kernel, token: BpfToken | null, prog: number, attach: number): boolean;
  /** seq_print_delegate_opts() (kernel/bpf/inode.c): the names of the set bits */
  seq_print_delegate_opts(profile: Profile, e: DelegateEnum, msk: bigint): string;
  /** the `bpf_token_put(token); token = NULL;` of map_create(), bpf_prog_load(),
   *  bpf_btf_load() and bpf_btf_get_fd_by_id() (kernel/bpf/syscall.c) when the
   *  token does not allow the request: the token the function goes on with */
  bpf_token_drop(k: Kernel, site: TokenSite, token: BpfToken): BpfToken | null;
  /** bpf_prog_load()'s `bpf_cap ? BPF_COMPLEXITY_LIMIT_INSNS : BPF_MAXINSNS` (kernel/bpf/syscall.c) */
  bpf_prog_insn_limit(bpfCap: boolean): number;
  /** call_int_hook() (security/security.c): the LSMs in order, the first non-zero return wins */
  call_int_hook(s: SecurityStack, hook: IntHook, args: unknown[]): number;
  /** the `kfree(x->security); x->security = NULL;` of security_bpf_{map,prog,token}_free() (security/security.c) */
  security_blob_free(s: SecurityStack, o: { security: unknown }): void;
}
