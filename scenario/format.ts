// Human-readable rendering of a trace: one numbered line per step with its
// arguments and result, read in a minute.

import type { AvcRecord, IpePolicyDecl, LsmAction, PolicyDecl, Scenario, SignatureDecl, Step, StepResult } from './types.ts';
import { attachTypeName, mapTypeName, progTypeName } from './vocab.ts';
import { printAvc } from '../vm/selinux/audit.ts';
import { integrityText } from './integrity.ts';

const SKIP = new Set(['actor', 'op', 'as', 'expect', 'expect_text', 'label', 'lsm', 'race']);

/** an allow rule "S T:class p1 p2" as a .te statement ("allow S T:class { p1 p2 };") */
export function teRule(r: string): string {
  const m = /^\s*(\S+)\s+(\S+:\S+)\s+(.+?)\s*$/.exec(r);
  if (!m) return `# ${r}`;
  const perms = m[3]!.split(/\s+/);
  return `allow ${m[1]} ${m[2]} ${perms.length === 1 ? perms[0] : `{ ${perms.join(' ')} }`};`;
}

/** what a policy declares besides its rules, one line */
function policyOptions(p: PolicyDecl): string {
  const parts = [p.polcap?.includes('bpf_token_perms') ? 'policycap bpf_token_perms=1' : 'policycap bpf_token_perms=0'];
  if (p.defines_token_perms === false) parts.push(`no *_as perms (handle_unknown=${p.handle_unknown ?? 'deny'})`);
  else if (p.handle_unknown !== undefined) parts.push(`handle_unknown=${p.handle_unknown}`);
  if (p.enforcing === false) parts.push('permissive mode');
  if (p.permissive?.length) parts.push(`permissive domains ${p.permissive.join(',')}`);
  return parts.join(', ');
}

/** a policy as .te-style allow rules, one per line, after a line of its options */
function policyLines(p: PolicyDecl, head: string, indent: string): string[] {
  const rules = p.allow.map((r) => `${indent}  ${teRule(r)}`);
  return [`${indent}${head} (${policyOptions(p)})${rules.length ? ':' : ': no allow rules'}`, ...rules];
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

export function lsmActionLines(a: LsmAction, indent: string): string[] {
  if (a.action === 'policy_load') return policyLines(a.policy, a.at === undefined ? '[admin] load policy' : `[admin] load policy (completing inside the syscall, before its first ${a.at} hook)`, indent);
  return [`${indent}[admin] BPF-LSM program on ${a.hook}: ${a.ret !== undefined ? `returns ${a.ret}` : `-${a.errno}`} for ${a.task}`];
}

function arg(k: string, v: unknown, step: Step): string {
  if (k === 'map_type' && typeof v === 'number') return `map_type=${mapTypeName(v)}`;
  if (k === 'prog_type' && typeof v === 'number') return `prog_type=${progTypeName(v)}`;
  if (k === 'expected_attach_type' && typeof v === 'number') return `attach=${attachTypeName(v)}`;
  // permission bits read as the kernel's headers write them (mode=0755)
  if (k === 'mode' && step.op === 'chmod' && typeof v === 'number') return `mode=0${v.toString(8)}`;
  if (typeof v === 'string') return `${k}=${JSON.stringify(v)}`;
  if (Array.isArray(v)) return `${k}=[${v.join(',')}]`;
  if (k === 'signature' && typeof v === 'object' && v !== null) {
    const sig = v as SignatureDecl;
    return `signature=${sig.state}/${sig.keyring}${sig.maps ? `/maps:${sig.maps}` : ''}`;
  }
  return `${k}=${String(v)}`;
}

export function formatStep(step: Step): string {
  const args = Object.entries(step)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => arg(k, v, step))
    .join(' ');
  const race = 'race' in step && step.race ? ` [meanwhile ${step.race.actor}: ${step.race.op}(fd=${JSON.stringify(step.race.fd)}${step.race.to !== undefined ? ` to=${JSON.stringify(step.race.to)}` : ''}) ${step.race.at === 'fd_array' ? 'before the verifier reads fd_array' : 'before the LSM hook'}]` : '';
  return `${step.actor}: ${step.op}(${args})${step.as ? ` as ${step.as}` : ''}${race}`;
}

export function formatSetup(s: Scenario): string[] {
  const lines: string[] = [];
  for (const u of s.userns ?? [])
    lines.push(`userns ${u.name}: child of ${u.parent}, owner kuid ${u.owner}, maps 0..${u.map.count - 1} -> ${u.map.base}..`);
  for (const a of s.actors) {
    const caps = a.caps === 'all' ? 'all caps' : a.caps.length ? a.caps.join(',') : 'no caps';
    if (a.fork_of) {
      lines.push(`actor ${a.name}: forked by ${a.fork_of} at its fork step`);
      continue;
    }
    const extra = a.thread_of ? `, thread of ${a.thread_of}` : a.mntns && a.mntns !== 'own' ? `, mntns ${a.mntns}` : '';
    const ctx = a.context ? `, context ${a.context}` : '';
    lines.push(`actor ${a.name}: userns ${a.userns}, kuid ${a.kuid}, ${caps}${extra}${ctx}`);
  }
  if (s.lsm_order) lines.push(`lsm=${s.lsm_order.join(',')}`);
  if (s.ipe) lines.push(`ipe policy: ${ipeText(s.ipe)}`);
  if (s.integrity) lines.push(`integrity LSMs: ${integrityText(s.integrity)}`);
  if (s.selinux) lines.push(...policyLines(s.selinux, s.selinux.loaded === false ? 'selinux: no policy at boot; later policy' : 'selinux policy', ''));
  if (s.sysctl?.unprivileged_bpf_disabled !== undefined) lines.push(`sysctl unprivileged_bpf_disabled=${s.sysctl.unprivileged_bpf_disabled}`);
  return lines;
}

/** the pid and comm an actor's AVC records carry (the model's own numbering: 100, 101, ... in declaration order) */
export function actorTask(s: Scenario, actor: string): { pid: number; comm: string } {
  const i = s.actors.findIndex((a) => a.name === actor);
  return { pid: 100 + Math.max(0, i), comm: actor };
}

/** one AVC decision as the kernel logs it (security/selinux/avc.c
 *  avc_audit_pre_callback()/avc_audit_post_callback(), vm/selinux/audit.ts
 *  printAvc: the compiled policies' contexts bpftc_u:bpftc_r:TYPE), the LSM
 *  hook in brackets before it; audit2allow reads the line as it is */
export function formatAvc(a: AvcRecord, task: { pid: number; comm: string } = { pid: 100, comm: 'bpftc-exec' }): string {
  return `[${a.hook}] ${printAvc(a, { style: 'kernel', pid: task.pid, comm: task.comm })}`;
}

/** the width a mail line may take (issue 14); AVC records are kept whole */
export const MAIL_WIDTH = 100;

/** `line` broken at spaces into lines of at most `width` columns, the
 *  continuation lines indented by `indent` more than the first; a word longer
 *  than the room is left whole */
export function wrapLine(line: string, width = MAIL_WIDTH, indent = 4): string[] {
  if (line.length <= width) return [line];
  const lead = /^ */.exec(line)![0];
  const pad = ' '.repeat(lead.length + indent);
  const words = line.slice(lead.length).split(' ');
  const out: string[] = [];
  let cur = lead;
  for (const w of words) {
    const first = cur === lead || cur === pad;
    if (!first && cur.length + 1 + w.length > width) {
      out.push(cur);
      cur = pad + w;
    } else cur += (first ? '' : ' ') + w;
  }
  out.push(cur);
  return out;
}

/** The numbered trace; `mark` flags one step (the violation). LSM decisions
 *  are listed under their step: denials by default, every one with 'all'.
 *  Lines fit in MAIL_WIDTH columns, but for the AVC records. */
export function formatTrace(s: Scenario, results: StepResult[], mark?: number, avc: 'denials' | 'all' | 'none' = 'denials'): string {
  const out = formatSetup(s).flatMap((l) => wrapLine(`   ${l}`));
  s.steps.forEach((step, i) => {
    for (const a of step.lsm ?? []) out.push(...lsmActionLines(a, '      ').flatMap((l) => wrapLine(l)));
    const r = results[i];
    const res = r ? ` -> ${r.ret}${r.text !== undefined ? ` ${JSON.stringify(r.text)}` : ''}` : '';
    out.push(...wrapLine(`${i === mark ? '>>' : '  '}${String(i + 1).padStart(2)}. ${formatStep(step)}${res}`, MAIL_WIDTH, 6));
    const task = actorTask(s, step.actor);
    for (const a of r?.avc ?? []) if (avc === 'all' || (avc === 'denials' && !a.granted)) out.push(`        ${formatAvc(a, task)}`);
  });
  return out.join('\n');
}
