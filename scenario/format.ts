// Human-readable rendering of a trace: one numbered line per step with its
// arguments and result, read in a minute.

import type { Scenario, Step, StepResult } from './types.ts';
import { attachTypeName, mapTypeName, progTypeName } from '../model/enums.ts';

const SKIP = new Set(['actor', 'op', 'as', 'expect', 'expect_text', 'label']);

function arg(k: string, v: unknown, step: Step): string {
  if (k === 'map_type' && typeof v === 'number') return `map_type=${mapTypeName(v)}`;
  if (k === 'prog_type' && typeof v === 'number') return `prog_type=${progTypeName(v)}`;
  if (k === 'expected_attach_type' && typeof v === 'number') return `attach=${attachTypeName(v)}`;
  if (typeof v === 'string') return `${k}=${JSON.stringify(v)}`;
  if (Array.isArray(v)) return `${k}=[${v.join(',')}]`;
  void step;
  return `${k}=${String(v)}`;
}

export function formatStep(step: Step): string {
  const args = Object.entries(step)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => arg(k, v, step))
    .join(' ');
  return `${step.actor}: ${step.op}(${args})${step.as ? ` as ${step.as}` : ''}`;
}

export function formatSetup(s: Scenario): string[] {
  const lines: string[] = [];
  for (const u of s.userns ?? [])
    lines.push(`userns ${u.name}: child of ${u.parent}, owner kuid ${u.owner}, maps 0..${u.map.count - 1} -> ${u.map.base}..`);
  for (const a of s.actors) {
    const caps = a.caps === 'all' ? 'all caps' : a.caps.length ? a.caps.join(',') : 'no caps';
    const extra = a.thread_of ? `, thread of ${a.thread_of}` : a.mntns && a.mntns !== 'own' ? `, mntns ${a.mntns}` : '';
    lines.push(`actor ${a.name}: userns ${a.userns}, kuid ${a.kuid}, ${caps}${extra}`);
  }
  if (s.sysctl?.unprivileged_bpf_disabled !== undefined) lines.push(`sysctl unprivileged_bpf_disabled=${s.sysctl.unprivileged_bpf_disabled}`);
  return lines;
}

/** The numbered trace; `mark` flags one step (the violation). */
export function formatTrace(s: Scenario, results: StepResult[], mark?: number): string {
  const out = formatSetup(s).map((l) => `   ${l}`);
  s.steps.forEach((step, i) => {
    const r = results[i];
    const res = r ? ` -> ${r.ret}${r.text !== undefined ? ` ${JSON.stringify(r.text)}` : ''}` : '';
    out.push(`${i === mark ? '>>' : '  '}${String(i + 1).padStart(2)}. ${formatStep(step)}${res}`);
  });
  return out.join('\n');
}
