// Labels of how deep a compiled scenario went, for fc.statistics-style
// reports (README, bench) and tests that the generator reaches deep states.

import fc from 'fast-check';
import type { Compiled } from './compile.ts';
import { scenarioArb } from './scenario.ts';
import type { LsmGenOptions } from './lsm.ts';
import { findProfile } from '../model/profile.ts';

const TOKEN_USERS = new Set(['map_create', 'prog_load', 'btf_load', 'btf_get_fd_by_id']);

export interface Depth {
  tokenCreated: boolean;
  tokenUseOk: boolean;
  tokenUseFail: boolean;
  steps: number;
}

export function depthOf(c: Compiled): Depth {
  let tokenCreated = false;
  let tokenUseOk = false;
  let tokenUseFail = false;
  c.scenario.steps.forEach((s, i) => {
    const r = c.results[i]!.ret;
    if (s.op === 'token_create' && r === 'ok') tokenCreated = true;
    if (tokenCreated && TOKEN_USERS.has(s.op) && 'token' in s && s.token !== undefined && (s.token_flag ?? true)) {
      if (r === 'ok') tokenUseOk = true;
      else tokenUseFail = true;
    }
  });
  return { tokenCreated, tokenUseOk, tokenUseFail, steps: c.scenario.steps.length };
}

// ---------------------------------------------------------------- LSM depth

/** How deep an LSM scenario (GenOptions.lsm) went. */
export interface LsmDepth {
  /** a token was created while SELinux was in the stack with a policy */
  tokenUnderSelinux: boolean;
  /** a token-backed map_create/prog_load succeeded under SELinux */
  tokenUseUnderSelinux: boolean;
  /** a token fd was sent to another task (SCM_RIGHTS) */
  tokenPassed: boolean;
  /** at least one SELinux AVC denial (enforced or permissive) */
  avcDenial: boolean;
  /** an enforced AVC denial made a step fail */
  avcDenialEnforced: boolean;
  /** a policy_load step action */
  policyReload: boolean;
  /** a step with an fd-table race */
  race: boolean;
  /** a BPF-LSM program was attached */
  bpfLsm: boolean;
}

export function lsmDepthOf(c: Compiled): LsmDepth {
  const steps = c.scenario.steps;
  const order = c.scenario.lsm_order ?? findProfile(c.scenario.profile ?? '')?.lsm?.order ?? [];
  const selinux = c.scenario.selinux !== undefined && order.includes('selinux');
  const d: LsmDepth = {
    tokenUnderSelinux: false,
    tokenUseUnderSelinux: false,
    tokenPassed: false,
    avcDenial: false,
    avcDenialEnforced: false,
    policyReload: false,
    race: false,
    bpfLsm: false,
  };
  let token = false;
  steps.forEach((s, i) => {
    const r = c.results[i]!;
    for (const a of s.lsm ?? []) {
      if (a.action === 'policy_load') d.policyReload = true;
      else d.bpfLsm = true;
    }
    if ('race' in s && s.race) d.race = true;
    const avc = r.avc ?? [];
    if (avc.some((a) => !a.granted)) d.avcDenial = true;
    if (r.ret !== 'ok' && avc.some((a) => !a.granted && !a.permissive)) d.avcDenialEnforced = true;
    // an SELinux decision was made, so a policy is loaded
    const seen = selinux && avc.length > 0;
    if (s.op === 'token_create' && r.ret === 'ok') {
      token = true;
      if (selinux) d.tokenUnderSelinux = true;
    }
    if (token && (s.op === 'map_create' || s.op === 'prog_load') && s.token !== undefined && (s.token_flag ?? true) && r.ret === 'ok' && seen)
      d.tokenUseUnderSelinux = true;
    if (s.op === 'send_fd' && s.fd.startsWith('tok') && r.ret === 'ok') d.tokenPassed = true;
  });
  return d;
}

const LSM_LABELS: Array<[keyof LsmDepth, string]> = [
  ['tokenUnderSelinux', 'token created under SELinux'],
  ['tokenUseUnderSelinux', 'token-backed map_create/prog_load ok under SELinux'],
  ['tokenPassed', 'token passed to another task'],
  ['avcDenial', 'AVC denial seen'],
  ['avcDenialEnforced', 'enforced AVC denial failed a step'],
  ['policyReload', 'policy reload'],
  ['race', 'fd-table race'],
  ['bpfLsm', 'BPF-LSM program attached'],
];

/** the fraction of scenarios with each LSM depth label, one line per label */
export function formatLsmDepth(compiled: readonly Compiled[]): string {
  const d = compiled.map(lsmDepthOf);
  const n = Math.max(1, d.length);
  return LSM_LABELS.map(([k, label]) => `  ${label.padEnd(52)} ${((100 * d.filter((x) => x[k]).length) / n).toFixed(1).padStart(5)}%`).join('\n');
}

/** For bench/README: samples `runs` LSM scenarios on a profile (every LSM
 *  generator feature on by default) and returns the depth table, e.g.
 *    console.log(lsmDepthReport({ profile: 'selinux-token-merged' }))   */
export function lsmDepthReport(o: { profile?: string; runs?: number; seed?: number; lsm?: LsmGenOptions } = {}): string {
  const name = o.profile ?? 'selinux-token-merged';
  const profile = findProfile(name);
  if (!profile) throw new Error(`unknown profile '${name}'`);
  const runs = o.runs ?? 2000;
  const seed = o.seed ?? 42;
  const lsm = o.lsm ?? { races: true, bpfLsm: true };
  const compiled = fc.sample(scenarioArb({ profile, lsm }), { numRuns: runs, seed });
  return `LSM depth on ${name} (${runs} scenarios, seed ${seed}):\n${formatLsmDepth(compiled)}`;
}
