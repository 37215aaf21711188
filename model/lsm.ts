// The LSM extension points (security/security.c, include/linux/lsm_hook_defs.h,
// 6.18 signatures from the running kernel's BTF). Every place where the kernel
// calls a hook, the model calls the hook of the same name here, with the
// arguments the kernel passes at that call site. The LSM layer (model/lsm/)
// plugs implementations in; with no LSM registered every int hook returns 0.

import type { BpfToken, BpfMap, BpfProg, BpfAttr } from './include/linux/bpf.ts';
import type { Path, SuperBlock } from './include/linux/fs.ts';
import type { File } from './include/linux/file.ts';
import type { FsContext, FsParameter } from './include/linux/fs_context.ts';
import type { AvcRecord, VerdictName } from '../scenario/types.ts';
import { type LsmId, type Verdict, verdictName } from './include/linux/security.ts';
import type { IntegrityVariant } from './profile.ts';
import { ENOMEM } from './errno.ts';

export type { AvcRecord };

import type { IntHook, LsmHooks, VoidHook } from './include/linux/lsm_hook_defs.ts';
export type { IntHook, LsmHooks };

/** counters of the LSM framework's blob allocations (lsm_blob_alloc()) and frees */
export interface BlobCounts {
  alloc: number;
  free: number;
  /** kfree() of a blob already freed (the same allocation twice) */
  doubleFree: number;
}

/** One trace line per hook call: lets tests and the LSM layer see call order. */
export interface HookCall {
  hook: string;
  ret: number;
  /** the hook's arguments as the call site passes them (call_int_hook() /
   *  call_void_hook() hand each LSM the same ones): the VM's BPF-LSM trace
   *  (vm/lsmtrace.ts) reads the salient ones (cmd, token NULL or not, cap,
   *  object identity) from here, as a BPF-LSM program reads its context */
  args?: readonly unknown[];
  /** the LSMs whose callback ran, in stack order: call_int_hook() stops at the
   *  first non-zero return (security/security.c), so an LSM after a refusing
   *  one is not called; call_void_hook() calls every one */
  lsms?: string[];
}

/** Model only: one line per event of a prog's LSM life (seed 002's ordering
 *  claims are about these): a callback of a prog-load hook by one LSM, a
 *  verdict delivery, a blob allocation or kfree, a security_bpf_prog_free(). */
export interface LsmTraceEntry {
  /** 'bpf_prog_load_integrity' | 'bpf_prog_load_post_integrity' | 'bpf_prog_load' |
   *  'bpf_prog_free' (one LSM's callback); 'deliver' (a provider calls
   *  security_bpf_prog_load_post_integrity()); 'lsm_bpf_prog_alloc'; 'kfree'
   *  (of prog->aux->security); 'security_bpf_prog_free' (the hook, once per call) */
  hook: string;
  /** the LSM whose callback ran, or the provider that delivers ('' for framework events) */
  lsm: string;
  /** the callback's return (for 'deliver': the nested call_int_hook's result) */
  ret: number;
  prog: BpfProg;
  /** the hook's token argument is non-NULL */
  token: boolean;
  /** prog->aux->token is non-NULL (the load used a token) */
  auxToken: boolean;
  /** prog->aux->security is non-NULL when the callback runs */
  blob: boolean;
  kernel: boolean;
  /** 'deliver' and post_integrity callbacks: the verdict */
  verdict?: VerdictName;
  /** 'deliver' and post_integrity callbacks: the verdict as passed (an int: a
   *  value outside enum lsm_integrity_verdict shows here, `verdict` says NONE) */
  verdictValue?: number;
  /** 'deliver': the lsm_id->id the provider passed (the framework passes it on unchecked) */
  lsmId?: number;
  /** 'deliver' and its callbacks: run after bpf() returned (a provider's late delivery) */
  late?: boolean;
}

/** Hornet's hash loop (model/lsm/integrity.ts hashLoop()): the maps it found at the
 *  fd_array entries it read, for that prog (a model observation, not a hook call) */
export interface HashedMaps {
  prog: BpfProg;
  maps: BpfMap[];
}

/** the shared empty lists a step starts with (never pushed to: SecurityStack.audit(),
 *  queueAtHook() and queueAfterReturn() give a step its own when it has something) */
export const NO_AVC = [] as AvcRecord[];
export const NO_WORK = [] as Array<() => void>;
export const NO_AT = [] as Array<{ hook: string; run: () => void }>;
/** SecurityStack.ran of a call made without a trace: never written */
const NOT_TRACED: string[] = [];

/** the framework functions a mutant may replace (part of Kernel.fn, model/kernel.ts ModelFns) */
export interface SecurityFns {
  /** call_int_hook() (security/security.c): the LSMs in order, the first non-zero return wins */
  call_int_hook(s: SecurityStack, hook: IntHook, args: unknown[]): number;
  /** the `kfree(x->security); x->security = NULL;` of security_bpf_{map,prog,token}_free() (security/security.c) */
  security_blob_free(s: SecurityStack, o: { security: unknown }): void;
}

const PROG_TRACED = new Set(['bpf_prog_load_integrity', 'bpf_prog_load_post_integrity', 'bpf_prog_load']);

export class SecurityStack {
  lsms: LsmHooks[] = [];
  /** when non-null, every hook call is appended */
  trace: HookCall[] | null = null;
  /** the AVC records of the current step (SELinux appends, run.ts collects) */
  avc: AvcRecord[] = [];
  /** records an AVC decision of the current step (a step starts with the shared empty
   *  list, NO_AVC, and gets its own at its first record: issue 13, allocations per step) */
  audit(rec: AvcRecord): void {
    if (this.avc === NO_AVC) this.avc = [];
    this.avc.push(rec);
  }
  /** queues an in-syscall administration for right before `hook` (atHook) */
  queueAtHook(entry: { hook: string; run: () => void }): void {
    if (this.atHook === NO_AT) this.atHook = [];
    this.atHook.push(entry);
  }
  /** queues work for after the current syscall returned (afterReturn) */
  queueAfterReturn(w: () => void): void {
    if (this.afterReturn === NO_WORK) this.afterReturn = [];
    this.afterReturn.push(w);
  }
  /** the hook being called (for AVC records) */
  hook = '';
  /** bpf map/prog/token blobs allocated and freed by the framework */
  blobs: BlobCounts = { alloc: 0, free: 0, doubleFree: 0 };
  /** the replaceable functions (Kernel.fn): call_int_hook(), the blob free */
  fn: SecurityFns | null = null;
  /** 6.12.117: security_bpf_map_create(), _prog_load() and _token_create() are a
   *  bare call_int_hook() (security/security.c:5757, :5775, :5792): a refusal frees
   *  nothing inside the hook; the caller's error path frees once (profile
   *  knob lsmRefusalCallerFreesOnly) */
  refusalCallerFreesOnly = false;
  /** the integrity framework of seed 002 (Profile.integrity), or null (6.18) */
  integrity: IntegrityVariant | null = null;
  /** model only: the prog-load LSM events (properties clear it before a step) */
  lsmTrace: LsmTraceEntry[] = [];
  /** every hash loop of Hornet so far (properties/integrity-hashed-maps-used.ts reads it) */
  hashed: HashedMaps[] = [];
  /** model only: in-syscall LSM administration (a policy_load with `at`,
   *  model/run.ts): run (once) right before the first call of that hook, i.e.
   *  at the preemption point that precedes it */
  atHook: Array<{ hook: string; run: () => void }> = [];
  /** model only: work an LSM queued to run after the current syscall returned
   *  (an integrity provider delivering its verdict late, scenario
   *  `integrity` deliveries "after_return"); model/run.ts runs it when the step's
   *  syscalls are done */
  afterReturn: Array<() => void> = [];
  /** model only: the step's syscall has returned (the after-return work runs) */
  returned = false;
  /** nesting depth of security_bpf_prog_load_post_integrity() (a consumer that re-enters) */
  private postIntegrityDepth = 0;

  /** runs the pending administration due before `hook` */
  private beforeHook(hook: string): void {
    if (!this.atHook.length) return;
    const due = this.atHook.filter((a) => a.hook === hook);
    if (!due.length) return;
    this.atHook = this.atHook.filter((a) => a.hook !== hook);
    for (const a of due) a.run();
  }


  private progEvent(hook: string, lsm: string, ret: number, prog: BpfProg, token: BpfToken | null, kernel: boolean, verdict?: number): LsmTraceEntry {
    const e: LsmTraceEntry = { hook, lsm, ret, prog, token: token !== null, auxToken: prog.aux_token !== null, blob: prog.security !== null, kernel };
    if (verdict !== undefined) {
      e.verdict = verdictName(verdict);
      e.verdictValue = verdict;
    }
    if (this.returned) e.late = true;
    this.lsmTrace.push(e);
    return e;
  }

  /** call_int_hook(): LSMs in order, the first non-zero return wins (positive
   *  too); through Kernel.fn (a mutant may replace it) */
  callInt<K extends IntHook>(hook: K, ...args: Parameters<NonNullable<LsmHooks[K]>>): number {
    this.beforeHook(hook);
    const outer = this.hook;
    const outerRan = this.ran;
    this.hook = hook;
    // the LSMs that ran are kept for the trace only: no list per call without one (issue 13)
    const ran: string[] = this.trace ? [] : NOT_TRACED;
    this.ran = ran;
    const ret = this.fn!.call_int_hook(this, hook, args);
    this.hook = outer;
    this.ran = outerRan;
    if (this.trace) this.trace.push({ hook, ret, args, lsms: ran });
    return ret;
  }

  /** the LSMs of the current callInt() that had the hook, in order */
  private ran: string[] = [];

  /** by LSM name: how many of its int hooks returned non-zero (a refusal, or a positive
   *  value), fs_context_parse_param's claims aside. An LSM that never refused in a syscall
   *  cannot have made it fail: a property asking "did SELinux make this fail" needs its
   *  run without SELinux only when this grew (issue 13: that run was 4% of a v7 campaign) */
  nonzero: Record<string, number> = {};

  /** one LSM's int hook inside call_int_hook(): undefined when it has none */
  invokeInt(l: LsmHooks, hook: IntHook, args: unknown[]): number | undefined {
    const f = l[hook] as ((...a: unknown[]) => number) | undefined;
    if (!f) return undefined;
    if (this.ran !== NOT_TRACED) this.ran.push(l.name);
    const traced = PROG_TRACED.has(hook) ? this.progEvent(hook, l.name, 0, args[0] as BpfProg, args[2] as BpfToken | null, args[3] as boolean, args[5] as number | undefined) : null;
    if (traced) traced.blob = (args[0] as BpfProg).security !== null;
    const ret = f.apply(l, args);
    if (traced) traced.ret = ret;
    if (ret !== 0) this.nonzero[l.name] = (this.nonzero[l.name] ?? 0) + 1;
    return ret;
  }

  /** lsm_blob_alloc() of an object's composite blob: one slot per LSM */
  private blobAlloc(): Record<string, unknown> {
    this.blobs.alloc++;
    return {};
  }

  /** kfree(x->security): counts the free (a second kfree of the same blob is
   *  a double free) */
  kfreeBlob(o: { security: unknown }): void {
    if (o.security === null) return; // kfree(NULL)
    const blob = o.security as Record<string, unknown>;
    if (blob.__kfreed === true) this.blobs.doubleFree++;
    blob.__kfreed = true;
    this.blobs.free++;
  }

  private blobFree(o: { security: unknown }): void {
    this.fn!.security_blob_free(this, o);
  }

  /** security_bpf_map_create(): allocate the blob, call the hooks, free the
   *  blob (security_bpf_map_free()) if one refuses */
  bpfMapCreate(map: BpfMap, attr: BpfAttr, token: BpfToken | null, kernel: boolean): number {
    map.security = this.blobAlloc();
    const rc = this.callInt('bpf_map_create', map, attr, token, kernel);
    if (rc && !this.refusalCallerFreesOnly) this.bpfMapFree(map);
    return rc;
  }

  /** security_bpf_map_free(): the free hooks, then kfree(map->security) (NULL-safe) */
  bpfMapFree(map: BpfMap): void {
    this.callVoid('bpf_map_free', map);
    this.blobFree(map);
  }

  /** security_bpf_prog_load() */
  bpfProgLoad(prog: BpfProg, attr: BpfAttr, token: BpfToken | null, kernel: boolean): number {
    const iv = this.integrity;
    // lsm_bpf_prog_alloc(): the zeroed composite blob; `rc = lsm_bpf_prog_alloc(prog);
    // if (unlikely(rc)) return rc;` (6.18 and seed 002 security_bpf_prog_load()):
    // -ENOMEM before any callback (scenario fault blob_enomem)
    if (attr.fault === 'blob_enomem') return -ENOMEM;
    prog.security = this.blobAlloc();
    this.progEvent('lsm_bpf_prog_alloc', '', 0, prog, token, kernel);
    if (!iv) {
      // 6.18: one phase; a refusal frees inside the hook (and the caller again)
      const rc = this.callInt('bpf_prog_load', prog, attr, token, kernel);
      if (rc && !this.refusalCallerFreesOnly) this.bpfProgFree(prog);
      return rc;
    }
    // seed 002 (RFC 01/11): rc = call_int_hook(bpf_prog_load_integrity, ...);
    // if (unlikely(rc)) goto err;  (spec/integrity-rfc.md §I1.2 steps 2-3)
    let rc = iv.phases === 'split' ? this.callInt('bpf_prog_load_integrity', prog, attr, token, kernel) : 0;
    if (!rc || !iv.checkIntegrityRc) {
      // rc = call_int_hook(bpf_prog_load, ...); if (unlikely(rc)) goto err; (step 4-5)
      rc = this.callInt('bpf_prog_load', prog, attr, token, kernel);
    }
    // err: security_bpf_prog_free(prog); return rc; (step 6)
    if (rc && iv.freeInHook) this.bpfProgFree(prog);
    return rc;
  }

  /** security_bpf_prog_load_post_integrity() (seed 002): called by a provider
   *  from inside its bpf_prog_load_integrity callback; a nested call_int_hook */
  bpfProgLoadPostIntegrity(prog: BpfProg, attr: BpfAttr, token: BpfToken | null, kernel: boolean, lsmid: LsmId, verdict: Verdict | number, caller?: string): number {
    // seed 002 security/security.c (hunk @@ -5779,6 +5779,50 @@; spec/integrity-rfc.md §I7):
    // `return call_int_hook(bpf_prog_load_post_integrity,
    // prog, attr, token, kernel, lsmid, verdict);` -- nothing else: no check of
    // lsmid (any LSM may pass any struct lsm_id), of how often or when it is
    // called (a second delivery, or one after bpf() returned, reaches every
    // consumer again), or of the verdict's value (an int outside enum
    // lsm_integrity_verdict passes); a positive result stops call_int_hook()
    // like an error. The RFC is silent on a callback that calls back into the
    // hook (a consumer re-entering): there is no guard; the model's depth
    // bound only turns a model loop into an error.
    // `caller` (model only): the LSM that really calls, for the trace
    const e = this.progEvent('deliver', caller ?? lsmid.name, 0, prog, token, kernel, verdict);
    e.lsmId = lsmid.id;
    if (++this.postIntegrityDepth > 64) throw new Error('model: security_bpf_prog_load_post_integrity() nested 64 deep (consumers re-entering without end)');
    try {
      e.ret = this.callInt('bpf_prog_load_post_integrity', prog, attr, token, kernel, lsmid, verdict);
    } finally {
      this.postIntegrityDepth--;
    }
    return e.ret;
  }

  /** security_bpf_prog_free() */
  bpfProgFree(prog: BpfProg): void {
    this.progEvent('security_bpf_prog_free', '', 0, prog, null, false);
    this.callVoid('bpf_prog_free', prog);
    if (prog.security !== null) this.progEvent('kfree', '', 0, prog, null, false);
    this.blobFree(prog);
  }

  /** security_bpf_token_create() */
  bpfTokenCreate(token: BpfToken, attr: BpfAttr, path: Path): number {
    token.security = this.blobAlloc();
    const rc = this.callInt('bpf_token_create', token, attr, path);
    if (rc && !this.refusalCallerFreesOnly) this.bpfTokenFree(token);
    return rc;
  }

  /** security_bpf_token_free() */
  bpfTokenFree(token: BpfToken): void {
    this.callVoid('bpf_token_free', token);
    this.blobFree(token);
  }

  /** security_sb_alloc() (alloc_super()): the composite superblock blob, then the hooks */
  sbAlloc(sb: SuperBlock): number {
    sb.security = {};
    return this.callInt('sb_alloc_security', sb);
  }

  /** security_file_alloc() (alloc_empty_file()) */
  fileAlloc(file: File): number {
    file.security = {};
    return this.callInt('file_alloc_security', file);
  }

  /** security_fs_context_parse_param(): -ENOPARAM unless an LSM claims the
   *  parameter (0) or refuses it (any other error) */
  fsContextParseParam(fc: FsContext, param: FsParameter): number {
    let rc = -519; // -ENOPARAM
    for (const l of this.lsms) {
      if (!l.fs_context_parse_param) continue;
      const trc = l.fs_context_parse_param(fc, param);
      if (trc === 0) rc = 0;
      else if (trc !== -519) {
        this.nonzero[l.name] = (this.nonzero[l.name] ?? 0) + 1;
        return trc;
      }
    }
    if (this.trace) this.trace.push({ hook: 'fs_context_parse_param', ret: rc });
    return rc;
  }

  /** call_void_hook() */
  callVoid<K extends VoidHook>(hook: K, ...args: Parameters<NonNullable<LsmHooks[K]>>): void {
    const outer = this.hook;
    this.hook = hook;
    const ran: string[] = [];
    for (const l of this.lsms) {
      const f = l[hook] as ((...a: unknown[]) => void) | undefined;
      if (!f) continue;
      ran.push(l.name);
      if (hook === 'bpf_prog_free') this.progEvent(hook, l.name, 0, args[0] as BpfProg, null, false);
      f.apply(l, args);
    }
    this.hook = outer;
    if (this.trace) this.trace.push({ hook, ret: 0, args, lsms: ran });
  }
}

/** call_int_hook() (security/security.c): `RC = P->hook.FUNC(__VA_ARGS__);
 *  if (RC != LSM_RET_DEFAULT(FUNC)) break;` over the LSMs in order */
export function call_int_hook(s: SecurityStack, hook: IntHook, args: unknown[]): number {
  let ret = 0;
  for (const l of s.lsms) {
    const r = s.invokeInt(l, hook, args);
    if (r === undefined) continue;
    ret = r;
    if (ret !== 0) break;
  }
  return ret;
}

/** security_bpf_{map,prog,token}_free(): `kfree(x->security); x->security =
 *  NULL;`, so the caller's second free (free_map_sec etc.) is a kfree(NULL) */
export function security_blob_free(s: SecurityStack, o: { security: unknown }): void {
  s.kfreeBlob(o);
  o.security = null;
}
