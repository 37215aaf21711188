// Human-readable rendering of a trace: one numbered line per step with its
// arguments and result, read in a minute.

import type { AvcRecord, IpePolicyDecl, LsmAction, PolicyDecl, Scenario, SignatureDecl, Step, StepResult } from './types.ts';
import { attachTypeName, mapTypeName, progTypeName } from './vocab.ts';

const SKIP = new Set(['actor', 'op', 'as', 'expect', 'expect_text', 'label', 'lsm', 'race']);

function policyText(p: PolicyDecl): string {
  const parts = [`allow {${p.allow.join('; ')}}`];
  parts.push(p.polcap?.includes('bpf_token_perms') ? 'bpf_token_perms=1' : 'bpf_token_perms=0');
  if (p.defines_token_perms === false) parts.push(`no *_as perms (handle_unknown=${p.handle_unknown ?? 'deny'})`);
  if (p.enforcing === false) parts.push('permissive');
  if (p.permissive?.length) parts.push(`permissive domains ${p.permissive.join(',')}`);
  return parts.join(', ');
}

function ipeText(p: IpePolicyDecl): string {
  const rules = p.rules.map((r) => {
    const props = [
      r.bpf_signature !== undefined ? `bpf_signature=${r.bpf_signature}` : '',
      r.bpf_kernel !== undefined ? `bpf_kernel=${r.bpf_kernel ? 'TRUE' : 'FALSE'}` : '',
      r.bpf_keyring !== undefined ? `bpf_keyring=${r.bpf_keyring.toUpperCase()}` : '',
    ].filter((x) => x);
    return `op=BPF_PROG_LOAD ${props.join(' ')}${props.length ? ' ' : ''}action=${r.action.toUpperCase()}`;
  });
  const ff = p.fail_fast?.length ? `; post_integrity refuses ${p.fail_fast.join(',')}` : '';
  return `{DEFAULT action=${p.default.toUpperCase()}${rules.map((r) => `; ${r}`).join('')}}${ff}`;
}

function lsmActionText(a: LsmAction): string {
  if (a.action === 'policy_load') return `[admin] load policy: ${policyText(a.policy)}`;
  return `[admin] BPF-LSM program on ${a.hook}: -${a.errno} for ${a.task}`;
}

function arg(k: string, v: unknown, step: Step): string {
  if (k === 'map_type' && typeof v === 'number') return `map_type=${mapTypeName(v)}`;
  if (k === 'prog_type' && typeof v === 'number') return `prog_type=${progTypeName(v)}`;
  if (k === 'expected_attach_type' && typeof v === 'number') return `attach=${attachTypeName(v)}`;
  if (typeof v === 'string') return `${k}=${JSON.stringify(v)}`;
  if (Array.isArray(v)) return `${k}=[${v.join(',')}]`;
  if (k === 'signature' && typeof v === 'object' && v !== null) {
    const sig = v as SignatureDecl;
    return `signature=${sig.state}/${sig.keyring}${sig.maps ? `/maps:${sig.maps}` : ''}`;
  }
  void step;
  return `${k}=${String(v)}`;
}

export function formatStep(step: Step): string {
  const args = Object.entries(step)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => arg(k, v, step))
    .join(' ');
  const race = 'race' in step && step.race ? ` [meanwhile ${step.race.actor}: ${step.race.op}(fd=${JSON.stringify(step.race.fd)}${step.race.to !== undefined ? ` to=${JSON.stringify(step.race.to)}` : ''}) before the LSM hook]` : '';
  return `${step.actor}: ${step.op}(${args})${step.as ? ` as ${step.as}` : ''}${race}`;
}

export function formatSetup(s: Scenario): string[] {
  const lines: string[] = [];
  for (const u of s.userns ?? [])
    lines.push(`userns ${u.name}: child of ${u.parent}, owner kuid ${u.owner}, maps 0..${u.map.count - 1} -> ${u.map.base}..`);
  for (const a of s.actors) {
    const caps = a.caps === 'all' ? 'all caps' : a.caps.length ? a.caps.join(',') : 'no caps';
    const extra = a.thread_of ? `, thread of ${a.thread_of}` : a.mntns && a.mntns !== 'own' ? `, mntns ${a.mntns}` : '';
    const ctx = a.context ? `, context ${a.context}` : '';
    lines.push(`actor ${a.name}: userns ${a.userns}, kuid ${a.kuid}, ${caps}${extra}${ctx}`);
  }
  if (s.lsm_order) lines.push(`lsm=${s.lsm_order.join(',')}`);
  if (s.ipe) lines.push(`ipe policy: ${ipeText(s.ipe)}`);
  if (s.selinux) lines.push(`selinux ${s.selinux.loaded === false ? 'policy not loaded at boot; later ' : ''}policy: ${policyText(s.selinux)}`);
  if (s.sysctl?.unprivileged_bpf_disabled !== undefined) lines.push(`sysctl unprivileged_bpf_disabled=${s.sysctl.unprivileged_bpf_disabled}`);
  return lines;
}

/** one AVC decision, in the kernel's audit wording */
export function formatAvc(a: AvcRecord): string {
  const what = a.granted ? 'granted' : a.permissive ? 'denied (permissive)' : 'denied';
  return `avc: ${what} { ${a.perm} } scontext=${a.scontext} tcontext=${a.tcontext} tclass=${a.tclass} (${a.hook})`;
}

/** The numbered trace; `mark` flags one step (the violation). LSM decisions
 *  are listed under their step: denials by default, every one with 'all'. */
export function formatTrace(s: Scenario, results: StepResult[], mark?: number, avc: 'denials' | 'all' | 'none' = 'denials'): string {
  const out = formatSetup(s).map((l) => `   ${l}`);
  s.steps.forEach((step, i) => {
    for (const a of step.lsm ?? []) out.push(`      ${lsmActionText(a)}`);
    const r = results[i];
    const res = r ? ` -> ${r.ret}${r.text !== undefined ? ` ${JSON.stringify(r.text)}` : ''}` : '';
    out.push(`${i === mark ? '>>' : '  '}${String(i + 1).padStart(2)}. ${formatStep(step)}${res}`);
    for (const a of r?.avc ?? []) if (avc === 'all' || (avc === 'denials' && !a.granted)) out.push(`        ${formatAvc(a)}`);
  });
  return out.join('\n');
}
