// Spec versions are data: a profile names the variant of each layer. The model
// reads these knobs at the exact places where the versions differ; historical
// bugs and mutants are profiles, never copies of the model.

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
   *  the prog_flags one (observed, not upstream) */
  denyTrampolineProgs?: boolean;
}

export interface Mutations {
  /** mutant: bpf_token_allow_prog_type() ignores allowed_attachs */
  ignoreAttachMask?: boolean;
  /** mutant: bpf_token_capable() tests the caller's own user namespace instead of token->userns */
  capableInCurrentNs?: boolean;
  /** mutant: bpf_show_options() prints the last alias / drops the prefix check (names not re-parseable) */
  showFullEnumNames?: boolean;
  /** mutant: a dropped token (type not delegated) still counts for the capability checks */
  keepDroppedToken?: boolean;
  /** mutant: bpf_prog_load() swaps the privileged and unprivileged instruction limits */
  insnLimitSwapped?: boolean;
}

export interface Profile {
  name: string;
  summary: string;
  /** documents and kernel functions that establish each difference */
  provenance: string[];
  token: TokenCoreVariant;
  mutations: Mutations;
  /** expected to violate properties: used by the test suite, not by users */
  knownBad: boolean;
}

const LINUX_6_18_TOKEN: TokenCoreVariant = {
  rootCheck: 'sb_root',
  sameUsernsRule: true,
  initUsernsEopnotsupp: true,
  enoentWithoutDelegation: true,
  symbolicDelegateNames: true,
  delegateNeedsSysAdmin: true,
  showOptions: 'symbolic',
  denyTrampolineProgs: true,
};

function mutant(name: string, summary: string, mutations: Mutations, why: string): Profile {
  return {
    name,
    summary,
    provenance: [why],
    token: LINUX_6_18_TOKEN,
    mutations,
    knownBad: true,
  };
}

export const PROFILES: readonly Profile[] = [
  {
    name: 'linux-6.18',
    summary: 'Linux 6.18 as verified on a real kernel (default)',
    provenance: [
      'kernel/bpf/token.c bpf_token_create(), bpf_token_capable() (torvalds/linux 1da91ea8)',
      'kernel/bpf/inode.c bpf_parse_param(), bpf_fill_super(), bpf_show_options()',
      'kernel/bpf/syscall.c map_create(), bpf_prog_load(), bpf_btf_load()',
      'shared/spec/kernel-semantics.md (297 checks on 6.18.44)',
    ],
    token: LINUX_6_18_TOKEN,
    mutations: {},
    knownBad: false,
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
    mutations: {},
    knownBad: true,
  },
  mutant(
    'mutant-ignore-attach-mask',
    'mutant: prog load through a token ignores delegate_attachs',
    { ignoreAttachMask: true },
    'simulates dropping the allowed_attachs test of bpf_token_allow_prog_type() (token.c)',
  ),
  mutant(
    'mutant-capable-current-ns',
    "mutant: bpf_token_capable() checks the caller's user namespace, not the token's",
    { capableInCurrentNs: true },
    'simulates `ns_capable(current_user_ns(), cap)` in bpf_token_capable() (token.c) - the confusion Brauner warned about in seed 004',
  ),
  mutant(
    'mutant-show-full-names',
    'mutant: bpf_show_options() prints full enumerator names (BPF_MAP_CREATE) that bpf_parse_param() rejects',
    { showFullEnumNames: true },
    'simulates a seq_print_delegate_opts() that forgets to strip the prefix (inode.c)',
  ),
  mutant(
    'mutant-keep-dropped-token',
    'mutant: a token that fails the type test is kept for the capability checks instead of dropped',
    { keepDroppedToken: true },
    'simulates map_create()/bpf_prog_load() without the `token = NULL` after bpf_token_allow_*() fails (syscall.c)',
  ),
  mutant(
    'mutant-insn-limit-swapped',
    'mutant: bpf_prog_load() gives unprivileged loads the 1M-instruction limit and privileged ones 4096',
    { insnLimitSwapped: true },
    'simulates swapped operands in `insn_cnt > (bpf_cap ? BPF_COMPLEXITY_LIMIT_INSNS : BPF_MAXINSNS)` (syscall.c bpf_prog_load())',
  ),
];

export const DEFAULT_PROFILE = 'linux-6.18';

export function findProfile(name: string): Profile | undefined {
  return PROFILES.find((p) => p.name === name);
}
