// The single-point mutant profiles: each is linux-6.18 (or the merged SELinux
// stack) with ONE model function replaced (model/include/fns.ts), applied from
// outside the model through Profile.replace. The model itself has no mutant
// branch. Each mutant has a property that catches it with a shrunk
// counterexample (properties/*.test.ts, mutants/index.test.ts).
//
// Importing this module registers the profiles in PROFILES, at the places the
// profile list always had them (after token-v10 and after selinux-token-fixed),
// so `bpftc profiles`, the validator's names and the JSON Schema keep their
// order. Every entry point that resolves profile names imports it.

import type { ModelFns } from '../model/kernel.ts';
import { MODEL_FNS, type ReplacingProfile } from '../model/fns.ts';
import { PROFILES, SELINUX_ORDER, findProfile, type Profile } from '../model/profile.ts';
import { bpf_ns_capable } from '../model/token.ts';
import type { Policy } from '../model/lsm/policy.ts';
import type { VerdictSlot } from '../model/include/linux/security.ts';

/** what a mutant swaps, and the one-line simulation it stands for */
interface MutantDecl {
  name: string;
  summary: string;
  why: string;
  replace: Partial<ModelFns>;
}

/** the token core mutants: linux-6.18 with one function replaced */
const CORE_MUTANTS: MutantDecl[] = [
  {
    name: 'mutant-ignore-attach-mask',
    summary: 'mutant: prog load through a token ignores delegate_attachs',
    why: 'simulates dropping the allowed_attachs test of bpf_token_allow_prog_type() (token.c)',
    replace: {
      // every attach type allowed: only the prog type bit decides
      bpf_token_allow_prog_type: (k, token, prog, attach) =>
        MODEL_FNS.bpf_token_allow_prog_type(k, token && { ...token, allowed_attachs: ~0n }, prog, attach),
    },
  },
  {
    name: 'mutant-capable-current-ns',
    summary: "mutant: bpf_token_capable() checks the caller's user namespace, not the token's",
    why: 'simulates `ns_capable(current_user_ns(), cap)` in bpf_token_capable() (token.c) - the confusion Brauner warned about in seed 004',
    replace: {
      bpf_token_capable: (k, t, token, cap) => {
        if (!token) return MODEL_FNS.bpf_token_capable(k, t, token, cap);
        if (k.check('bpf_token_capable/ns_capable', !bpf_ns_capable(k, t, t.cred.userns, cap))) return false;
        return !k.check('bpf_token_capable/lsm', k.security.callInt('bpf_token_capable', token, cap) < 0);
      },
    },
  },
  {
    name: 'mutant-show-full-names',
    summary: 'mutant: bpf_show_options() prints full enumerator names (BPF_MAP_CREATE) that bpf_parse_param() rejects',
    why: 'simulates a seq_print_delegate_opts() that forgets to strip the prefix (inode.c)',
    replace: {
      seq_print_delegate_opts: (profile, e, msk) => MODEL_FNS.seq_print_delegate_opts(profile, { ...e, prefix: '' }, msk),
    },
  },
  {
    name: 'mutant-keep-dropped-token',
    summary: 'mutant: a token that fails the type test is kept for the capability checks instead of dropped',
    why: 'simulates map_create()/bpf_prog_load() without the `token = NULL` after bpf_token_allow_*() fails (syscall.c)',
    replace: {
      bpf_token_drop: (k, site, token) => (site === 'map_create' || site === 'bpf_prog_load' ? token : MODEL_FNS.bpf_token_drop(k, site, token)),
    },
  },
  {
    name: 'mutant-insn-limit-swapped',
    summary: 'mutant: bpf_prog_load() gives unprivileged loads the 1M-instruction limit and privileged ones 4096',
    why: 'simulates swapped operands in `insn_cnt > (bpf_cap ? BPF_COMPLEXITY_LIMIT_INSNS : BPF_MAXINSNS)` (syscall.c bpf_prog_load())',
    replace: { bpf_prog_insn_limit: (bpfCap) => MODEL_FNS.bpf_prog_insn_limit(!bpfCap) },
  },
  {
    name: 'mutant-attach-capable-as-loader',
    summary: "mutant: the attach-time capability check (cgroup skb) asks the loader's credentials, not the attaching task's",
    why: "simulates a bpf_prog_attach_check_attach_type() (syscall.c) whose bpf_token_capable(prog->aux->token, CAP_NET_ADMIN) runs with credentials kept from BPF_PROG_LOAD (the loader's) instead of current's",
    replace: {
      bpf_prog_attach_check_attach_type: (k, t, prog, at) =>
        MODEL_FNS.bpf_prog_attach_check_attach_type(k, prog.loader_cred ? { ...t, cred: prog.loader_cred } : t, prog, at),
    },
  },
];

/** the LSM framework mutants: the merged SELinux stack with one function replaced */
const LSM_MUTANTS: MutantDecl[] = [
  {
    name: 'mutant-lsm-first-only',
    summary: "mutant: call_int_hook() returns the first LSM's result, 0 included (SELinux + BPF LSM)",
    why: 'simulates a call_int_hook() that breaks after the first LSM instead of at the first non-zero result (security/security.c)',
    replace: {
      call_int_hook: (s, hook, args) => {
        for (const l of s.lsms) {
          const ret = s.invokeInt(l, hook, args);
          if (ret !== undefined) return ret;
        }
        return 0;
      },
    },
  },
  {
    name: 'mutant-blob-no-null-after-free',
    summary: 'mutant: security_bpf_*_free() kfree()s the blob but leaves the pointer set (SELinux + BPF LSM)',
    why: 'simulates dropping `map->security = NULL` (and prog/token) after kfree in security/security.c: the caller frees again after a refused create hook',
    replace: { security_blob_free: (s, o) => s.kfreeBlob(o) },
  },
  {
    name: 'mutant-selinux-cap-audit-index',
    summary: 'mutant: cred_has_capability() audits ad.u.cap = cap & 31, the bit index inside the capability word (SELinux + BPF LSM)',
    why: 'simulates `ad.u.cap = cap & 31` (the CAP_TO_MASK() bit) for `ad.u.cap = cap` in security/selinux/hooks.c cred_has_capability(): the decision is unchanged, but a capability2 / cap2_userns record (CAP_BPF, CAP_PERFMON, ...) logs capability=7 for CAP_BPF (39), the number of CAP_SETUID',
    replace: {
      cred_has_capability: (se, cred, cap, opts, initns) =>
        MODEL_FNS.cred_has_capability(
          { credSid: (c) => se.credSid(c), avcHasPerm: (ssid, tsid, tclass, perm, adCap) => se.avcHasPerm(ssid, tsid, tclass, perm, adCap === undefined ? undefined : adCap & 31) },
          cred,
          cap,
          opts,
          initns,
        ),
    },
  },
];

/** the creation/token hooks that, in mutant-fixed-polcap-race, decide with the
 *  policy selinux_bpf() read at the syscall's entry */
const LATE_HOOKS = new Set(['bpf_token_cmd', 'bpf_token_capable', 'bpf_map_create', 'bpf_prog_load', 'bpf_token_create']);
/** per kernel: the policy the last selinux_bpf() read */
const entryPolicy = new WeakMap<object, Policy | null>();

/** the SELinux mutants of the corrected stack: selinux-token-fixed with one function replaced */
const FIXED_MUTANTS: MutantDecl[] = [
  {
    name: 'mutant-fixed-polcap-race',
    summary: 'mutant: the fixed SELinux stack decides a bpf(2) with the policy (and bpf_token_perms) it read at the syscall entry',
    why: 'simulates caching the policy (or the polcap) in selinux_bpf() for the rest of the syscall instead of reading selinux_state.policy at each check: a reload between two hooks of the same syscall is missed',
    replace: {
      selinux_policy: (k, policy, hook) => {
        if (hook === 'bpf') {
          entryPolicy.set(k, policy);
          return policy;
        }
        return LATE_HOOKS.has(hook) && entryPolicy.has(k) ? entryPolicy.get(k)! : policy;
      },
    },
  },
];

/** the integrity-path mutants (issue 12): integrity-fixed with one function replaced */
const globalSlots = new WeakMap<object, Map<string, VerdictSlot>>();
const INTEGRITY_MUTANTS: MutantDecl[] = [
  {
    name: 'mutant-copy-not-copied-ok',
    summary: 'mutant: copy_from_bpfptr() reports success (0) when bytes were not copied (integrity-fixed)',
    why: 'simulates a copy helper that returns 0 instead of the count of bytes not copied (include/linux/bpfptr.h copy_from_bpfptr() -> copy_from_user()): Hornet goes on with a signature buffer the copy did not fill',
    replace: {
      copy_from_bpfptr: (dst, size, fault) => {
        MODEL_FNS.copy_from_bpfptr(dst, size, fault);
        return 0;
      },
    },
  },
  {
    name: 'mutant-consumer-global-verdict',
    summary: "mutant: integrity consumers keep the verdict in one slot per LSM instead of the prog's blob (integrity-fixed)",
    why: "simulates a consumer that stores the verdict in a static variable, not in its slice of prog->aux->security (seed 002 kernel-doc: \"store their decision in their own LSM state attached to @prog\"): a verdict delivered for one program decides another's load",
    replace: {
      integrity_verdict_slot: (s, lsm, prog) => {
        if (!prog.security) return null;
        let m = globalSlots.get(s);
        if (!m) globalSlots.set(s, (m = new Map()));
        let slot = m.get(lsm);
        if (!slot) m.set(lsm, (slot = { verdict: 0 }));
        return slot;
      },
    },
  },
];

function mutantProfile(base: Profile, d: MutantDecl, lsm?: Profile['lsm']): ReplacingProfile {
  const p: ReplacingProfile = { name: d.name, summary: d.summary, provenance: [d.why], token: base.token, replace: d.replace, knownBad: true };
  if (lsm) p.lsm = lsm;
  if (base.integrity) p.integrity = base.integrity;
  return p;
}

const base = findProfile('linux-6.18')!;
const integrityBase = findProfile('integrity-fixed')!;

/** the mutant profiles, in the order they are listed */
export const MUTANT_PROFILES: readonly ReplacingProfile[] = [
  ...CORE_MUTANTS.map((d) => mutantProfile(base, d)),
  ...LSM_MUTANTS.map((d) => mutantProfile(base, d, { order: SELINUX_ORDER, selinux: 'merged' })),
  ...FIXED_MUTANTS.map((d) => mutantProfile(base, d, { order: SELINUX_ORDER, selinux: 'fixed' })),
  ...INTEGRITY_MUTANTS.map((d) => mutantProfile(integrityBase, d, integrityBase.lsm)),
];

/** inserts `ps` into PROFILES after the profile `after` (once) */
function insertAfter(after: string, ps: readonly Profile[]): void {
  const list = PROFILES as Profile[];
  if (ps.every((p) => list.includes(p))) return;
  const i = list.findIndex((p) => p.name === after);
  if (i < 0) throw new Error(`mutants: no profile ${after} to insert after`);
  list.splice(i + 1, 0, ...ps);
}

insertAfter('token-v10', MUTANT_PROFILES.slice(0, CORE_MUTANTS.length));
insertAfter('selinux-token-fixed', MUTANT_PROFILES.slice(CORE_MUTANTS.length, CORE_MUTANTS.length + LSM_MUTANTS.length + FIXED_MUTANTS.length));
insertAfter('integrity-fixed', MUTANT_PROFILES.slice(CORE_MUTANTS.length + LSM_MUTANTS.length + FIXED_MUTANTS.length));
