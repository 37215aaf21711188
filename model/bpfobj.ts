// Object references (kernel/bpf/syscall.c bpf_map_inc()/bpf_map_put(),
// bpf_prog_inc()/bpf_prog_put()): what fds, pins, attachments and links hold.
// Below syscall.ts, pin.ts and link.ts in the import graph.

import type { Kernel } from './kernel.ts';
import type { BpfMap, BpfProg } from './include/linux/bpf.ts';
import { bpf_token_put } from './token.ts';
import { security_bpf_map_free, security_bpf_prog_free } from './security.ts';

/** bpf_map_inc(): one more reference (a pin, a second fd) */
export function bpf_map_inc(map: BpfMap): void {
  map.refcnt = (map.refcnt ?? 1) + 1;
}

/** bpf_map_put(): the last reference frees the map (security_bpf_map_free()) */
export function bpf_map_put(k: Kernel, map: BpfMap): void {
  map.refcnt = (map.refcnt ?? 1) - 1;
  if (map.refcnt === 0) security_bpf_map_free(k, map);
}

/** bpf_prog_inc(): one more reference (a pin, an attachment, a link, a second fd) */
export function bpf_prog_inc(prog: BpfProg): void {
  prog.refcnt = (prog.refcnt ?? 1) + 1;
}

/** bpf_prog_put() -> __bpf_prog_put(): the last reference puts prog->aux->token
 *  and frees the program (security_bpf_prog_free()) */
export function bpf_prog_put(k: Kernel, prog: BpfProg): void {
  prog.refcnt = (prog.refcnt ?? 1) - 1;
  if (prog.refcnt > 0) return;
  bpf_token_put(k, prog.aux_token);
  security_bpf_prog_free(k, prog);
  // bpf_prog_free() -> bpf_prog_free_deferred() -> bpf_free_used_maps(): the maps
  // and BTFs the verifier bound (fd_array), after the LSM free hook
  bpf_free_used_maps(k, prog);
}

/** bpf_free_used_maps() / bpf_free_used_btfs(): put the maps and BTFs the verifier bound */
export function bpf_free_used_maps(k: Kernel, prog: BpfProg): void {
  const maps = prog.used_maps ?? [];
  const btfs = prog.used_btfs ?? [];
  prog.used_maps = [];
  prog.used_btfs = [];
  for (const m of maps) bpf_map_put(k, m);
  for (const b of btfs) k.btfPut(b);
}
