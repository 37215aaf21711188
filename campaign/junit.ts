// JUnit XML of a fuzz campaign for CI dashboards: one testcase per property.
// A failure carries what a reader needs without the console log: the claim
// and whose claim it is, the violation, the numbered trace, the seed and the
// replay command. A property whose layer the profile lacks is <skipped> with
// the reason (never a pass). Times are each property's own (the seconds of
// the batches that checked it; properties sharing a generator share batches).

import { hostname } from 'node:os';
import type { Profile } from '../model/profile.ts';
import type { Property, Source } from '../properties/types.ts';
import { verdictOf } from '../properties/types.ts';
import { formatTrace } from '../scenario/format.ts';
import type { CampaignResult } from './run.ts';

const xml = (s: string): string =>
  s
    // characters XML 1.0 cannot carry at all (a stranger's scenario text may hold them): shown escaped
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

/** whose claim, in one line */
export function sourceText(s: Source): string {
  switch (s.kind) {
    case 'document':
      return `${s.file} ${s.section}: "${s.quote}"`;
    case 'semantic':
      return s.where;
    case 'ours':
      return `the suite's own rule (a question for the author, not a gap): ${s.why}`;
  }
}

export function replayCommand(profile: string, property: string, seed: number, path: string): string {
  return `npx bpftc fuzz --profile ${profile} --property ${property} --seed ${seed} --path ${path}`;
}

export interface JunitInput {
  result: CampaignResult;
  profile: Profile;
  /** the properties of the campaign, by name (built-in or from a plugin) */
  find: (name: string) => Property | undefined;
  /** properties not run: the profile lacks their layer */
  skipped: readonly Property[];
  /** defaults: os.hostname() */
  host?: string;
}

export function junitXml(o: JunitInput): string {
  const r = o.result;
  const host = o.host ?? hostname();
  const failures = r.properties.filter((p) => p.counterexample).length;
  const tests = r.properties.length + o.skipped.length;
  const cls = `bpftc.${xml(o.profile.name)}`;
  const cases = r.properties.map((p) => {
    const prop = o.find(p.property);
    const head = `    <testcase classname="${cls}" name="${xml(p.property)}" time="${p.seconds.toFixed(3)}">`;
    if (!p.counterexample) return `${head}</testcase>`;
    const ce = p.counterexample;
    const q = prop ? verdictOf(prop) === 'question' : false;
    const body = [
      `claim: ${prop?.claim ?? p.property}`,
      `source: ${prop ? sourceText(prop.source) : '(unknown property)'}`,
      `profile: ${ce.profile}`,
      `step ${ce.violation.step + 1}: ${ce.violation.message}`,
      `found after ${p.runs} runs (${ce.shrinks} shrinks, ${ce.scenario.steps.length} steps)`,
      formatTrace(ce.scenario, ce.results, ce.violation.step),
      `seed: ${ce.seed}`,
      `path: ${ce.path}`,
      `replay: ${replayCommand(ce.profile, p.property, ce.seed, ce.path)}`,
    ].join('\n');
    return `${head}\n      <failure message="${q ? 'question: ' : ''}${xml(ce.violation.message)}" type="${q ? 'question' : 'gap'}">${xml(body)}</failure>\n    </testcase>`;
  });
  for (const prop of o.skipped)
    cases.push(
      `    <testcase classname="${cls}" name="${xml(prop.name)}" time="0.000">\n      <skipped message="${xml(`not applicable: ${o.profile.name} has no ${prop.requires ?? ''} layer`)}"/>\n    </testcase>`,
    );
  const attrs = `tests="${tests}" failures="${failures}" errors="0" skipped="${o.skipped.length}" time="${r.seconds.toFixed(3)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="bpftc fuzz" ${attrs}>`,
    `  <testsuite name="${xml(o.profile.name)}" ${attrs} timestamp="${xml(r.timestamp)}" hostname="${xml(host)}">`,
    `    <properties><property name="seed" value="${r.spec.seed}"/><property name="shard" value="${r.spec.shard.index}/${r.spec.shard.count}"/>${r.interrupted ? `<property name="interrupted" value="${r.interrupted}"/>` : ''}</properties>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
