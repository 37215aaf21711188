// SELinux (security/selinux/hooks.c) as far as the BPF token layers reach it:
// cred_has_capability() for capable(), the bpf hooks as upstream before the
// token patch, the BPF-token patch series v1..v7 (seed 000 is v7;
// spec/selinux-token.md §S3 has the history) and the code as merged, re-derived
// from Debian's linux-source-7.3 7.3.4-1~bpo13+1 (spec/selinux-token.md §S6;
// "7.3.4 hooks.c:N" below is security/selinux/hooks.c of that tree).
// Each version is a set of knobs read at the exact place the versions differ.

import type { Kernel, SelinuxCapCheck } from '../kernel.ts';
import type { Cred, UserNamespace } from '../userns.ts';
import { isInit } from '../userns.ts';
import type { BpfToken } from '../token.ts';
import type { BpfAttr, BpfMap, BpfProg } from '../syscall.ts';
import type { File, Path, SuperBlock } from '../vfs.ts';
import { fdget } from '../vfs.ts';
import type { LsmHooks } from '../lsm.ts';
import type { AvcRecord } from '../../scenario/types.ts';
import { BPF_MAP_CREATE, BPF_PROG_LOAD } from '../enums.ts';
import { capName } from '../caps.ts';
import { EACCES, EBUSY, EINVAL, EPERM } from '../errno.ts';
import {
  INITIAL_SIDS,
  type Policy,
  type PolicyDecl,
  SECINITSID_FILE,
  SECINITSID_KERNEL,
  SECINITSID_UNLABELED,
  SECSID_NULL,
  compilePolicy,
  policyAllows,
  rejectsLoad,
} from './policy.ts';

/** 'none': upstream SELinux before the token patch (6.18) */
/** 'fixed': the project's own corrected variant (FINDINGS.md 1-4, knobs below; not a posted patch) */
import type { SelinuxFixKnobs, SelinuxVersion } from '../profile.ts';
export type { SelinuxVersion };
export const SELINUX_VERSIONS: readonly SelinuxVersion[] = ['none', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'merged', 'fixed'];

export interface SelinuxVariant extends SelinuxFixKnobs {
  /** the token patch: creator_sid, *_as permissions, bpf_token_perms, token hooks */
  tokenPatch: boolean;
  /** v1 (A1): the map_create/prog_load hooks take the creator fd from
   *  attr->token_create.bpffs_fd, which overlays key_size (map) / insn_cnt (prog) */
  creatorFdFromTokenCreateField: boolean;
  /** v1-v2 (A2): selinux_bpf_token_create() returns -EPERM, unaudited, when
   *  the creator lookup gives SECSID_NULL (v3 lets it fall through to unlabeled) */
  nullSidEperm: boolean;
  /** v4+ (A4): creator_sid = SECINITSID_UNLABELED in sb_alloc_security,
   *  compared in cmp_sb_context, copied in sb_clone_mnt_opts */
  creatorSidInit: boolean;
  /** the bpf_token_capable hook: absent (v1-v4), Daniel's self check on the
   *  token's SID with cap_userns classes only (v5), token creator -> grantor
   *  (v6), current -> grantor (v7) */
  tokenCapable: 'none' | 'token-self' | 'creator-grantor' | 'current-grantor';
  /** b07b6f0c5d27: caps 32-63 in init_user_ns use class capability2 (v7: capability, A10) */
  capability2Fix?: boolean;
  /** fix for finding 1: selinux_bpf_prog_load() takes the token from
   *  prog->aux->token (security_bpf_prog_load() is always passed NULL, K6) */
  progLoadAuxToken?: boolean;
  /** no fd is re-resolved at hook time (the fix for finding 3, and what was
   *  merged): bpf_token_create takes the creator from the path the kernel
   *  validated (path->dentry->d_sb, 7.3.4 hooks.c:7439); bpf_map_create /
   *  bpf_prog_load take it from the token's own grantor_sid (hooks.c:7404,
   *  :7422). v2-v7: selinux_bpffs_creator_sid(fd) on the attr's fd numbers */
  validatedObjects?: boolean;
  /** fix for finding 2: every new check (the *_as checks, the creator ->
   *  current checks, token_cmd, token_capable) runs only with bpf_token_perms
   *  on; with it off, SELinux behaves exactly as before the patch */
  polcapGatesAll?: boolean;
  /** fix for finding 4: selinux_bpf_token_cmd() checks current -> grantor
   *  map_create_as / prog_load_as at every use (not a cache of the creator's
   *  decision): a token passed to another domain, or a policy reload that
   *  revokes *_as, takes effect */
  asAtUse?: boolean;
}

const PATCH: SelinuxVariant = {
  tokenPatch: true,
  creatorFdFromTokenCreateField: false,
  nullSidEperm: false,
  creatorSidInit: true,
  tokenCapable: 'current-grantor',
  capability2Fix: false,
};

export const SELINUX_VARIANTS: Record<SelinuxVersion, SelinuxVariant> = {
  none: { ...PATCH, tokenPatch: false, tokenCapable: 'none', creatorSidInit: false },
  v1: { ...PATCH, creatorFdFromTokenCreateField: true, nullSidEperm: true, creatorSidInit: false, tokenCapable: 'none' },
  v2: { ...PATCH, nullSidEperm: true, creatorSidInit: false, tokenCapable: 'none' },
  v3: { ...PATCH, creatorSidInit: false, tokenCapable: 'none' },
  v4: { ...PATCH, tokenCapable: 'none' },
  v5: { ...PATCH, tokenCapable: 'token-self' },
  v6: { ...PATCH, tokenCapable: 'creator-grantor' },
  v7: PATCH,
  // as merged (7.3.4 hooks.c:7392-7511, spec/selinux-token.md §S6): the
  // grantor from the validated path and the token's grantor_sid at use
  // (validatedObjects), capability2 in init_user_ns (capability2Fix, :7503);
  // otherwise v7: only selinux_bpf() tests the polcap (:7308), token_cmd
  // reads the perms cached at creation (:7469-7489), token_capable is
  // current -> grantor (:7510). The token the prog_load hook gets is the
  // core's business (profile knob progLoadHookInVerifier)
  merged: { ...PATCH, capability2Fix: true, validatedObjects: true },
  fixed: {
    ...PATCH,
    capability2Fix: true,
    progLoadAuxToken: true,
    validatedObjects: true,
    polcapGatesAll: true,
    asAtUse: true,
  },
};

/** struct task_security_struct / cred blob */
interface TaskSec {
  sid: number;
}
/** struct superblock_security_struct */
interface SbSec {
  sid: number;
  def_sid: number;
  creator_sid: number;
  initialized: boolean;
}
/** struct bpf_security_struct */
export interface BpfSec {
  sid: number;
  perms: number;
  grantor_sid: number;
}
interface FileSec {
  sid: number;
}

const BPF__MAP_CREATE = 1;
const BPF__PROG_LOAD = 8;

function slot<T>(blob: unknown): T | undefined {
  return (blob as Record<string, unknown> | null | undefined)?.selinux as T | undefined;
}

export class SelinuxLsm implements LsmHooks {
  readonly name = 'selinux';
  readonly k: Kernel;
  variant: SelinuxVariant;
  policy: Policy | null = null;
  /** selinux_initialized(): a policy is loaded */
  initialized = false;
  /** the SID table: sid -> context (type) */
  contexts: string[] = [];
  /** superblocks whose set_mnt_opts was deferred until policy load */
  pending: SuperBlock[] = [];
  /** ids of the superblocks and tokens set up before the first policy load
   *  (bookkeeping for properties: their creator is the policy loader) */
  bornBeforePolicy = new Set<number>();
  /** the AVC's permissive grants: avc_denied() of a permissive decision calls
   *  avc_update_node(AVC_CALLBACK_GRANT), adding the permission to the cached
   *  node's allowed set, so the same request later passes without a denial
   *  (7.3.4 security/selinux/avc.c avc_denied(), :995-1009); a policy load
   *  flushes the cache (avc_ss_reset() from selinux_policy_commit()).
   *  Keys: scontext tcontext tclass perm (a context is one SID here) */
  avcGranted = new Set<string>();

  constructor(k: Kernel, variant: SelinuxVariant) {
    this.k = k;
    this.variant = variant;
    for (const [sid, ctx] of Object.entries(INITIAL_SIDS)) this.contexts[Number(sid)] = ctx;
  }

  /** security_context_to_sid() */
  sidOf(context: string): number {
    const i = this.contexts.indexOf(context);
    if (i >= 0) return i;
    this.contexts[Math.max(100, this.contexts.length)] = context;
    return this.contexts.indexOf(context);
  }

  /** the context of a SID; SECSID_NULL and unknown SIDs are unlabeled (sidtab_search()) */
  contextOf(sid: number): string {
    return this.contexts[sid] ?? 'unlabeled_t';
  }

  /** the initial cred of an actor */
  initCred(cred: Cred, context: string): void {
    cred.security = { ...(cred.security ?? {}), selinux: { sid: this.sidOf(context) } satisfies TaskSec };
  }

  credSid(cred: Cred): number {
    return slot<TaskSec>(cred.security)?.sid ?? SECINITSID_KERNEL;
  }

  /** current_sid() */
  currentSid(): number {
    const t = this.k.current;
    return t ? this.credSid(t.cred) : SECINITSID_KERNEL;
  }

  /** security_load_policy() + selinux_policy_commit(); the first load runs
   *  delayed_superblock_init() for superblocks set up before it, in the
   *  context of the loading task (K2) */
  loadPolicy(decl: PolicyDecl): number {
    let p: Policy;
    try {
      p = compilePolicy(decl);
    } catch {
      return -EINVAL;
    }
    if (rejectsLoad(p, this.variant.tokenPatch)) return -EINVAL;
    this.policy = p;
    this.avcGranted = new Set();
    if (!this.initialized) {
      this.initialized = true;
      const pend = this.pending;
      this.pending = [];
      for (const sb of pend) this.sb_set_mnt_opts(sb);
    }
    return 0;
  }

  /** the policy a hook decides with: `rcu_dereference(selinux_state.policy)`
   *  at the moment of the check (security_compute_av(), security_policycap_supported()
   *  and selinux_policycap_*() read the current policy each time, 6.18
   *  security/selinux/ss/services.c, include/security.h), through Kernel.fn
   *  (a mutant may replace it). A read of another policy than the current one is
   *  recorded for the properties (selinux-create-mediated); reads of the current one
   *  are not (issue 13: an object per AVC check, copied with every state) */
  private pol(): Policy | null {
    const hook = this.k.security.hook;
    const p = this.k.fn.selinux_policy(this.k, this.policy, hook);
    if (p !== this.policy) this.staleReads.push(hook);
    return p;
  }

  /** model only: the hooks whose policy read got another policy than the one loaded at
   *  that moment (properties/selinux-create-mediated.ts) */
  staleReads: string[] = [];

  polcap(name: string): boolean {
    if (!this.initialized) return false;
    const p = this.pol();
    return p !== null && p.polcaps.has(name);
  }

  /** selinux_policycap_bpf_token_perms() */
  private bpfTokenPerms(): boolean {
    return this.polcap('bpf_token_perms');
  }

  /** the patch's new checks run: always (v1-v7, merged), or only with the
   *  polcap on (fixed, finding 2) */
  private newChecks(): boolean {
    return this.variant.tokenPatch && (!this.variant.polcapGatesAll || this.bpfTokenPerms());
  }

  /** the creator -> current create check of the map/prog hooks */
  private creatorCheck(ssid: number, cur: number, perm: string): number {
    return this.avcHasPerm(ssid, cur, 'bpf', perm);
  }

  /** avc_has_perm(ssid, tsid, tclass, requested, NULL): one permission; the
   *  decision is recorded in the step's AVC log */
  avcHasPerm(ssid: number, tsid: number, tclass: string, perm: string, cap?: number): number {
    if (!this.initialized || !this.policy) return 0; // security_compute_av(): everything before policy load
    const p = this.pol() ?? this.policy;
    const scontext = this.contextOf(ssid);
    const tcontext = this.contextOf(tsid);
    const key = `${scontext} ${tcontext} ${tclass} ${perm}`;
    const allowed = policyAllows(p, scontext, tcontext, tclass, perm, this.variant.tokenPatch);
    const granted = allowed || this.avcGranted.has(key);
    const rec: AvcRecord = { scontext, tcontext, tclass, perm, granted, audited: !granted, hook: this.k.security.hook };
    if (cap !== undefined) rec.capability = cap;
    if (granted) {
      // a grant from the cache only: no auditallow rule covers it, nothing is logged
      this.k.security.audit(allowed ? rec : { ...rec, cachedGrant: true });
      return 0;
    }
    // avc_denied(): enforced only when enforcing and the decision's source
    // type is not permissive (security_compute_av() sets
    // AVD_FLAGS_PERMISSIVE from permissive_map of scontext->type,
    // spec/selinux.md §SE1.2)
    const permissive = !p.enforcing || p.permissive.has(scontext);
    this.k.security.audit(permissive ? { ...rec, permissive: true } : rec);
    if (permissive) this.avcGranted.add(key);
    return permissive ? 0 : -EACCES;
  }

  /** avc_has_perm() with a vector of permissions, as selinux_bpf_map() and
   *  bpf_fd_pass() ask map_read|map_write in one call (bpf_map_fmode_to_av(),
   *  7.3.4 security/selinux/hooks.c:7328, :7347, :7372; 6.12.117 :7092, :7111,
   *  :7136). avc_audit_required() (include/avc.h:64 in both): when any
   *  requested permission is denied only the denied ones are audited; only a
   *  fully granted request logs its auditallow'd permissions */
  avcHasPerms(ssid: number, tsid: number, tclass: string, perms: readonly string[]): number {
    if (!this.initialized || !this.policy) return 0;
    if (perms.length === 0) return 0;
    const p = this.pol() ?? this.policy;
    const scontext = this.contextOf(ssid);
    const tcontext = this.contextOf(tsid);
    const hook = this.k.security.hook;
    const keyOf = (perm: string): string => `${scontext} ${tcontext} ${tclass} ${perm}`;
    const allowed = (perm: string): boolean => policyAllows(p, scontext, tcontext, tclass, perm, this.variant.tokenPatch);
    const denied = perms.filter((perm) => !allowed(perm) && !this.avcGranted.has(keyOf(perm)));
    if (denied.length === 0) {
      // fully granted (the cache's permissive grants included): the auditallow'd ones are logged
      for (const perm of perms) {
        const rec: AvcRecord = { scontext, tcontext, tclass, perm, granted: true, audited: false, hook };
        this.k.security.audit(allowed(perm) ? rec : { ...rec, cachedGrant: true });
      }
      return 0;
    }
    const permissive = !p.enforcing || p.permissive.has(scontext);
    for (const perm of denied) {
      const rec = { scontext, tcontext, tclass, perm, granted: false, audited: true, hook };
      this.k.security.audit(permissive ? { ...rec, permissive: true } : rec);
      if (permissive) this.avcGranted.add(keyOf(perm));
    }
    return permissive ? 0 : -EACCES;
  }

  // ------------------------------------------------------------ capabilities

  /** selinux_capable() -> cred_has_capability(cred, cap, opts, ns == &init_user_ns)
   *  (7.3.4 hooks.c:2201, :1650-1683): self check in capability/capability2
   *  (init_user_ns) or cap_userns/cap2_userns, audited unless CAP_OPT_NOAUDIT
   *  (every capable() the model makes audits); through Kernel.fn (a mutant may
   *  replace it) */
  capable(cred: Cred, ns: UserNamespace, cap: number, opts: number): number {
    return this.k.fn.cred_has_capability(this, cred, cap, opts, isInit(ns));
  }

  // ------------------------------------------------------------ superblocks

  /** selinux_sb_alloc_security() */
  sb_alloc_security(sb: SuperBlock): number {
    const sbsec: SbSec = {
      sid: SECINITSID_UNLABELED,
      def_sid: SECINITSID_FILE,
      // v4+: creator_sid = SECINITSID_UNLABELED (7.3.4 hooks.c:2632); before: the zeroed blob (SECSID_NULL)
      creator_sid: this.variant.creatorSidInit ? SECINITSID_UNLABELED : SECSID_NULL,
      initialized: false,
    };
    sb.security!.selinux = sbsec;
    return 0;
  }

  /** selinux_set_mnt_opts(sb, NULL opts) via vfs_get_tree() -> security_sb_set_mnt_opts() */
  sb_set_mnt_opts(sb: SuperBlock): number {
    const sbsec = slot<SbSec>(sb.security);
    if (!sbsec) return 0;
    // !selinux_initialized(): defer until policy load (delayed_superblock_init())
    if (!this.initialized) {
      this.pending.push(sb);
      this.bornBeforePolicy.add(sb.id);
      return 0;
    }
    if (sbsec.initialized) return 0; // SE_SBINITIALIZED
    // the token patch: sbsec->creator_sid = current_sid() (seed 000, hooks.c @733;
    // 7.3.4 hooks.c:749, after the SE_SBINITIALIZED test)
    if (this.variant.tokenPatch) sbsec.creator_sid = this.currentSid();
    sbsec.initialized = true;
    return 0;
  }

  /** selinux_sb_clone_mnt_opts(): v4+ copies creator_sid (NFS only) */
  sb_clone_mnt_opts(oldsb: SuperBlock, newsb: SuperBlock): number {
    const o = slot<SbSec>(oldsb.security);
    const n = slot<SbSec>(newsb.security);
    if (o && n && this.variant.creatorSidInit) n.creator_sid = o.creator_sid;
    return 0;
  }

  /** selinux_cmp_sb_context(): v4+ compares creator_sid (NFS only) */
  cmp_sb_context(oldsb: SuperBlock, newsb: SuperBlock): number {
    const o = slot<SbSec>(oldsb.security);
    const n = slot<SbSec>(newsb.security);
    if (o && n && this.variant.creatorSidInit && o.creator_sid !== n.creator_sid) return -EBUSY;
    return 0;
  }

  /** the creator recorded in a superblock (for properties and traces) */
  creatorOf(sb: SuperBlock): number {
    return slot<SbSec>(sb.security)?.creator_sid ?? SECINITSID_KERNEL;
  }

  // ------------------------------------------------------------ files

  /** selinux_file_alloc_security(): fsec->sid = current_sid() */
  file_alloc_security(file: File): number {
    file.security!.selinux = { sid: this.currentSid() } satisfies FileSec;
    return 0;
  }

  /** selinux_file_receive() -> file_has_perm(): fd:use when the file was
   *  opened by another domain, then bpf_fd_pass() for map and prog files
   *  (token files are not handled). The inode check is not modelled. */
  file_receive(file: File): number {
    const sid = this.currentSid();
    const fsid = slot<FileSec>(file.security)?.sid ?? SECINITSID_KERNEL;
    if (sid !== fsid) {
      const rc = this.avcHasPerm(sid, fsid, 'fd', 'use');
      if (rc) return rc;
    }
    // bpf_fd_pass()
    if (file.obj.kind === 'map') {
      const bsid = slot<BpfSec>(file.obj.map.security)?.sid ?? SECINITSID_KERNEL;
      // bpf_fd_pass(): av = bpf_map_fmode_to_av(file->f_mode), one avc_has_perm()
      // (every map fd of the model is FMODE_READ|FMODE_WRITE: map_create passes 3 to security_bpf_map())
      const rc = this.avcHasPerms(sid, bsid, 'bpf', fmodePerms(3));
      if (rc) return rc;
    }
    if (file.obj.kind === 'prog') {
      const bsid = slot<BpfSec>(file.obj.prog.security)?.sid ?? SECINITSID_KERNEL;
      const rc = this.avcHasPerm(sid, bsid, 'bpf', 'prog_run');
      if (rc) return rc;
    }
    return 0;
  }

  // ------------------------------------------------------------ bpf

  /** selinux_bpf() (7.3.4 hooks.c:7302-7326): self checks at the top of
   *  every bpf(2); with the token patch, nothing at all when bpf_token_perms
   *  (polcap index 14, include/policycap.h:22) is on (:7308) */
  bpf(cmd: number, attr: BpfAttr, size: number, kernel: boolean): number {
    void attr, size, kernel;
    if (this.variant.tokenPatch && this.bpfTokenPerms()) return 0;
    const sid = this.currentSid();
    if (cmd === BPF_MAP_CREATE) return this.avcHasPerm(sid, sid, 'bpf', 'map_create');
    if (cmd === BPF_PROG_LOAD) return this.avcHasPerm(sid, sid, 'bpf', 'prog_load');
    return 0;
  }

  /** selinux_bpf_map(): current -> map for the fmode's map_read/map_write */
  bpf_map(map: BpfMap, fmode: number): number {
    const sid = this.currentSid();
    const bsid = slot<BpfSec>(map.security)?.sid ?? SECINITSID_KERNEL;
    // avc_has_perm(sid, bpfsec->sid, SECCLASS_BPF, bpf_map_fmode_to_av(fmode), NULL)
    return this.avcHasPerms(sid, bsid, 'bpf', fmodePerms(fmode));
  }

  /** selinux_bpf_prog(): current -> prog prog_run */
  bpf_prog(prog: BpfProg): number {
    const bsid = slot<BpfSec>(prog.security)?.sid ?? SECINITSID_KERNEL;
    return this.avcHasPerm(this.currentSid(), bsid, 'bpf', 'prog_run');
  }

  /** selinux_bpffs_creator_sid(fd): CLASS(fd, f)(fd) on the *current* fd
   *  table at hook time; an empty (or O_PATH) fd is SECSID_NULL; a file with
   *  no bpffs path lives on a kernel-internal mount (anon_inodefs, devtmpfs)
   *  whose creator is the kernel */
  bpffsCreatorSid(fd: number): number {
    const t = this.k.current;
    const f = t ? fdget(t.files, fd) : null;
    if (!f) return SECSID_NULL;
    if (!f.path) return SECINITSID_KERNEL;
    const sbsec = slot<SbSec>(f.path.mnt.sb.security);
    return sbsec ? sbsec.creator_sid : SECINITSID_KERNEL;
  }

  /** the grantor_sid recorded in a token's blob */
  private grantorOf(token: BpfToken): number {
    return slot<BpfSec>(token.security)?.grantor_sid ?? SECSID_NULL;
  }

  private newBpfSec(blob: unknown): BpfSec {
    const bpfsec: BpfSec = { sid: this.currentSid(), perms: 0, grantor_sid: SECSID_NULL };
    (blob as Record<string, unknown>).selinux = bpfsec;
    return bpfsec;
  }

  /** selinux_bpf_map_create() (7.3.4 hooks.c:7392-7408): bpfsec->sid =
   *  current; ssid = current without a token, else the token's grantor_sid
   *  (:7404); grantor -> current bpf:map_create (:7406). No polcap test */
  bpf_map_create(map: BpfMap, attr: BpfAttr, token: BpfToken | null, kernel: boolean): number {
    void kernel;
    const bpfsec = this.newBpfSec(map.security);
    if (!this.newChecks()) return 0;
    let ssid: number;
    if (!token) ssid = bpfsec.sid;
    // fixed (finding 3): the grantor recorded in the token the kernel resolved
    else if (this.variant.validatedObjects) ssid = this.grantorOf(token);
    // v1: attr->token_create.bpffs_fd, i.e. the bytes of key_size
    else ssid = this.bpffsCreatorSid(this.variant.creatorFdFromTokenCreateField ? attr.key_size ?? 0 : attr.map_token_fd ?? 0);
    return this.creatorCheck(ssid, bpfsec.sid, 'map_create');
  }

  /** selinux_bpf_prog_load() (7.3.4 hooks.c:7410-7426): as map_create with
   *  bpf:prog_load (:7422, :7424). `token` is what security_bpf_prog_load()
   *  was passed: NULL on 6.9-6.18 (bpf_prog_load() cleared it, K6),
   *  env->prog->aux->token on 7.3.4 (bpf_check(), verifier.c:21268) */
  bpf_prog_load(prog: BpfProg, attr: BpfAttr, token: BpfToken | null, kernel: boolean): number {
    void kernel;
    const bpfsec = this.newBpfSec(prog.security);
    if (!this.newChecks()) return 0;
    // fixed (finding 1): the token bpf_prog_load() moved into prog->aux
    if (this.variant.progLoadAuxToken) token = prog.aux_token;
    let ssid: number;
    if (!token) ssid = bpfsec.sid;
    // fixed (finding 3): the token's grantor, not a re-resolved fd
    else if (this.variant.validatedObjects) ssid = this.grantorOf(token);
    // v1: attr->token_create.bpffs_fd, i.e. the bytes of insn_cnt
    else ssid = this.bpffsCreatorSid(this.variant.creatorFdFromTokenCreateField ? attr.insn_cnt ?? 0 : attr.prog_token_fd ?? 0);
    return this.creatorCheck(ssid, bpfsec.sid, 'prog_load');
  }

  /** selinux_bpf_token_create() (7.3.4 hooks.c:7431-7467): bpfsec->sid =
   *  current, grantor = the creator of the bpffs; current -> grantor
   *  map_create_as (:7451-7456) and prog_load_as (:7458-7463) for the
   *  delegated commands, each audited on denial (avc_has_perm(..., NULL)), the
   *  first denial returned. v2-v7 ignore the validated path and re-read
   *  attr->token_create.bpffs_fd at hook time */
  bpf_token_create(token: BpfToken, attr: BpfAttr, path: Path): number {
    if (!this.initialized) this.bornBeforePolicy.add(token.id);
    if (!this.variant.tokenPatch) {
      this.newBpfSec(token.security);
      return 0;
    }
    // merged, fixed (finding 3): `sbsec = selinux_superblock(path->dentry->d_sb);
    // bpfsec->grantor_sid = sbsec->creator_sid;` (7.3.4 hooks.c:7439, :7443);
    // v2-v7: selinux_bpffs_creator_sid(attr->token_create.bpffs_fd)
    const sid = this.variant.validatedObjects ? (slot<SbSec>(path.dentry.sb.security)?.creator_sid ?? SECINITSID_UNLABELED) : this.bpffsCreatorSid(attr.bpffs_fd ?? 0);
    if (this.variant.polcapGatesAll && !this.bpfTokenPerms()) {
      // fixed (finding 2): record the grantor, check nothing
      this.newBpfSec(token.security).grantor_sid = sid;
      return 0;
    }
    // v1-v2: `if (sid == SECSID_NULL) return -EPERM;` (removed in v3)
    if (this.variant.nullSidEperm && sid === SECSID_NULL) return -EPERM;
    const bpfsec = this.newBpfSec(token.security);
    bpfsec.grantor_sid = sid;
    bpfsec.perms = 0;
    if (token.allowed_cmds & (1n << BigInt(BPF_MAP_CREATE))) {
      const err = this.avcHasPerm(bpfsec.sid, sid, 'bpf', 'map_create_as');
      if (err) return err;
      bpfsec.perms |= BPF__MAP_CREATE;
    }
    if (token.allowed_cmds & (1n << BigInt(BPF_PROG_LOAD))) {
      const err = this.avcHasPerm(bpfsec.sid, sid, 'bpf', 'prog_load_as');
      if (err) return err;
      bpfsec.perms |= BPF__PROG_LOAD;
    }
    return 0;
  }

  /** selinux_bpf_token_cmd() (7.3.4 hooks.c:7469-7489): the permissions
   *  cached at token creation; -EACCES without an AVC lookup (so nothing is
   *  audited) for map_create/prog_load, 0 for any other command */
  bpf_token_cmd(token: BpfToken, cmd: number): number {
    if (!this.newChecks()) return 0; // no such hook before the patch
    const bpfsec = slot<BpfSec>(token.security);
    if (!bpfsec) return 0;
    if (this.variant.asAtUse) {
      // fixed (finding 4): current -> grantor *_as, at every use
      if (cmd === BPF_MAP_CREATE) return this.avcHasPerm(this.currentSid(), bpfsec.grantor_sid, 'bpf', 'map_create_as');
      if (cmd === BPF_PROG_LOAD) return this.avcHasPerm(this.currentSid(), bpfsec.grantor_sid, 'bpf', 'prog_load_as');
      return 0;
    }
    if (cmd === BPF_MAP_CREATE && !(bpfsec.perms & BPF__MAP_CREATE)) return -EACCES;
    if (cmd === BPF_PROG_LOAD && !(bpfsec.perms & BPF__PROG_LOAD)) return -EACCES;
    return 0;
  }

  /** selinux_bpf_token_capable() (v5+; 7.3.4 hooks.c:7491-7511): av =
   *  CAP_TO_MASK(cap); class by CAP_TO_INDEX(cap) and token->userns ==
   *  &init_user_ns: capability / cap_userns (:7499-7501), capability2 /
   *  cap2_userns (:7502-7504; v7: capability, A10); current -> grantor_sid,
   *  audited on denial (:7510) */
  bpf_token_capable(token: BpfToken, cap: number): number {
    const v = this.variant.tokenCapable;
    if (!this.newChecks() || v === 'none') return 0;
    const bpfsec = slot<BpfSec>(token.security);
    if (!bpfsec) return 0;
    const initns = isInit(token.userns);
    const idx = cap < 32 ? 0 : 1;
    let perm = capName(cap).toLowerCase();
    if (v === 'token-self') {
      // Daniel's hook: cap_userns / cap2_userns, token SID as subject and object
      return this.avcHasPerm(bpfsec.sid, bpfsec.sid, idx === 0 ? 'cap_userns' : 'cap2_userns', perm);
    }
    let sclass: string;
    if (idx === 0) sclass = initns ? 'capability' : 'cap_userns';
    // v7 (A10): SECCLASS_CAPABILITY for caps 32-63 in init_user_ns; merged: CAPABILITY2
    else sclass = initns ? (this.variant.capability2Fix ? 'capability2' : 'capability') : 'cap2_userns';
    // av = CAP_TO_MASK(cap): in class capability, bit (cap & 31) names another capability
    if (sclass === 'capability' && idx === 1) perm = capName(cap - 32).toLowerCase();
    // v7: current_sid(); v6: the token's SID (its creator)
    const ssid = v === 'current-grantor' ? this.currentSid() : bpfsec.sid;
    return this.avcHasPerm(ssid, bpfsec.grantor_sid, sclass, perm);
  }
}

/** cred_has_capability() (ModelFns.cred_has_capability; 7.3.4
 *  security/selinux/hooks.c:1650-1683, 6.12.118 :1636 on, the same code):
 *  `ad.type = LSM_AUDIT_DATA_CAP; ad.u.cap = cap;` (7.3.4 :1660-1661), the
 *  class by CAP_TO_INDEX(cap) and initns (:1663-1673), av = CAP_TO_MASK(cap),
 *  a self check; avc_audit() with &ad unless CAP_OPT_NOAUDIT (:1676-1677), so
 *  its record prints " capability=%d " (security/lsm_audit.c:193-194) */
export function cred_has_capability(se: SelinuxCapCheck, cred: Cred, cap: number, opts: number, initns: boolean): number {
  void opts;
  const sclass = cap < 32 ? (initns ? 'capability' : 'cap_userns') : initns ? 'capability2' : 'cap2_userns';
  const sid = se.credSid(cred);
  const ad = { type: 'LSM_AUDIT_DATA_CAP' as const, cap };
  return se.avcHasPerm(sid, sid, sclass, capName(cap).toLowerCase(), ad.cap);
}

/** the policy a SELinux hook reads (ModelFns.selinux_policy): the one loaded now */
export function selinux_policy(k: Kernel, policy: Policy | null, hook: string): Policy | null {
  void k, hook;
  return policy;
}

/** bpf_map_fmode_to_av(): FMODE_READ -> map_read, FMODE_WRITE -> map_write */
function fmodePerms(fmode: number): string[] {
  return [...(fmode & 1 ? ['map_read'] : []), ...(fmode & 2 ? ['map_write'] : [])];
}
