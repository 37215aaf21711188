// Capability numbers (include/uapi/linux/capability.h). A capability set is a
// plain number used as a bit set over 41 bits (exact in a double; bit tests use
// arithmetic because JS bitwise ops are 32-bit).

import { CAP_NAMES, capByName, capName } from '../scenario/vocab.ts';

export { capByName, capName };

export const CAP_LAST_CAP = CAP_NAMES.length - 1;

export const CAP_DAC_OVERRIDE = 1;
export const CAP_DAC_READ_SEARCH = 2;
export const CAP_FOWNER = 3;
export const CAP_FSETID = 4;
export const CAP_SETGID = 6;
export const CAP_SETUID = 7;
export const CAP_SETFCAP = 31;
export const CAP_NET_ADMIN = 12;
export const CAP_SYS_CHROOT = 18;
export const CAP_SYS_ADMIN = 21;
export const CAP_SYS_RESOURCE = 24;
export const CAP_PERFMON = 38;
export const CAP_BPF = 39;

export type CapSet = number;

export const CAP_EMPTY: CapSet = 0;
export const CAP_FULL: CapSet = 2 ** (CAP_LAST_CAP + 1) - 1;

/** 2 ** cap for every capability number, computed once (capRaised() runs for every capability check) */
const POW2: readonly number[] = Array.from({ length: 64 }, (_, i) => 2 ** i);

export function capRaised(set: CapSet, cap: number): boolean {
  return Math.floor(set / (POW2[cap] ?? 2 ** cap)) % 2 === 1;
}

export function capAdd(set: CapSet, cap: number): CapSet {
  return capRaised(set, cap) ? set : set + 2 ** cap;
}

export function capDrop(set: CapSet, cap: number): CapSet {
  return capRaised(set, cap) ? set - 2 ** cap : set;
}

/** a ⊆ b */
export function capSubset(a: CapSet, b: CapSet): boolean {
  // split into 32-bit halves: JS bitwise operators are 32-bit
  const alo = a % 2 ** 32;
  const blo = b % 2 ** 32;
  const ahi = Math.floor(a / 2 ** 32);
  const bhi = Math.floor(b / 2 ** 32);
  return (alo & ~blo) === 0 && (ahi & ~bhi) === 0;
}

export function capsFromNames(names: readonly string[] | 'all'): CapSet {
  if (names === 'all') return CAP_FULL;
  let s = CAP_EMPTY;
  for (const n of names) {
    const c = capByName(n);
    if (c === undefined) throw new Error(`unknown capability '${n}'`);
    s = capAdd(s, c);
  }
  return s;
}

export function capsToNames(set: CapSet): string[] {
  const out: string[] = [];
  for (let c = 0; c <= CAP_LAST_CAP; c++) if (capRaised(set, c)) out.push(CAP_NAMES[c]!);
  return out;
}

/** hex u64 text of a cap set, for the executor protocol */
export function capsToHex(set: CapSet): string {
  return set.toString(16);
}
