// The LSM extension points (security/security.c, include/linux/lsm_hook_defs.h,
// 6.18 signatures from the running kernel's BTF). Every place where the kernel
// calls a hook, the model calls the hook of the same name here, with the
// arguments the kernel passes at that call site. The LSM layer (model/lsm/)
// plugs implementations in; with no LSM registered every int hook returns 0.

import type { Cred, UserNamespace } from './userns.ts';
import type { BpfToken } from './token.ts';
import type { BpfMap, BpfProg, BpfAttr } from './syscall.ts';
import type { Path, File, SuperBlock } from './vfs.ts';
import type { FsContext, FsParameter } from './fs_context.ts';

export interface LsmHooks {
  name: string;
  capable?(cred: Cred, ns: UserNamespace, cap: number, opts: number): number;
  capset?(newCred: Cred, oldCred: Cred): number;
  task_fix_setuid?(newCred: Cred, oldCred: Cred, flags: number): number;
  bpf?(cmd: number, attr: BpfAttr, size: number, kernel: boolean): number;
  bpf_map?(map: BpfMap, fmode: number): number;
  bpf_prog?(prog: BpfProg): number;
  bpf_map_create?(map: BpfMap, attr: BpfAttr, token: BpfToken | null, kernel: boolean): number;
  bpf_map_free?(map: BpfMap): void;
  bpf_prog_load?(prog: BpfProg, attr: BpfAttr, token: BpfToken | null, kernel: boolean): number;
  bpf_prog_free?(prog: BpfProg): void;
  bpf_token_create?(token: BpfToken, attr: BpfAttr, path: Path): number;
  bpf_token_free?(token: BpfToken): void;
  bpf_token_cmd?(token: BpfToken, cmd: number): number;
  bpf_token_capable?(token: BpfToken, cap: number): number;
  inode_permission?(path: Path, mask: number): number;
  fs_context_parse_param?(fc: FsContext, param: FsParameter): number;
  sb_alloc_security?(sb: SuperBlock): number;
  sb_set_mnt_opts?(sb: SuperBlock): number;
  sb_kern_mount?(sb: SuperBlock): number;
  sb_mount?(devName: string, type: string, flags: number, data: string): number;
  sb_remount?(sb: SuperBlock): number;
  file_receive?(file: File): number;
}

type IntHook = {
  [K in keyof LsmHooks]-?: NonNullable<LsmHooks[K]> extends (...a: never[]) => number ? K : never;
}[keyof LsmHooks];

type VoidHook = 'bpf_map_free' | 'bpf_prog_free' | 'bpf_token_free';

/** One trace line per hook call: lets tests and the LSM layer see call order. */
export interface HookCall {
  hook: string;
  ret: number;
}

export class SecurityStack {
  lsms: LsmHooks[] = [];
  /** when non-null, every hook call is appended */
  trace: HookCall[] | null = null;

  /** call_int_hook(): LSMs in order, the first non-zero return wins (positive too) */
  callInt<K extends IntHook>(hook: K, ...args: Parameters<NonNullable<LsmHooks[K]>>): number {
    let ret = 0;
    for (const l of this.lsms) {
      const f = l[hook] as ((...a: unknown[]) => number) | undefined;
      if (!f) continue;
      ret = f.apply(l, args);
      if (ret !== 0) break;
    }
    if (this.trace) this.trace.push({ hook, ret });
    return ret;
  }

  /** security_fs_context_parse_param(): -ENOPARAM unless an LSM claims the
   *  parameter (0) or refuses it (any other error) */
  fsContextParseParam(fc: FsContext, param: FsParameter): number {
    let rc = -519; // -ENOPARAM
    for (const l of this.lsms) {
      if (!l.fs_context_parse_param) continue;
      const trc = l.fs_context_parse_param(fc, param);
      if (trc === 0) rc = 0;
      else if (trc !== -519) return trc;
    }
    if (this.trace) this.trace.push({ hook: 'fs_context_parse_param', ret: rc });
    return rc;
  }

  /** call_void_hook() */
  callVoid<K extends VoidHook>(hook: K, ...args: Parameters<NonNullable<LsmHooks[K]>>): void {
    for (const l of this.lsms) {
      const f = l[hook] as ((...a: unknown[]) => void) | undefined;
      if (f) f.apply(l, args);
    }
    if (this.trace) this.trace.push({ hook, ret: 0 });
  }
}
