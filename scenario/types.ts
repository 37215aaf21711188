// The one trace format. A scenario is plain data: the model, the real-kernel
// oracle, the corpus and the CLI share nothing else (SibylFS style).
// Every fd is a symbolic handle (a name); numbers never appear in traces.

import type { OPS, OpName } from './ops.ts';
import type { LsmAtHook } from './vocab.ts';
import type { IntegrityStackDecl } from './integrity.ts';

export const SCENARIO_FORMAT = 'bpftc/1';

/** the keys a scenario file may carry at its top level (anything else is refused: a misspelt
 *  "selinx" must not pass as a scenario without a policy) */
export const SCENARIO_KEYS = ['$schema', 'format', 'name', 'description', 'profile', 'lsm_order', 'selinux', 'ipe', 'integrity', 'sysctl', 'userns', 'actors', 'steps', 'meta'] as const;
/** the keys of a user namespace declaration, and of an actor declaration */
export const USERNS_KEYS = ['name', 'parent', 'owner', 'map'] as const;
export const ACTOR_KEYS = ['name', 'userns', 'kuid', 'caps', 'mntns', 'context', 'thread_of', 'fork_of'] as const;

/** A user namespace other than init. Created by an actor-less set-up step:
 *  its creator had euid `owner` (a kuid, init numbering) inside `parent`. */
export interface UsernsDecl {
  name: string;
  /** "init" or the name of an earlier userns */
  parent: string;
  /** kuid of the creator's euid: the owner rule of cap_capable() uses it */
  owner: number;
  /** uid_map/gid_map: in-namespace id 0..count-1 -> kuid base..base+count-1 */
  map: { base: number; count: number };
}

export interface ActorDecl {
  name: string;
  /** "init" or a declared userns */
  userns: string;
  /** effective (= real = saved) uid, as a kuid */
  kuid: number;
  /** effective = permitted capability set: names without CAP_ ("BPF", "SYS_ADMIN") or "all" */
  caps: string[] | 'all';
  /** mount namespace: "own" (new one owned by the actor's userns, default),
   *  "init" (owned by init userns), or the name of an earlier actor to share with */
  mntns?: string;
  /** a thread of this earlier actor's process: shares its fd table (creds stay per thread) */
  thread_of?: string;
  /** SELinux context (a type, e.g. "P_t"); default "unconfined_t" */
  context?: string;
  /** a process this earlier actor makes at a `fork` step naming it: until then it does not
   *  exist (its steps, and fds sent to it, are ESRCH); then it runs with a copy of that
   *  actor's fd table and its credentials and namespaces of that moment. Its userns, kuid
   *  and caps are the forking actor's declared ones (the validator fills them in) */
  fork_of?: string;
}

/** A SELinux policy (model/lsm/policy.ts). */
export interface PolicyDecl {
  /** allow rules "source target:class perm..."; "*" as a type or permission means all (model shorthand) */
  allow: string[];
  /** policy capabilities: "bpf_token_perms" */
  polcap?: string[];
  /** the policy defines bpf { map_create_as prog_load_as } (default true) */
  defines_token_perms?: boolean;
  /** class-map permissions the policy does not define: allow, deny (default), or reject the load */
  handle_unknown?: 'allow' | 'deny' | 'reject';
  /** default true */
  enforcing?: boolean;
  /** permissive domains */
  permissive?: string[];
}

/** The SELinux state at boot: a policy loaded (default) or not yet. */
export interface SelinuxDecl extends PolicyDecl {
  /** false: no policy is loaded at boot (a later policy_load step loads one) */
  loaded?: boolean;
}

/** Another thread of the acting process runs this fd-table operation between
 *  the kernel's own fd lookup and the LSM hook of the step (model only). */
export interface RaceDecl {
  actor: string;
  op: 'dup2' | 'close';
  fd: string;
  /** dup2: the handle whose fd number is replaced */
  to?: string;
  /** where in the syscall (model only; the executor's thread runs throughout): 'hook'
   *  (default) right before the LSM hook, 'fd_array' (prog_load) right before the
   *  verifier reads attr->fd_array */
  at?: 'hook' | 'fd_array';
}

/** "ok", an errno name such as "EPERM", or "REFUSED": the sandbox refused the
 *  step before any syscall (scenario/sandbox.ts, oracle/SANDBOX.md); its
 *  `text` is then the reason */
export type Result = string;

// ---- expectations (task tokenc, issue 11 "Expectations"; checked by scenario/expect.ts)
/** a step's result expectation: exact, "fails" (any errno), or a non-empty set of results */
export type ExpectResult = Result | readonly Result[];
/** a step's text expectation: exact, a restricted regular expression
 *  (scenario/saferegex.ts), or one field of the text, by value or pattern */
export type ExpectText = string | { match: string } | { field: string; value: string } | { field: string; match: string };
// ---- end expectations

interface StepBase {
  actor: string;
  /** handle name given to the fd a successful step returns */
  as?: string;
  /** expected result: "ok", an errno name or "REFUSED"; "fails" (any errno);
   *  or a list of results, one of which must occur (scenario/expect.ts); absent = not checked */
  expect?: ExpectResult;
  /** expected text for steps that read mountinfo / fdinfo / info, or the
   *  refusal reason of a REFUSED step: exact, {"match": pattern}, or one field
   *  {"field", "value"|"match"} (scenario/expect.ts) */
  expect_text?: ExpectText;
  /** free text: why this step is here (selftest-style label) */
  label?: string;
  /** model only: LSM administration done right before this step's syscall by
   *  the machine's administrator (not one of the actors) */
  lsm?: LsmAction[];
}

/** Model-only LSM administration (never sent to the kernel). */
export type LsmAction =
  /** load a SELinux policy (sel_write_load() -> security_load_policy()) */
  | {
      action: 'policy_load';
      policy: PolicyDecl;
      /** in-syscall load: right before the first call of this hook in the
       *  step's syscall (another CPU's sel_write_load() completing between two
       *  hooks of the same syscall); if the syscall never reaches the hook, after
       *  it returns. Absent: before the syscall */
      at?: LsmAtHook;
    }
  /** attach a BPF-LSM program to `hook` returning -`errno` for task `task` (selftest token_lsm);
   *  the BPF LSM registers every hook, the integrity hooks of seed 002 included */
  /** a BPF-LSM program (BPF_LSM_MAC) on `hook` that returns -errno for `task`
   *  (0 for every other task), or `ret` when given: any int, positive too
   *  (issue 12); a kernel whose verifier checks the return range
   *  (profile knob bpfLsmRetvalRange) refuses a program whose `ret` is
   *  outside [-MAX_ERRNO, 0] at load, and it is not attached */
  | { action: 'bpf_lsm_deny'; hook: string; task: string; errno: string; ret?: number };

/** attr->keyring_id of a signed BPF_PROG_LOAD (6.18, kernel/bpf/syscall.c
 *  bpf_prog_verify_signature()): the system keyrings by id
 *  (include/linux/verification.h: 0 builtin, VERIFY_USE_SECONDARY_KEYRING 1,
 *  VERIFY_USE_PLATFORM_KEYRING 2, looked up by bpf_lookup_system_key()), the
 *  caller's own keyrings by special serial (KEY_SPEC_SESSION_KEYRING -3,
 *  KEY_SPEC_USER_KEYRING -4, bpf_lookup_user_key()), or "missing": a serial
 *  that names no key the caller can search (lookup fails: NULL key). */
export type KeyringName = 'builtin' | 'secondary' | 'platform' | 'session' | 'user' | 'missing';

/** The PKCS#7 signature a BPF_PROG_LOAD carries (model only). The state says
 *  what the blob is relative to the program's instructions and the keyring:
 *  - "valid": a PKCS#7 message over these instructions, signed by a key in `keyring`;
 *  - "bad": well-formed and signed by a key in `keyring`, but over other
 *    instructions (pkcs7_digest(): message digest mismatch);
 *  - "untrusted_key": over these instructions, but the signer is not in
 *    `keyring` (pkcs7_validate_trust() finds no trusted key);
 *  - "malformed": not a PKCS#7 message (pkcs7_parse_message() fails).
 *  `maps` is the Hornet authenticated attribute (RFC 09/11 gen_sig: signed
 *  SHA-256 hashes of the program's maps): absent = a plain signature without
 *  it; "none" = the attribute with no map; "match"/"mismatch" = the signed
 *  hashes equal / differ from the maps' current hashes (a tampered map). */
export interface SignatureDecl {
  state: 'valid' | 'bad' | 'untrusted_key' | 'malformed';
  keyring: KeyringName;
  maps?: 'none' | 'match' | 'mismatch';
}

/** enum lsm_integrity_verdict of seed 002 (RFC 01/11), by name */
export type VerdictName = 'NONE' | 'OK' | 'UNSIGNED' | 'PARTIALSIG' | 'BADSIG';

/** An IPE-like BPF_PROG_LOAD policy (security/ipe, v4+ of the Hornet series,
 *  spec/integrity-rfc.md §I4): rules in order, the first rule
 *  whose every given property matches decides; otherwise `default`. IPE
 *  denies with -EACCES. */
export interface IpePolicyDecl {
  /** DEFAULT op=BPF_PROG_LOAD action=ALLOW|DENY */
  default: 'allow' | 'deny';
  rules: Array<{
    action: 'allow' | 'deny';
    /** bpf_signature=<verdict>: the verdict stored by post_integrity (NONE if none was delivered) */
    bpf_signature?: VerdictName;
    /** bpf_kernel=TRUE|FALSE: the hook's `kernel` argument */
    bpf_kernel?: boolean;
    /** bpf_keyring=BUILTIN|SECONDARY|PLATFORM: attr->keyring_id (a user keyring matches none) */
    bpf_keyring?: 'builtin' | 'secondary' | 'platform';
  }>;
  /** model extension: verdicts on which IPE's post_integrity callback refuses
   *  at once (-EACCES) instead of deferring to bpf_prog_load (the "fail fast"
   *  choice the kernel-doc of security_bpf_prog_load_post_integrity() allows) */
  fail_fast?: VerdictName[];
}

/** fd-valued argument: a handle name. A handle that is closed, or lives in
 *  another fd table, resolves to fd 999 (never allocated), i.e. a bad fd. */
export type Handle = string;

/** The value type of one op-table argument (scenario/ops.ts ArgKind). */
type ArgValue<A> = A extends { kind: 'handle' | 'string' | 'actor' }
  ? string
  : A extends { kind: 'int' }
    ? number
    : A extends { kind: 'bool' }
      ? boolean
      : A extends { kind: 'caps' }
        ? string[]
        : A extends { kind: 'choice'; choices: readonly (infer C)[] }
          ? C
          : A extends { kind: 'signature' }
            ? SignatureDecl
            : A extends { kind: 'handles' }
              ? string[]
              : never;

type Flat<T> = { [K in keyof T]: T[K] };

/** an op's arguments as step fields: required ones required, the others optional */
type ArgFields<Args> = Flat<
  { -readonly [K in keyof Args as Args[K] extends { required: true } ? K : never]: ArgValue<Args[K]> } & {
    -readonly [K in keyof Args as Args[K] extends { required: true } ? never : K]?: ArgValue<Args[K]>;
  }
>;

/** One step: the common fields and the op's arguments, derived from the op
 *  table (scenario/ops.ts: each argument's meaning and default is there). An
 *  enum argument (map_type, prog_type, expected_attach_type) is a number here:
 *  a name in a file is read as its number (scenario/validate.ts). */
export type Step = {
  [O in OpName]: Flat<StepBase & { op: O } & ArgFields<(typeof OPS)[O]['args']> & ((typeof OPS)[O] extends { race: true } ? { race?: RaceDecl } : unknown)>;
}[OpName];

export type Op = Step['op'];

export interface ScenarioMeta {
  property?: string;
  profile?: string;
  date?: string;
  seed?: number;
  path?: string;
  /** every step can run on the real kernel via the oracle */
  kernel_checkable?: boolean;
  /** results observed on a real kernel (step index -> result) */
  kernel?: { release?: string; results: Array<{ ret: Result; text?: string }> };
  note?: string;
  /** the FINDINGS.md entry this scenario is the evidence of (corpus/findings/) */
  finding?: string;
  /** that entry's verdict class (corpus/findings.test.ts checks both agree) */
  verdict?: FindingVerdict;
  /** what the scenario still shows (checked by corpus/findings.test.ts): a
   *  property violated at a step (0-based) or holding, on the scenario's
   *  profile or another; how often a framework event occurs in the run; or
   *  the result of one step (0-based) */
  shows?: Array<{ property: string; profile?: string; violated_at?: number } | { event: string; count: number; profile?: string } | { step: number; ret: Result; text?: string; profile?: string }>;
  /** a kernel bug the scenario triggers on these kernels (their `uname -r`
   *  prefixes): the VM oracle reports the guest's death as expected there */
  kernel_bug?: { id: string; kernels: string[]; expect: string; at_step?: number; oops?: string };
  /** on which real kernels the finding was checked (corpus/findings.test.ts):
   *  by kernel ("6.18-host", "6.12+v7-vm", "7.3.4-vm") the outcome and a note */
  kernels?: Record<string, { outcome: KernelOutcome; note?: string }>;
}

/** a finding on one real kernel: the trace shows it; the kernel does otherwise
 *  (e.g. the merged code fixed it); it cannot be run there (model-only layer,
 *  the code is not in that kernel) */
export type KernelOutcome = 'reproduced' | 'does-not-hold' | 'not-applicable' | 'not-run';

/** FINDINGS.md verdict classes */
export type FindingVerdict = 'contradicts-text' | 'latent' | 'pre-existing' | 'design-decision' | 'design-question' | 'withdrawn';

export interface Scenario {
  /** where an editor finds the JSON Schema (scenario/scenario.schema.json); ignored otherwise */
  $schema?: string;
  format: typeof SCENARIO_FORMAT;
  name?: string;
  description?: string;
  /** profile to run on; default linux-6.18 */
  profile?: string;
  /** the LSM order (lsm=), overriding the profile's: names from "capability", "selinux", "bpf", "ipe", "hornet" and the `integrity` declaration's */
  lsm_order?: string[];
  /** SELinux at boot (with a profile or order that has SELinux) */
  selinux?: SelinuxDecl;
  /** the IPE policy (with a profile or order that has "ipe"); absent: IPE allows everything */
  ipe?: IpePolicyDecl;
  /** integrity providers and consumers of seed 002's framework, each an LSM
   *  that lsm_order places (scenario/integrity.ts; model only) */
  integrity?: IntegrityStackDecl;
  sysctl?: { unprivileged_bpf_disabled?: 0 | 1 | 2 };
  userns?: UsernsDecl[];
  actors: ActorDecl[];
  steps: Step[];
  meta?: ScenarioMeta;
}

/** What a step produced, on the model or on the kernel. */
export interface StepResult {
  ret: Result;
  /** mountinfo / fdinfo / info text, or the reason of a REFUSED step */
  text?: string;
  /** model only: the LSMs' access decisions during the step (the oracle ignores it) */
  avc?: AvcRecord[];
}

/** One access decision of an LSM (SELinux: one avc_has_perm() permission). */
export interface AvcRecord {
  scontext: string;
  tcontext: string;
  tclass: string;
  perm: string;
  granted: boolean;
  /** a denial is audited (dontaudit rules are not modelled) */
  audited: boolean;
  /** denied by policy but allowed: permissive mode or a permissive source domain */
  permissive?: boolean;
  /** granted only by the AVC's cache of an earlier permissive denial (avc_update_node()):
   *  no policy rule allows it, so no auditallow logs it */
  cachedGrant?: boolean;
  /** the LSM hook that made the decision */
  hook: string;
  /** the capability number the record's audit data carries: capable() checks
   *  only (cred_has_capability(): ad.type = LSM_AUDIT_DATA_CAP, ad.u.cap = cap,
   *  7.3.4 security/selinux/hooks.c:1660-1661, printed " capability=%d " by
   *  security/lsm_audit.c:194); selinux_bpf_token_capable() passes no audit
   *  data (hooks.c:7510-7511), so its records carry none */
  capability?: number;
}
