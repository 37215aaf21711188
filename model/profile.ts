// Spec versions are data: a profile names the variant of each layer. The model
// reads these knobs at the exact places where the versions differ; historical
// bugs and mutants are profiles, never copies of the model. The single-point
// mutants are not knobs: mutants/index.ts registers them here, each with one
// replaced model function (model/kernel.ts ModelFns, model/fns.ts).

import { setProfileNames } from '../scenario/vocab.ts';
import { CAP_BPF, CAP_PERFMON } from './caps.ts';
import { type KernelConfigFacts, formatKconfig, parseKconfig } from './kconfig.ts';

export interface TokenCoreVariant {
  /** bpf_token_create() root test. 6.18: path.dentry == mnt_sb->s_root;
   *  v10: path.mnt->mnt_root == path.dentry (accepts a bind-mounted subdirectory) */
  rootCheck: 'sb_root' | 'mnt_root';
  /** 6.18: current_user_ns() != sb->s_user_ns -> EPERM (added in v11/v12) */
  sameUsernsRule: boolean;
  /** 6.18: token creation in init_user_ns -> EOPNOTSUPP */
  initUsernsEopnotsupp: boolean;
  /** 6.18: all four delegate masks zero -> ENOENT */
  enoentWithoutDelegation: boolean;
  /** bpffs symbolic delegate names and colon lists (6c1752e0b6ca, Jan 2024); v10: "any" and numbers only */
  symbolicDelegateNames: boolean;
  /** bpf_parse_param(): non-zero delegate mask needs capable(CAP_SYS_ADMIN) (v12, Christian) */
  delegateNeedsSysAdmin: boolean;
  /** bpf_show_options(): 6.18 masks unknown bits and prints names; v10 prints "any" or raw 0x%llx */
  showOptions: 'symbolic' | 'hex';
  /** the oracle machine's kernel build refuses trampoline program loads
   *  (fentry/fexit/fmod_ret, LSM, EXT) with EPERM before any other check but
   *  the prog_flags one (observed, not upstream; spec/token-core.md §T7.1) */
  denyTrampolineProgs?: boolean;
  /** the oracle machine's kernel build refuses a cgroup BPF_PROG_DETACH that does not
   *  name the attached program (no attach_bpf_fd, one of another type, or another
   *  program of the type: the legacy list detaches its first entry) with EPERM
   *  unless the caller is bpf_net_capable() (CAP_NET_ADMIN or CAP_SYS_ADMIN in the
   *  initial namespace), in __cgroup_bpf_detach()'s non-multi case after its ENOENT
   *  for an empty list (observed on 6.18.44-fc-v1252, 2026-12-04; the same 6.18.44 as
   *  fc-v669, which detached: a vendor change; upstream has no such check, 7.3.4
   *  kernel/bpf/cgroup.c:1118-1144 find_detach_entry(), syscall.c:4665-4690
   *  bpf_prog_detach() asks bpf_mprog_detach_empty() for mprog types only; spec/token-core.md §T7.3) */
  legacyDetachNeedsNetCapable?: boolean;
  /** map_create(): where bpf_get_file_flag() (RDONLY|WRONLY -> EINVAL) runs.
   *  6.18: first, before the map type and the token; 7.3: in map_create()
   *  after map_create_alloc() (token, capability checks, allocation) and
   *  before security_bpf_map_create() (7.3.4 kernel/bpf/syscall.c:1656) */
  mapFileFlagAfterAlloc?: boolean;
  /** open_tree(): FD_ADD() reserves the fd before vfs_open_tree() does any
   *  check (EMFILE first; 7.3.4 fs/namespace.c:3366, include/linux/file.h:196).
   *  6.18: the fd is taken after the copy (get_unused_fd_flags() last) */
  openTreeFdFirst?: boolean;
  /** bpf_token_create(): FD_PREPARE() reserves the fd after bpf_get_inode()
   *  and before kzalloc()/security_bpf_token_create() (7.3.4
   *  kernel/bpf/token.c:169): EMFILE before an LSM refusal, and no
   *  token_create/token_free hook call then. 6.18: the hook runs first and
   *  get_unused_fd_flags() after it */
  tokenFdBeforeHook?: boolean;
  /** 7.3.4: map_create() goes to free_map, not free_map_sec, when
   *  security_bpf_map_create() refuses (kernel/bpf/syscall.c:1662-1664): the
   *  free hooks run once, inside the hook (security/security.c:5356-5357).
   *  6.18: free_map_sec calls security_bpf_map_free() a second time */
  mapLsmRefusalFreeOnce?: boolean;
  /** 6.12.117: the map/prog/token create hooks are a bare call_int_hook()
   *  (security/security.c:5757, :5775, :5792) that frees nothing on a refusal;
   *  the caller frees once (kernel/bpf/syscall.c:1403-1405 free_map_sec,
   *  :2893-2894 free_prog_sec, kernel/bpf/token.c:191-193, :206-207 out_token). 6.18 and
   *  7.3.4 free inside the hook and the caller again */
  lsmRefusalCallerFreesOnly?: boolean;
  /** 7.3.4: bpf_token_create() returns at once when security_bpf_token_create()
   *  refuses (kernel/bpf/token.c:188-190; the token is `__free(kfree)`, :114), so
   *  only the hook's own security_bpf_token_free() runs (security/security.c:5400-5412).
   *  6.18: out_token calls bpf_token_free() again */
  tokenLsmRefusalNoCallerFree?: boolean;
  /** enumerators the kernel's vmlinux BTF has after the 6.18 ones (names
   *  without the prefix, in enum order): bpf_parse_param() accepts them and
   *  bpf_show_options() needs them set for "any" (7.3.4 include/uapi/linux/bpf.h) */
  enumTails?: Partial<Record<'delegate_cmds' | 'delegate_maps' | 'delegate_progs' | 'delegate_attachs', readonly string[]>>;
  /** map types after 6.18's __MAX_BPF_MAP_TYPE (34) that this kernel has ops
   *  for, by name in enum order from 34 (7.3.4: INSN_ARRAY 34, RHASH 35,
   *  include/uapi/linux/bpf.h:1049-1050, include/linux/bpf_types.h:136-137);
   *  map_create() runs their alloc checks (model/syscall.ts TAIL_MAP_TYPES) */
  tailMapTypes?: readonly string[];
  /** bpf_prog_load(): the attach types of is_tracing_multi() (7.3.4
   *  include/linux/bpf.h:2231-2235: TRACE_FENTRY_MULTI 59, TRACE_FEXIT_MULTI 60,
   *  TRACE_FSESSION_MULTI 61). bpf_prog_load_check_attach() refuses them for
   *  every type but TRACING (EINVAL, kernel/bpf/syscall.c:2769-2775, before the
   *  per-type attach lists), and a TRACING program with one needs no
   *  attach_btf_id (bpf_multi_func's, :3072) */
  tracingMultiAttach?: readonly number[];
  /** check_attach_btf_id(): can_be_sleepable() also takes RAW_TRACEPOINT and
   *  TRACEPOINT programs (7.3.4 kernel/bpf/verifier.c:20530-20531, checked at
   *  :20552-20554); 6.18 refuses BPF_F_SLEEPABLE for them (EINVAL, seen on
   *  the 6.18.44 host) */
  sleepableTracepoints?: boolean;
  /** how many of the 6.18 enumerators (at the end of each enum) the kernel
   *  does not have: bpf_parse_param() rejects their names, "any" needs one bit
   *  less (6.12.117 include/uapi/linux/bpf.h:960 BPF_TOKEN_CREATE, :1118
   *  BPF_TRACE_KPROBE_SESSION are the last ones) */
  enumDrop?: Partial<Record<'delegate_cmds' | 'delegate_maps' | 'delegate_progs' | 'delegate_attachs', number>>;
  /** process_fd_array() of 7.3.4 (kernel/bpf/verifier.c:20758-20808): a count
   *  without an array is EINVAL, a count over MAX_FD_ARRAY_CNT (4096) E2BIG;
   *  absent = 6.18 (a count >= U32_MAX / 4 is EINVAL, a NULL array faults: EFAULT) */
  fdArrayContinuous?: boolean;
  /** check_map_prog_compatibility(): map types a sleepable program may use besides
   *  6.18's (model/verifier.ts SLEEPABLE_MAPS); 7.3.4 verifier.c:18874-18896 adds
   *  RHASH, LPM_TRIE, INSN_ARRAY */
  sleepableMapsExtra?: readonly string[];
  /** union bpf_attr as the kernel has it: sizeof (bpf_check_uarg_tail_zero(),
   *  the copy) and the BPF_*_LAST_FIELD ends CHECK_ATTR() uses, by command
   *  number; absent = 6.18 (168 bytes) */
  bpfAttr?: { size: number; lastFieldEnd: Partial<Record<number, number>> };
  /** bpf_btf_get_fd_by_id(): no token (6.12.117 kernel/bpf/syscall.c:5033
   *  LAST_FIELD btf_id: open_flags / fd_by_id_token_fd -> EINVAL, then
   *  capable(CAP_SYS_ADMIN) in init_user_ns, :5037-5041) */
  btfGetFdByIdNoToken?: boolean;
  /** bpf_obj_get_info_by_fd(): no token branch, a token fd is EINVAL
   *  (6.12.117 kernel/bpf/syscall.c:4977-4998) */
  noTokenInfo?: boolean;
  /** open_tree(): get_unused_fd_flags() after the flag and may_mount()
   *  checks and before user_path_at() (6.12.117 fs/namespace.c:2958, :2961,
   *  :2965): EPERM before EMFILE before the lookup's errors */
  openTreeFdBeforeLookup?: boolean;
  /** __do_loopback(): only a mount of the caller's namespace can be copied
   *  (6.12.117 fs/namespace.c:2817 `!check_mnt(old)` -> EINVAL): no detached
   *  (anonymous-namespace) source */
  loopbackOwnNsOnly?: boolean;
  /** __do_loopback(): a dentry with DCACHE_NORCU (d_alloc_pseudo(): the token
   *  file) cannot be copied, -EINVAL after the copy check (6.12.118
   *  fs/namespace.c:2820-2822, 7.3.4 :3087-3089). The 6.18.44 host build fc-v669
   *  accepted it; its successor fc-v1252 (2026-12-04) refuses it, as those do
   *  (oracle --runs 10000 --seed 60: 13 disagreements, all this open_tree; spec/token-core.md §T7.4) */
  loopbackRefusesPseudoDentry?: boolean;
  /** security_bpf_prog_load() is called from bpf_check() with
   *  env->prog->aux->token (7.3.4 kernel/bpf/verifier.c:21268), after the
   *  verifier's capability calls (:21231-21235) and the signature check
   *  (:21263, bpf_prog_verify_signature() moved into the verifier, :21089); a
   *  refusal or a bad signature goes to bpf_prog_load()'s free_used_maps
   *  (kernel/bpf/syscall.c:3150, :3185), i.e. __bpf_prog_put_noref() ->
   *  security_bpf_prog_free(). 6.18 and 6.12: bpf_prog_load() calls the hook
   *  before bpf_check() with its local token, NULL by then (6.12.117
   *  kernel/bpf/syscall.c:2779-2780, :2845) */
  progLoadHookInVerifier?: boolean;
  /** the verifier's bpf_token_capable() calls of a BPF_PROG_LOAD beyond
   *  bpf_prog_load()'s own; absent = VERIFIER_CAPS_6_18 */
  verifierCaps?: VerifierCaps;
  /** the kernel's config facts (model/kconfig.ts: types without ops,
   *  BPF_PRELOAD, NR_CPUS); absent = the 6.18 oracle host's config. Set by a
   *  `<profile>+kconfig:<facts>` name (findProfile()) */
  kconfig?: KernelConfigFacts;
  /** the verifier's return-range check of BPF_LSM_MAC programs: check_return_code()
   *  takes the range from bpf_lsm_get_retval_range() (6.12.118
   *  kernel/bpf/bpf_lsm.c:426-446: [0, 1] for the bool hooks of bool_lsm_hooks
   *  :416-424, else [-MAX_ERRNO, 0] :442-443; verifier.c get_func_retval_range()
   *  :7212-7220, the LSM case of check_return_code() :16481-16488, refusal -EINVAL
   *  :16520-16527; 7.3.4 bpf_lsm.c:452-472, :468-469, verifier.c
   *  return_retval_range() :17519-17529, check_return_code() :17657-17663): a
   *  program returning outside the range is refused at load (-EINVAL); every hook
   *  of the model is an int hook outside bool_lsm_hooks. Absent or false: any
   *  return value loads, and a positive one reaches the hook's call site
   *  (call_int_hook() stops at any non-zero result) */
  bpfLsmRetvalRange?: boolean;
}

/** One bpf_token_capable(env->prog->aux->token, cap) call of bpf_check()'s env setup */
export interface VerifierCapCall {
  /** the env field it sets (bpf_check()) */
  field: string;
  /** the capability number (model/caps.ts) */
  cap: number;
  /** bpf_bypass_spec_v1/v4(): `bpf_jit_bypass_spec_v*() || cpu_mitigations_off() ||
   *  bpf_token_capable(token, CAP_PERFMON)` - not called when mitigations are off
   *  (x86 has only the __weak bpf_jit_bypass_spec_v*() returning false,
   *  7.3.4 kernel/bpf/core.c:3267-3275) */
  spec?: boolean;
}

/** The capability calls a BPF_PROG_LOAD makes after bpf_prog_load()'s own
 *  gates, in kernel order. Each reaches security_bpf_token_capable() when the
 *  load uses a token (kernel/bpf/token.c bpf_token_capable()), and the
 *  capable hook through bpf_ns_capable() in any case. */
export interface VerifierCaps {
  /** bpf_check(): allow_ptr_leaks, allow_uninit_stack, bypass_spec_v1,
   *  bypass_spec_v4, bpf_capable */
  bpfCheck: readonly VerifierCapCall[];
  /** bpf_prog_kallsyms_add() after bpf_prog_alloc_id(): `fp->jited &&
   *  !bpf_prog_was_classic(fp)` then bpf_token_capable(fp->aux->token,
   *  CAP_BPF) - a JITed program (bpf_jit_enable=1: the host, and
   *  CONFIG_BPF_JIT_DEFAULT_ON in vm/config/base.config) */
  kallsyms: boolean;
  /** cpu_mitigations_off() is true: the kernel was built without
   *  CONFIG_CPU_MITIGATIONS (include/linux/cpu.h:217 in 7.3.4, :200 in 6.12.117:
   *  the static inline returns true) or booted with mitigations=off */
  mitigationsOff: boolean;
}

const BPF_CHECK_CAPS: readonly VerifierCapCall[] = [
  { field: 'allow_ptr_leaks', cap: CAP_PERFMON },
  { field: 'allow_uninit_stack', cap: CAP_PERFMON },
  { field: 'bypass_spec_v1', cap: CAP_PERFMON, spec: true },
  { field: 'bypass_spec_v4', cap: CAP_PERFMON, spec: true },
  { field: 'bpf_capable', cap: CAP_BPF },
];

/** 6.18 (the host): bpf_check() sets the five env fields from
 *  env->prog->aux->token in this order; the lines are identical in the two
 *  Debian trees that bracket 6.18 (6.12.117 kernel/bpf/verifier.c:23072-23076,
 *  7.3.4 :21231-21235) and in the token series' commit that introduced them
 *  (stored patch mail "bpf: consistently use BPF token throughout BPF verifier
 *  logic"); bpf_prog_kallsyms_add() (6.12.117 kernel/bpf/core.c:697, 7.3.4
 *  :674). The host boots with mitigations=auto (/proc/cmdline), so all five
 *  run: with bpf_prog_load()'s CAP_BPF gate, seven calls for a socket filter */
export const VERIFIER_CAPS_6_18: VerifierCaps = { bpfCheck: BPF_CHECK_CAPS, kallsyms: true, mitigationsOff: false };

/** the SELinux code of a profile (model/lsm/selinux.ts SELINUX_VARIANTS):
 *  'none' = upstream before the token patch */
export type SelinuxVersion = 'none' | 'v1' | 'v2' | 'v3' | 'v4' | 'v5' | 'v6' | 'v7' | 'merged' | 'fixed';

/** The fixes of the SELinux token code, each one knob of model/lsm/selinux.ts
 *  SelinuxVariant (documented there): what the project's corrected variant
 *  'fixed' turns on, one finding each */
export interface SelinuxFixKnobs {
  capability2Fix?: boolean;
  progLoadAuxToken?: boolean;
  validatedObjects?: boolean;
  polcapGatesAll?: boolean;
  asAtUse?: boolean;
}

/** The LSM layer: the order of the stack (lsm=) and the SELinux version. */
export interface LsmVariant {
  /** "capability" (commoncap, always first), "selinux", "bpf" */
  order: string[];
  /** the SELinux code: 'none' = upstream before the token patch; absent = no SELinux */
  selinux?: SelinuxVersion;
  /** fixes applied over that version's code (campaign/known.ts: is a failure
   *  one finding's, i.e. does it go away with that finding's fix alone?) */
  selinuxFix?: SelinuxFixKnobs;
}

/** The integrity-verification RFC (seed 002; spec/integrity-rfc.md):
 *  the framework in security_bpf_prog_load(), the Hornet provider (RFC 08/11)
 *  and where bpf_prog_load() calls it. Each knob is one place in the code. */
export interface IntegrityVariant {
  /** security_bpf_prog_load(): 'split' = RFC 01/11 (call_int_hook over
   *  bpf_prog_load_integrity, then over bpf_prog_load); 'single' = the design
   *  the RFC commit message rejects: providers verify inside their
   *  bpf_prog_load callback, in LSM order with the authorizers */
  phases: 'split' | 'single';
  /** RFC: `if (unlikely(rc)) goto err;` after the integrity phase. false
   *  (mutant): the authorization phase's rc overwrites it */
  checkIntegrityRc: boolean;
  /** RFC `err:` label: security_bpf_prog_free() inside the hook, and
   *  bpf_prog_load()'s free_prog_sec calls it again (callbacks twice, the
   *  second with a NULL blob, spec/integrity-rfc.md §I2.3). false: only the
   *  caller frees (the 6.9 design of 1b67772e, "bpf,lsm: Refactor
   *  bpf_prog_alloc/bpf_prog_free LSM hooks") */
  freeInHook: boolean;
  /** the token bpf_prog_load() passes to security_bpf_prog_load(): 'local' =
   *  its local `token`, NULL after `prog->aux->token = token; token = NULL;`
   *  (6.18, spec/integrity-rfc.md §I2.2); 'aux' = prog->aux->token (the fix) */
  hookToken: 'local' | 'aux';
  /** RFC 08/11 hornet_next_map() / hornet_map_index() / hornet_map_hash():
   *  the parse context is taken from the decoder's `value`, not `context`, so
   *  the real context keeps hash_count == 0 and no map is ever compared: every
   *  trusted signature with the Hornet authattr is OK (spec/integrity-rfc.md §I3.3) */
  hornetCtxFromValue: boolean;
  /** RFC 08/11 hornet_verify_hashes(): `if (!memcmp(...)) return BADSIG`, so
   *  a matching map hash gives BADSIG and a mismatching one passes; latent:
   *  reached only with hornetCtxFromValue false (spec/integrity-rfc.md §I3.4) */
  hornetInvertedMemcmp: boolean;
  /** RFC 08/11 hornet_verify_hashes(): `if (!map->frozen) return
   *  LSM_INT_VERDICT_BADSIG;` comes before `map = fd_file(f)->private_data;`, so it
   *  tests the map of the previous entry (for the first entry an uninitialised
   *  pointer: the model tests nothing, ours) and the last entry's map is never
   *  tested; false: the check after the assignment (later Hornet). Latent like
   *  hornetInvertedMemcmp (spec/integrity-rfc.md §I3.4). Absent: false */
  hornetFrozenBeforeAssign?: boolean;
  /** mutant: Hornet delivers its verdict but returns 0 instead of
   *  post_integrity's result (the kernel-doc's "should return the same error
   *  code back to its caller" is a convention, not enforced) */
  hornetIgnoresPostIntegrity: boolean;
  /** RFC 08/11 hornet_check_program() returns copy_from_bpfptr()'s count of bytes
   *  NOT copied as the verdict (true, as posted); false: -EFAULT (the fix)
   *  (spec/integrity-rfc.md §I3.2) */
  hornetCopyCountAsVerdict?: boolean;
  /** Hornet records the maps its hash loop read from the user's fd_array (in its slice of
   *  the prog blob) and its bpf_prog callback (security_bpf_prog(), when an fd of the prog
   *  is handed out) refuses with EPERM a prog whose used_maps holds a map it did not hash:
   *  the verifier's second read of fd_array may find other maps (the TOCTOU of the RFC
   *  08/11 review, spec/integrity-rfc.md §I3.7). Ours, after later Hornet's re-check of
   *  recorded maps at run time (§I3.7); absent/false: as posted */
  hornetRecheckMaps?: boolean;
}

export const DEFAULT_LSM: LsmVariant = { order: ['capability', 'bpf'] };

export interface Profile {
  name: string;
  summary: string;
  /** documents and kernel functions that establish each difference */
  provenance: string[];
  token: TokenCoreVariant;
  /** the LSM layer; default DEFAULT_LSM (commoncap and the BPF LSM, no SELinux) */
  lsm?: LsmVariant;
  /** the BPF integrity-verification framework of seed 002 (RFC 01/11) in
   *  security_bpf_prog_load(); absent = 6.18 (one bpf_prog_load call_int_hook) */
  integrity?: IntegrityVariant;
  /** expected to violate properties: used by the test suite, not by users */
  knownBad: boolean;
}

const LINUX_6_18_TOKEN: TokenCoreVariant = {
  bpfLsmRetvalRange: true,
  rootCheck: 'sb_root',
  sameUsernsRule: true,
  initUsernsEopnotsupp: true,
  enoentWithoutDelegation: true,
  symbolicDelegateNames: true,
  delegateNeedsSysAdmin: true,
  showOptions: 'symbolic',
  denyTrampolineProgs: true,
  legacyDetachNeedsNetCapable: true,
  loopbackRefusesPseudoDentry: true,
  verifierCaps: VERIFIER_CAPS_6_18,
};

/** the 7.3.4 core (profile linux-7.3; provenance there) */
const LINUX_7_3_TOKEN: TokenCoreVariant = {
  // BPF_LINK_CREATE_LAST_FIELD link_create.uprobe_multi.path_fd (7.3.4 kernel/bpf/syscall.c:5809; offsetofend 64, gcc on the 7.3.4 uapi header); the rest as 6.18
  bpfAttr: { size: 168, lastFieldEnd: { 28: 64 } },
  ...LINUX_6_18_TOKEN,
  denyTrampolineProgs: false,
  legacyDetachNeedsNetCapable: false,
  mapFileFlagAfterAlloc: true,
  openTreeFdFirst: true,
  tokenFdBeforeHook: true,
  tailMapTypes: ['INSN_ARRAY', 'RHASH'],
  tracingMultiAttach: [59, 60, 61],
  sleepableTracepoints: true,
  fdArrayContinuous: true,
  sleepableMapsExtra: ['RHASH', 'LPM_TRIE', 'INSN_ARRAY'],
  enumTails: {
    delegate_cmds: ['PROG_ASSOC_STRUCT_OPS'],
    delegate_maps: ['INSN_ARRAY', 'RHASH'],
    delegate_attachs: ['TRACE_FSESSION', 'TRACE_FENTRY_MULTI', 'TRACE_FEXIT_MULTI', 'TRACE_FSESSION_MULTI'],
  },
  progLoadHookInVerifier: true,
  loopbackRefusesPseudoDentry: true,
  mapLsmRefusalFreeOnce: true,
  tokenLsmRefusalNoCallerFree: true,
  // the VM image: vm/config/base.config leaves CONFIG_CPU_MITIGATIONS unset
  // (config of ~/.cache/bpftc/kernels/linux-7.3-*), so bypass_spec_v1/v4 do not
  // call bpf_token_capable() (7.3.4 include/linux/bpf.h:2911-2923); bpf_check()
  // :21231-21235, bpf_prog_kallsyms_add() kernel/bpf/core.c:674
  verifierCaps: { bpfCheck: BPF_CHECK_CAPS, kallsyms: true, mitigationsOff: true },
};

/** the 6.12.117 core (profile linux-6.12; provenance there) */
const LINUX_6_12_TOKEN: TokenCoreVariant = {
  ...LINUX_6_18_TOKEN,
  denyTrampolineProgs: false,
  legacyDetachNeedsNetCapable: false,
  loopbackOwnNsOnly: true,
  loopbackRefusesPseudoDentry: true,
  openTreeFdBeforeLookup: true,
  btfGetFdByIdNoToken: true,
  noTokenInfo: true,
  bpfAttr: { size: 152, lastFieldEnd: { 0: 80, 5: 148, 19: 4 } },
  enumDrop: { delegate_cmds: 1, delegate_attachs: 1 },
  lsmRefusalCallerFreesOnly: true,
  // the VM image: CONFIG_CPU_MITIGATIONS unset as for 7.3 (6.12.117
  // include/linux/bpf.h:2397-2409); bpf_check() kernel/bpf/verifier.c:23072-23076
  // after security_bpf_prog_load() (syscall.c:2845, :2850), bpf_prog_kallsyms_add()
  // kernel/bpf/core.c:697 (syscall.c:2876)
  verifierCaps: { bpfCheck: BPF_CHECK_CAPS, kallsyms: true, mitigationsOff: true },
};

export const SELINUX_ORDER = ['capability', 'selinux', 'bpf'];

/** an SELinux version on a core: 6.18 (the host) unless the kernel that
 *  carries the code says otherwise (merged: 7.3.4; v7 in the VM: 6.12.117) */
function selinuxProfile(version: SelinuxVersion, name: string, summary: string, provenance: string[], knownBad: boolean, token: TokenCoreVariant = LINUX_6_18_TOKEN): Profile {
  return { name, summary, provenance, token, lsm: { order: SELINUX_ORDER, selinux: version }, knownBad };
}


/** the RFC as posted: the framework of RFC 01/11, Hornet of RFC 08/11, the
 *  6.18 call site (NULL token, caller frees again) */
const RFC_INTEGRITY: IntegrityVariant = {
  phases: 'split',
  checkIntegrityRc: true,
  freeInHook: true,
  hookToken: 'local',
  hornetCtxFromValue: true,
  hornetInvertedMemcmp: true,
  hornetFrozenBeforeAssign: true,
  hornetIgnoresPostIntegrity: false,
};

/** integrity-fixed: each gap of RFC_INTEGRITY fixed (provenance at the profile) */
const INTEGRITY_FIXED: IntegrityVariant = {
  ...RFC_INTEGRITY,
  freeInHook: false,
  hookToken: 'aux',
  hornetCtxFromValue: false,
  hornetInvertedMemcmp: false,
  hornetFrozenBeforeAssign: false,
  hornetCopyCountAsVerdict: false,
  hornetRecheckMaps: true,
};

/** the RFC's default order: capability, ..., ipe, hornet, bpf */
const INTEGRITY_ORDER = ['capability', 'ipe', 'hornet', 'bpf'];

function integrityProfile(name: string, summary: string, integrity: IntegrityVariant, provenance: string[], knownBad: boolean): Profile {
  return { name, summary, provenance, token: LINUX_6_18_TOKEN, lsm: { order: INTEGRITY_ORDER }, integrity, knownBad };
}

export const PROFILES: readonly Profile[] = [
  {
    name: 'linux-6.18',
    summary: 'Linux 6.18 as verified on a real kernel (default)',
    provenance: [
      'kernel/bpf/token.c bpf_token_create(), bpf_token_capable() (torvalds/linux 1da91ea8)',
      'kernel/bpf/inode.c bpf_parse_param(), bpf_fill_super(), bpf_show_options()',
      'kernel/bpf/syscall.c map_create(), bpf_prog_load(), bpf_btf_load()',
      'spec/token-core.md §T1-§T4 (each rule checked on the running 6.18.44 by the oracle)',
      'the oracle host build 6.18.44-fc-v1252 (2026-12-04): loopbackRefusesPseudoDentry (the DCACHE_NORCU check of 6.12.118 and 7.3.4), and the host-only knobs denyTrampolineProgs, legacyDetachNeedsNetCapable (model/profile.ts TokenCoreVariant)',
    ],
    token: LINUX_6_18_TOKEN,
    knownBad: false,
  },
  {
    name: 'linux-7.3',
    summary: 'Linux 7.3.4 core where it differs from 6.18, from Debian linux-source-7.3 7.3.4-1~bpo13+1 kernel/bpf/syscall.c:1656, kernel/bpf/verifier.c:21268, fs/namespace.c:3366, kernel/bpf/token.c:169, include/uapi/linux/bpf.h:995,1049,1158',
    provenance: [
      'T = Debian linux-source-7.3 7.3.4-1~bpo13+1; 6.18 counterparts are the functions of the same name in the linux-6.18 profile',
      'mapFileFlagAfterAlloc: T kernel/bpf/syscall.c:1656 map_create() calls bpf_get_file_flag() after map_create_alloc() (syscall.c:1382; token at :1455, capability checks at :1481) and before security_bpf_map_create() (:1662); 6.18 map_create() calls it first, before the map type',
      'openTreeFdFirst: T fs/namespace.c:3366 open_tree() is FD_ADD(flags, vfs_open_tree(...)); include/linux/file.h:196 __FD_PREPARE_INIT() calls get_unused_fd_flags() before evaluating the file expression (vfs_open_tree(), fs/namespace.c:3313); 6.18 open_tree() takes the fd after the copy',
      'tokenFdBeforeHook: T kernel/bpf/token.c:169 bpf_token_create() FD_PREPARE() after bpf_get_inode() (:161), before kzalloc_obj() (:175) and security_bpf_token_create() (:188); 6.18 bpf_token_create() calls the hook first and get_unused_fd_flags() after it',
      'tailMapTypes: T include/uapi/linux/bpf.h:1049-1050 BPF_MAP_TYPE_INSN_ARRAY (34), BPF_MAP_TYPE_RHASH (35), include/linux/bpf_types.h:136-137 their ops; map_create_alloc() (T kernel/bpf/syscall.c:1382) lets RHASH have map_extra (:1419-1425), runs ops->map_alloc_check() (:1445-1449: insn_array_alloc_check() kernel/bpf/bpf_insn_array.c:26-35, rhtab_map_alloc_check() kernel/bpf/hashtab.c:2884-2903 then htab_map_alloc_check() :413-465) before the token (:1455-1456) and the capability checks (:1481 sysctl; :1493 RHASH unprivileged, :1517 INSN_ARRAY CAP_BPF), then ops->map_alloc() (:1534; rhtab_map_alloc() hashtab.c:2846 max_entries > 2^31 -> E2BIG); bpf_token_allow_map_type() (T kernel/bpf/token.c:245-251) accepts types below the longer __MAX_BPF_MAP_TYPE; kernel-seen by the VM oracle (map_create of RHASH without CAP_BPF under unprivileged_bpf_disabled: EPERM, corpus/vm/73-32.json)',
      'tracingMultiAttach: T include/uapi/linux/bpf.h:1159-1161 BPF_TRACE_FENTRY_MULTI (59), BPF_TRACE_FEXIT_MULTI (60), BPF_TRACE_FSESSION_MULTI (61), include/linux/bpf.h:2231-2235 is_tracing_multi(); bpf_prog_load() (T kernel/bpf/syscall.c:3010 multi_func, :3033-3044 attach_btf = bpf_get_btf_vmlinux()) -> bpf_prog_load_check_attach() :2769-2775 `if (multi_func) { if (prog_type != BPF_PROG_TYPE_TRACING) return -EINVAL; ... return 0; }` before the per-type lists (so SOCKET_FILTER, KPROBE, ... with attach 59-61: EINVAL; 6.18 accepts any attach number for them); a TRACING one gets attach_btf_id = bpf_multi_func_btf_id[0] (:3072), can be sleepable (kernel/bpf/verifier.c:20507-20520) and check_attach_btf_id() returns before the trampoline (:20619-20621); kernel-seen by the VM oracle (prog_load ok -> EINVAL, corpus/vm/73-33.json)',
      'sleepableTracepoints: T kernel/bpf/verifier.c:20507-20532 can_be_sleepable() returns true for BPF_PROG_TYPE_RAW_TRACEPOINT and BPF_PROG_TYPE_TRACEPOINT (:20530-20531), so check_attach_btf_id() (:20552-20554 "Program of this type cannot be sleepable") lets a BPF_F_SLEEPABLE one through; the 6.18.44 host refuses both with EINVAL (bpftc run --kernel); kernel-seen by the VM oracle (prog_load EINVAL -> ok, corpus/vm/73-35.json)',
      'enumTails: T include/uapi/linux/bpf.h:995 BPF_PROG_ASSOC_STRUCT_OPS, :1049-1050 BPF_MAP_TYPE_INSN_ARRAY/RHASH, :1158-1161 BPF_TRACE_FSESSION..BPF_TRACE_FSESSION_MULTI after the 6.18 enumerators; bpf_show_options() (T kernel/bpf/inode.c:801-816) prints "any" only when every bit below __MAX_* is set, bpf_parse_param() (:1094 find_btf_enum_const()) accepts the new names; bpf_token_allow_prog_type() (T kernel/bpf/token.c:257) accepts attach types below the longer __MAX_BPF_ATTACH_TYPE and bpf_token_show_fdinfo() (token.c:75-96) prints "any" only with the new bits set',
      'progLoadHookInVerifier: T kernel/bpf/verifier.c:21268 bpf_check() calls security_bpf_prog_load(env->prog, attr, env->prog->aux->token, uattr.is_kernel) after the env capability calls (:21231-21235), process_fd_array() and the signature check (:21263; bpf_prog_verify_signature() :21089 is in the verifier now); bpf_prog_load() (T kernel/bpf/syscall.c:3139-3150) goes from find_prog_type() to bpf_check() and a failure to free_used_maps (:3185, __bpf_prog_put_noref() -> security_bpf_prog_free() :2447); 6.18 calls the hook from bpf_prog_load() with its local token (NULL)',
      'verifierCaps: T verifier.c:21231-21235 (PERFMON x4, BPF; bypass_spec_v1/v4 skip the call when cpu_mitigations_off(), T include/linux/bpf.h:2911-2923, true without CONFIG_CPU_MITIGATIONS, include/linux/cpu.h:217 - the VM image config), T kernel/bpf/core.c:674 bpf_prog_kallsyms_add() CAP_BPF after bpf_prog_alloc_id() (syscall.c:3158, :3176)',
      'tokenLsmRefusalNoCallerFree: T kernel/bpf/token.c:188-190 `err = security_bpf_token_create(token, attr, &path); if (err) return err;` with `struct bpf_token *token __free(kfree)` (:114): no bpf_token_free() by the caller; the hook freed once (security/security.c:5400-5412); kernel-confirmed by the VM BPF-LSM trace in mode lsm on the FUNCTION_TRACER 7.3.4 image (one bpf_token_free for a refused token)',
      'mapLsmRefusalFreeOnce: T kernel/bpf/syscall.c:1662-1664 map_create(): `if (err) goto free_map;` after security_bpf_map_create(), which already ran security_bpf_map_free() (security/security.c:5356-5357); 6.18 goes to free_map_sec and calls it again (seen by the VM BPF-LSM trace on Debian 7.3.4: one bpf_map_free call for a refused map)',
      'loopbackRefusesPseudoDentry: T fs/namespace.c:3087-3089 __do_loopback() `if (old_path->dentry->d_flags & DCACHE_NORCU) return ERR_PTR(-EINVAL);` after may_copy_tree() (:3084); the token file comes from alloc_file_pseudo() (kernel/bpf/token.c), whose d_alloc_pseudo() sets DCACHE_NORCU; kernel-seen by the VM oracle (open_tree(tokenfd, "", AT_EMPTY_PATH) ok -> EINVAL, corpus/vm/open-tree-token-pseudo-dentry.json)',
      'not here (vm/NOTES.md): the tiny guest config (no BPF_PRELOAD, XDP_SOCKETS, small NR_CPUS) and the host-only denyTrampolineProgs (off)',
    ],
    token: LINUX_7_3_TOKEN,
    knownBad: false,
  },
  {
    name: 'linux-6.12',
    summary: 'Linux 6.12.117 core where it differs from 6.18, from Debian linux-source-6.12 6.12.117-1~deb12u1 fs/namespace.c:2817,2961, kernel/bpf/syscall.c:1207,2636,4998,5033, include/uapi/linux/bpf.h:960,1118,1462',
    provenance: [
      'S = Debian linux-source-6.12 6.12.117-1~deb12u1; 6.18 counterparts are the functions of the same name in the linux-6.18 profile',
      'loopbackOwnNsOnly: S fs/namespace.c:2817 __do_loopback() returns -EINVAL when !check_mnt(old) (check_mnt() :971); 6.18 also accepts a detached mount (an anonymous namespace copied from ours or made by fsmount())',
      'loopbackRefusesPseudoDentry: Debian linux-source-6.12 6.12.118-1~deb12u1 fs/namespace.c:2820-2822 __do_loopback() `if (old_path->dentry->d_flags & DCACHE_NORCU) return ERR_PTR(-EINVAL);` after the check_mnt() test (:2817), fs/dcache.c:1784 d_alloc_pseudo() sets DCACHE_NORCU (the token file: alloc_file_pseudo()); kernel-seen by the VM oracle on 6.12.118 + seed 000',
      'openTreeFdBeforeLookup: S fs/namespace.c:2961 open_tree() calls get_unused_fd_flags() after the flag checks and may_mount() (:2958) and before user_path_at() (:2965); 6.18 takes the fd after the copy, 7.3 before any check',
      'btfGetFdByIdNoToken: S kernel/bpf/syscall.c:5033 BPF_BTF_GET_FD_BY_ID_LAST_FIELD btf_id (CHECK_ATTR at :5037 rejects open_flags and fd_by_id_token_fd), :5040 capable(CAP_SYS_ADMIN)',
      'noTokenInfo: S kernel/bpf/syscall.c:4977-4998 bpf_obj_get_info_by_fd() knows prog, map, btf and link fds and returns -EINVAL for any other (a token)',
      'bpfAttr: S include/uapi/linux/bpf.h:1462 union bpf_attr is 152 bytes (prog_load ends with prog_token_fd, :1575; sizeof checked with gcc on that header); LAST_FIELD ends S kernel/bpf/syscall.c:1207 map_token_fd (80), :2636 prog_token_fd (148), :5033 btf_id (4)',
      'enumDrop: S include/uapi/linux/bpf.h:960 BPF_TOKEN_CREATE is the last command (no BPF_PROG_STREAM_READ_BY_FD), :1118 BPF_TRACE_KPROBE_SESSION the last attach type (no BPF_TRACE_UPROBE_SESSION); maps (:1012 ARENA) and prog types (:1057 NETFILTER) end as in 6.18',
      'lsmRefusalCallerFreesOnly: S security/security.c:5757 security_bpf_map_create(), :5775 security_bpf_prog_load(), :5792 security_bpf_token_create() are a bare call_int_hook(), no blob and no free inside; the callers free once: S kernel/bpf/syscall.c:1403-1405 (goto free_map_sec), :2893-2894 (free_prog_sec: security_bpf_prog_free()), kernel/bpf/token.c:191-193, :206-207 (out_token: bpf_token_free()); kernel-confirmed by the VM BPF-LSM trace (mode lsm, the FUNCTION_TRACER image): one bpf_map_free / bpf_prog_free / bpf_token_free per refused object',
      'verifierCaps: S kernel/bpf/verifier.c:23072-23076 bpf_check() (PERFMON x4, BPF; bypass_spec_v1/v4 skip the call when cpu_mitigations_off(), S include/linux/bpf.h:2397-2409, true without CONFIG_CPU_MITIGATIONS - the VM image config), after security_bpf_prog_load() (S kernel/bpf/syscall.c:2845, bpf_check() :2850, as on 6.18); S kernel/bpf/core.c:697 bpf_prog_kallsyms_add() CAP_BPF (syscall.c:2876)',
      'not here (vm/NOTES.md): the tiny guest config (no BPF_PRELOAD, XDP_SOCKETS, NETFILTER_BPF_LINK, small NR_CPUS, BUG() compiled out in this image) and the host-only denyTrampolineProgs (off)',
    ],
    token: LINUX_6_12_TOKEN,
    knownBad: false,
  },
  {
    name: 'mutant-bpf-lsm-no-retval-range',
    summary: 'mutant: Linux 6.18 without the verifier\'s return-range check of BPF-LSM programs: a program may return a positive value',
    provenance: [
      'bpfLsmRetvalRange off: check_return_code() without bpf_lsm_get_retval_range() (6.12.118 kernel/bpf/bpf_lsm.c:426-446, kernel/bpf/verifier.c:16481-16488, :16520-16527; 7.3.4 bpf_lsm.c:452-472, verifier.c:17519-17529, :17657-17663): a BPF-LSM program returning 1 loads; call_int_hook() stops at it; bpf_token_capable() (`security_bpf_token_capable(token, cap) < 0`, 6.12.118 kernel/bpf/token.c:24) takes it for success, bpf_token_allow_cmd() (`== 0`, :235) for a refusal, __sys_bpf() (`if (err < 0) return err;`, syscall.c:5682-5684) for success, map_create() (`if (err) goto free_map_sec;`, :1403-1405) returns it from bpf()',
    ],
    token: { ...LINUX_6_18_TOKEN, bpfLsmRetvalRange: false },
    knownBad: true,
  },
  {
    name: 'token-v10',
    summary: 'BPF token core as posted in v10 of the series (Nov 2023, seed 004)',
    provenance: [
      'seed 004 (v10 03/17): root test is `path.mnt->mnt_root != path.dentry`; Brauner: "disallow a bind-mounted subdirectory", fixed in v12 ("fix BPF FS root check", seed 001)',
      'seed 004: no current_user_ns() != s_user_ns test; Brauner asks for it; v12 changelog "restrict BPF_TOKEN_CREATE to exactly the same user namespace" (seed 001)',
      'seed 004: after ns_capable(userns, CAP_BPF) the v10 code goes straight to inode allocation: no EOPNOTSUPP for init_user_ns and no ENOENT without delegation (both in the merged token.c, 4b2765ae)',
      'seed 001 v12 changelog: "setting delegate_xxx options require capable(CAP_SYS_ADMIN) (Christian)" -> v10 lets any fs_context owner set delegation',
      'seed 003 (inode.c history): symbolic names and ":" lists came with 6c1752e0b6ca (Jan 2024); v10 accepted "any" and numbers and printed "any" or 0x%llx',
      'user-namespace matching in capability checks: v10 bpf_token_capable() = ns_capable(token->userns) || capable(); the v12 exact-match rule (seed 001) was dropped again before 6.9 (token.c @4b2765ae has no current_user_ns() test), so v10 and 6.18 agree here',
    ],
    token: {
      rootCheck: 'mnt_root',
      sameUsernsRule: false,
      initUsernsEopnotsupp: false,
      enoentWithoutDelegation: false,
      symbolicDelegateNames: false,
      delegateNeedsSysAdmin: false,
      showOptions: 'hex',
    },
    knownBad: true,
  },
  // (mutants/index.ts inserts the single-point mutant profiles here)
  selinuxProfile('none', 'linux-6.18-selinux', 'Linux 6.18 with SELinux (before the BPF-token patch) and the BPF LSM', [
    'security/selinux/hooks.c selinux_bpf(), selinux_bpf_map(), selinux_bpf_prog(), bpf_fd_pass(), cred_has_capability() (6.18)',
    'spec/selinux.md §SE4',
  ], false),
  selinuxProfile('v1', 'selinux-token-v1', 'SELinux BPF-token patch v1 (2025-08-06): creator fd read from attr->token_create.bpffs_fd in the map/prog hooks (A1); SECSID_NULL -> EPERM (A2)', [
    'seed 000 changelog v2: "Fixed bug in selinux_bpffs_creator_sid(u32 fd) where it retrieved creator_sid from wrong file descriptor"',
    'spec/selinux-token.md §S3.1, §S3.2, §S3.3, §S3.4',
  ], true),
  selinuxProfile('v2', 'selinux-token-v2', 'SELinux BPF-token patch v2: fd fixed; SECSID_NULL still -EPERM, unaudited (A2)', [
    'seed 000 changelog v3: "Removed check for \'sid == SECSID_NULL\' in selinux_bpf_token_create"',
    'spec/selinux-token.md §S3.2, §S3.3, §S3.4',
  ], true),
  selinuxProfile('v3', 'selinux-token-v3', 'SELinux BPF-token patch v3: SECSID_NULL falls through to unlabeled; creator_sid not initialised (A4)', [
    'seed 000 changelog v4: "Added initialization of creator_sid in selinux_sb_alloc_security"',
    'spec/selinux-token.md §S3.3, §S3.4',
  ], true),
  selinuxProfile('v4', 'selinux-token-v4', 'SELinux BPF-token patch v4: creator_sid init/compare/clone; no bpf_token_capable hook (A7)', [
    'seed 000 changelog v5: "Added implementation of selinux_bpf_token_capable"',
    'spec/selinux-token.md §S3.4',
  ], true),
  selinuxProfile('v5', 'selinux-token-v5', "SELinux BPF-token patch v5: Daniel's token_capable (self check on the token's SID, cap_userns classes) (A8)", [
    'seed 000 changelog v6: "Updated bpf_token_capable to use grantor_sid as object in permission check"',
    'spec/selinux-token.md §S3.4',
  ], true),
  selinuxProfile('v6', 'selinux-token-v6', 'SELinux BPF-token patch v6: token_capable with the grantor as object but the token creator as subject (A9)', [
    'seed 000 changelog v7: "Bug fix in selinux_bpf_token_capable where incorrect source sid was used in avc_has_perm"',
    'spec/selinux-token.md §S3.4',
  ], true),
  selinuxProfile('v7', 'selinux-token-v7', 'SELinux BPF-token patch v7 exactly (seed 000)', [
    'seed 000 (security/selinux/hooks.c hunks)',
    'spec/selinux-token.md §S2, §S3.7 (5473a722f782)',
  ], true),
  selinuxProfile('v7', 'selinux-token-v7-6.12', 'SELinux BPF-token patch v7 (seed 000) on the 6.12.117 core, as the VM kernel carries it (vm/NOTES.md: seed 000 with the 6.12 adaptation and the polcap padding)', [
    'S = Debian linux-source-6.12 6.12.117-1~deb12u1 with seed 000 applied by vm/patch.ts (patches.json of the cached tree: 18 hunks)',
    'SELinux v7 as selinux-token-v7: S security/selinux/hooks.c:7156-7171 selinux_bpffs_creator_sid(fd), :7190 and :7219 the map/prog hooks re-read attr->map_token_fd / prog_token_fd, :7239 selinux_bpf_token_create() re-reads attr->token_create.bpffs_fd, :7284 token_cmd on cached perms, :7305-7320 token_capable current -> grantor with SECCLASS_CAPABILITY for caps 32-63 in init_user_ns (:7317)',
    'core: linux-6.12 (S kernel/bpf/syscall.c:2845 security_bpf_prog_load(prog, attr, token) after `prog->aux->token = token; token = NULL;` :2779-2780, so the hook gets NULL as on 6.18; bpf_check() :2850 then makes the verifier capability calls, verifier.c:23072-23076)',
    'polcap: bpf_token_perms is index 12 on this tree (S security/selinux/include/policycap.h:21 after vm/patches/6.12-policycap-padding.patch); the VM layer sets that bit',
    'spec/selinux-token.md §S2, §S6.8',
  ], true, LINUX_6_12_TOKEN),
  selinuxProfile('merged', 'selinux-token-merged', 'SELinux BPF-token code as merged, re-derived from Debian linux-source-7.3 7.3.4 security/selinux/hooks.c:7392-7511, on the 7.3.4 core (linux-7.3): grantor from the validated path, the token\'s grantor_sid at use, capability2 for caps 32-63, prog_load hook called from bpf_check() with prog->aux->token', [
    'T = Debian linux-source-7.3 7.3.4-1~bpo13+1 (security/selinux/, kernel/bpf/); spec/selinux-token.md §S6 walks through each check',
    'selinux_bpf_token_create() T hooks.c:7431-7467: sbsec = selinux_superblock(path->dentry->d_sb) (:7439), bpfsec->sid = current_sid(), grantor_sid = sbsec->creator_sid (:7442-7443), current -> grantor bpf:map_create_as / prog_load_as for the delegated commands (:7451-7463), perms cached',
    'selinux_bpf_map_create() :7392-7408 and selinux_bpf_prog_load() :7410-7426: ssid = token ? selinux_bpf_token_security(token)->grantor_sid : current (:7404, :7422); ssid -> current bpf:map_create / prog_load',
    'selinux_bpf_token_cmd() :7469-7489: -EACCES from the cached perms, no AVC; selinux_bpf_token_capable() :7491-7511: current -> grantor, capability/cap_userns for caps 0-31, capability2/cap2_userns for 32-63 (:7502-7503), audited',
    'selinux_bpf() :7302-7326 is the only polcap test (:7308); bpf_token_perms is POLICYDB_CAP_BPF_TOKEN_PERMS, index 14 (T security/selinux/include/policycap.h:22, policycap_names.h:25); creator_sid set in selinux_set_mnt_opts() :749, initialised :2632, compared :922, cloned :983; struct bpf_security_struct { sid, perms, grantor_sid } T security/selinux/include/objsec.h:181-185',
    'core: linux-7.3, whose security_bpf_prog_load() call is in bpf_check() with env->prog->aux->token (T kernel/bpf/verifier.c:21268) after the verifier capability calls (:21231-21235): the prog_load creator check runs (finding 1 does not hold here)',
  ], true, LINUX_7_3_TOKEN),
  {
    ...selinuxProfile('merged', 'mutant-merged-prog-load-null-token', 'mutant: the merged SELinux code on the 7.3.4 core, but security_bpf_prog_load() called from bpf_prog_load() with its local (NULL) token, as on 6.18', [
      'simulates undoing progLoadHookInVerifier of linux-7.3 (7.3.4 kernel/bpf/verifier.c:21268 passes env->prog->aux->token): the merged selinux_bpf_prog_load() (security/selinux/hooks.c:7422) then never sees the token',
    ], true, { ...LINUX_7_3_TOKEN, progLoadHookInVerifier: false }),
  },
  // selinux-token-fixed (SELinux BPF-token helper): what a corrected patch would do
  selinuxProfile('fixed', 'selinux-token-fixed', 'the project\'s own corrected SELinux BPF-token patch for FINDINGS.md 1-4 (model/lsm/selinux.ts variant "fixed", not a posted patch): prog->aux->token at prog_load, validated path/token instead of fd re-resolution, polcap gates every new check, *_as checked at use', [
    'FINDINGS.md 1: selinux_bpf_prog_load() reads prog->aux->token (security_bpf_prog_load() gets NULL, K6)',
    'FINDINGS.md 3: creator from path->dentry->d_sb in bpf_token_create, from token->security grantor_sid in bpf_map_create/bpf_prog_load',
    'FINDINGS.md 2: every new check behind selinux_policycap_bpf_token_perms()',
    'FINDINGS.md 4: selinux_bpf_token_cmd() checks current -> grantor *_as at each use',
  ], false),
  // (mutants/index.ts inserts mutant-lsm-first-only and mutant-blob-no-null-after-free here)
  // ---- the BPF integrity-verification RFC (seed 002), issue 4
  integrityProfile('integrity-rfc', 'BPF integrity RFC as posted (seed 002 RFC 01/11 framework, RFC 08/11 Hornet incl. the ASN.1 callbacks that fill the wrong context, an IPE-like consumer as in v4+)', RFC_INTEGRITY, [
    'seed 002 security/security.c security_bpf_prog_load(), security_bpf_prog_load_post_integrity(); enum lsm_integrity_verdict',
    'spec/integrity-rfc.md §I1 (framework), §I2 (the 6.18 call site: core signature check, NULL token, free callbacks twice), §I3 (Hornet as posted: verdicts, the value/context cast, latent defects), §I4 (IPE consumer)',
    'RFC 08/11: default CONFIG_LSM "...,ipe,hornet,bpf" (ipe before hornet)',
  ], true),
  integrityProfile('integrity-rfc-cast-fixed', 'BPF integrity RFC with only the ASN.1 cast of RFC 08/11 corrected (as Fan Wu asked): the hash loop runs and the inverted memcmp shows', {
    ...RFC_INTEGRITY,
    hornetCtxFromValue: false,
  }, [
    'spec/integrity-rfc.md §I3.3 (Fan Wu, 2025-12-12: "I think you wanted to cast context instead?") and §I3.4 (what the loop does once it runs)',
  ], true),
  integrityProfile('integrity-fixed', 'BPF integrity RFC with its gaps fixed: Hornet parse context and memcmp corrected, only the caller frees the prog blob, the hooks get prog->aux->token', INTEGRITY_FIXED, [
    'spec/integrity-rfc.md §I2.2, §I2.3, §I3.3, §I3.4 (the inverted memcmp and the frozen check before the map is assigned): each fix undoes one knob of integrity-rfc (the project\'s own corrected variant, not a posted patch)',
    'spec/integrity-rfc.md §I3.7: the maps Hornet hashed are re-checked against the prog\'s used_maps at security_bpf_prog() (hornetRecheckMaps; ours)',
  ], false),
  integrityProfile('integrity-fixed-no-recheck', 'integrity-fixed without the map re-check: every other fix, and Hornet reading the map fds from the user\'s fd_array before the verifier reads it again (the TOCTOU of the RFC 08/11 review)', { ...INTEGRITY_FIXED, hornetRecheckMaps: false }, [
    'spec/integrity-rfc.md §I3.7: hornet_verify_hashes() reads attr->fd_array inside the integrity callback; on 6.18 process_fd_array() reads it again after security_bpf_prog_load()',
  ], true),
  integrityProfile('mutant-integrity-in-authz', 'mutant: no integrity phase; Hornet verifies in its bpf_prog_load callback (the design RFC 01/11 rejects)', { ...RFC_INTEGRITY, phases: 'single' }, [
    'seed 002: "Reusing the existing bpf_prog_load() callback for integrity verification could result in LSMs not having access to the integrity verification results"',
  ], true),
  integrityProfile('mutant-integrity-rc-overwritten', 'mutant: security_bpf_prog_load() overwrites the integrity phase\'s rc with the authorization phase\'s', { ...RFC_INTEGRITY, checkIntegrityRc: false }, [
    'simulates a missing `if (unlikely(rc)) goto err;` after call_int_hook(bpf_prog_load_integrity, ...) (seed 002 security.c)',
  ], true),
  integrityProfile('mutant-hornet-ignores-post-integrity', 'mutant: Hornet returns 0 after delivering its verdict, dropping the consumer\'s post_integrity result', { ...RFC_INTEGRITY, hornetIgnoresPostIntegrity: true }, [
    'seed 002 kernel-doc: "If the LSM calling into this hook receives a non-zero error code, it should return the same error code back to its caller"',
  ], true),
];

// the validator's profile names (scenario/vocab.ts): this list, plugin profiles included
setProfileNames(() => PROFILES.map((p) => p.name), (n) => findProfile(n) !== undefined);

export const DEFAULT_PROFILE = 'linux-6.18';

export function findProfile(name: string): Profile | undefined {
  const exact = PROFILES.find((p) => p.name === name);
  if (exact) return exact;
  // `<profile>+kconfig:<facts>`: that profile on a kernel with these config
  // facts (model/kconfig.ts formatKconfig(); the VM oracle derives them from
  // the image's embedded config)
  const i = name.indexOf('+kconfig:');
  if (i < 0) return undefined;
  const base = PROFILES.find((p) => p.name === name.slice(0, i));
  const facts = parseKconfig(name.slice(i + '+kconfig:'.length));
  if (!base || !facts) return undefined;
  return withKconfig(base, facts);
}

/** the profile on a kernel with these config facts (its name says them); a profile that
 *  already has facts gets these instead, on its own base */
export function withKconfig(base: Profile, facts: KernelConfigFacts): Profile {
  if (base.token.kconfig !== undefined) {
    const own = PROFILES.find((p) => p.name === base.name.slice(0, base.name.indexOf('+kconfig:')));
    if (own) base = own;
  }
  return {
    ...base,
    name: `${base.name}+kconfig:${formatKconfig(facts)}`,
    summary: `${base.summary}; kernel config ${formatKconfig(facts)}`,
    provenance: [...base.provenance, 'kconfig: the kernel config facts of model/kconfig.ts (include/linux/bpf_types.h guards, kernel/bpf/inode.c populate_bpffs(), kernel/bpf/cpumap.c NR_CPUS)'],
    token: { ...base.token, kconfig: facts },
  };
}
