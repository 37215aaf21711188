// Builds a scenario's LSM stack (security_init(): lsm= order) and gives the
// actors their security contexts.

import type { Kernel, Task } from '../kernel.ts';
import type { Scenario } from '../../scenario/types.ts';
import { DEFAULT_LSM } from '../profile.ts';
import { BpfLsm } from './bpf_lsm.ts';
import { SELINUX_VARIANTS, SelinuxLsm } from './selinux.ts';
import { DeclaredConsumer, DeclaredProvider, HornetLsm, IpeLsm, lsmIdOf } from './integrity.ts';
import { declaredNames, defaultLsmId } from '../../scenario/integrity.ts';

export const LSM_NAMES = ['capability', 'selinux', 'bpf', 'ipe', 'hornet'] as const;
export const DEFAULT_CONTEXT = 'unconfined_t';

/** lsm=: the scenario's order, else the profile's followed by the LSMs the
 *  scenario's integrity declaration adds (providers first) */
export function lsmOrder(k: Kernel, s: Scenario): string[] {
  return s.lsm_order ?? [...(k.profile.lsm ?? DEFAULT_LSM).order, ...declaredNames(s.integrity)];
}

/** registers the LSMs of the order; "capability" (commoncap) is built into
 *  ns_capable() and always runs first, as in the kernel */
export function installLsms(k: Kernel, s: Scenario, tasks: Map<string, Task>): void {
  const declared = declaredNames(s.integrity);
  // the declared LSMs' own ids (for the name of a struct lsm_id another passes)
  const ids = new Map<number, string>();
  [...(s.integrity?.providers ?? []), ...(s.integrity?.consumers ?? [])].forEach((d, i) => {
    const id = d.lsm_id ?? defaultLsmId(i);
    if (!ids.has(id)) ids.set(id, d.name);
  });
  for (const name of lsmOrder(k, s)) {
    if (name === 'selinux') {
      const version = k.profile.lsm?.selinux ?? 'none';
      const fix = k.profile.lsm?.selinuxFix;
      const se = new SelinuxLsm(k, fix ? { ...SELINUX_VARIANTS[version], ...fix } : SELINUX_VARIANTS[version]);
      for (const a of s.actors) se.initCred(tasks.get(a.name)!.cred, a.context ?? DEFAULT_CONTEXT);
      if (s.selinux && s.selinux.loaded !== false) se.loadPolicy(s.selinux);
      k.security.lsms.push(se);
    } else if (name === 'bpf') {
      k.security.lsms.push(new BpfLsm(k));
    } else if (name === 'ipe') {
      // seed 002 consumer (IPE v4+ of the Hornet series); policy from the scenario
      k.security.lsms.push(new IpeLsm(k, s.ipe ?? null));
    } else if (name === 'hornet') {
      // seed 002 provider (Hornet, RFC 08/11)
      k.security.lsms.push(new HornetLsm(k));
    } else {
      // a provider or consumer of the scenario's integrity declaration (issue 12)
      const idx = declared.indexOf(name);
      const p = s.integrity?.providers?.find((x) => x.name === name);
      const c = s.integrity?.consumers?.find((x) => x.name === name);
      if (p) k.security.lsms.push(new DeclaredProvider(k, p, lsmIdOf(p.lsm_id ?? defaultLsmId(idx), ids)));
      else if (c) k.security.lsms.push(new DeclaredConsumer(k, c, lsmIdOf(c.lsm_id ?? defaultLsmId(idx), ids)));
    }
  }
  // the integrity framework of seed 002 in security_bpf_prog_load()
  k.security.integrity = k.profile.integrity ?? null;
}

export function selinuxOf(k: Kernel): SelinuxLsm | null {
  return (k.security.lsms.find((l) => l instanceof SelinuxLsm) as SelinuxLsm | undefined) ?? null;
}

export function bpfLsmOf(k: Kernel): BpfLsm | null {
  return (k.security.lsms.find((l) => l instanceof BpfLsm) as BpfLsm | undefined) ?? null;
}
