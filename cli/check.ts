// bpftc check FILE... [--profile P] [--property NAME|all] [--json]: checks a
// hand-written or received trace against the claims (the properties), not
// only against its `expect` fields as `run` does. Per file and property:
//   holds     the claim holds on every step of the trace
//   VIOLATED  step N: message     (a document's claim or a field's semantics: a gap)
//   QUESTION  step N: message     (the suite's own rule: a question for the author)
//   n/a       the profile lacks the layer the claim is about
// Exit: 0 every checked claim holds; 1 a violation or question, or a property
// asked for by name that does not apply to the profile (never a pass);
// 2 bad usage or a malformed file.

import { DEFAULT_PROFILE, findProfile, type Profile } from '../model/profile.ts';
import { PROPERTIES, findProperty } from '../properties/index.ts';
import { type Property, appliesTo, verdictOf } from '../properties/types.ts';
import { loadScenarioFile } from '../scenario/io.ts';
import { formatTrace } from '../scenario/format.ts';
import { runScenario } from '../model/run.ts';
import { UsageError, parseArgs } from './args.ts';

type Out = (line: string) => void;

export interface CheckOutcome {
  property: string;
  /** holds | violated | question | n/a */
  outcome: 'holds' | 'violated' | 'question' | 'n/a';
  step?: number;
  message?: string;
  /** whose claim: document, semantic or ours */
  source: Property['source']['kind'];
}

export function checkScenarioClaims(file: string, props: readonly Property[], override?: Profile): { profile: string; outcomes: CheckOutcome[] } {
  const s = loadScenarioFile(file);
  const name = override?.name ?? s.profile ?? DEFAULT_PROFILE;
  const profile = override ?? findProfile(name);
  if (!profile) throw new UsageError(`${file}: unknown profile "${name}" (bpftc profiles lists them)`);
  const outcomes: CheckOutcome[] = props.map((p) => {
    if (!appliesTo(p, profile)) return { property: p.name, outcome: 'n/a', message: `${profile.name} has no ${p.requires} layer`, source: p.source.kind };
    let v;
    try {
      v = p.check(s, profile);
    } catch (e) {
      // a trace the model cannot follow (a handle used before it exists is caught by validation)
      throw new UsageError(`${file}: cannot check ${p.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!v) return { property: p.name, outcome: 'holds', source: p.source.kind };
    return { property: p.name, outcome: verdictOf(p) === 'question' ? 'question' : 'violated', step: v.step + 1, message: v.message, source: p.source.kind };
  });
  return { profile: profile.name, outcomes };
}

export function checkCommand(argv: string[], out: Out): number {
  const { flags, positional } = parseArgs(argv, { profile: 'string', property: 'string', json: 'bool', trace: 'bool' });
  if (!positional.length) throw new UsageError('check needs at least one scenario file');
  let override: Profile | undefined;
  if (flags.profile !== undefined) {
    override = findProfile(String(flags.profile));
    if (!override) throw new UsageError(`unknown profile "${String(flags.profile)}" (bpftc profiles lists them)`);
  }
  const byName = flags.property !== undefined && flags.property !== 'all';
  let props: Property[] = [...PROPERTIES];
  if (byName) {
    const p = findProperty(String(flags.property));
    if (!p) throw new UsageError(`unknown property "${String(flags.property)}" (bpftc properties lists them)`);
    props = [p];
  }
  let bad = 0;
  const tally = { holds: 0, violated: 0, question: 0, 'n/a': 0 };
  const report: unknown[] = [];
  for (const file of positional) {
    const r = checkScenarioClaims(file, props, override);
    for (const o of r.outcomes) {
      tally[o.outcome]++;
      if (o.outcome === 'violated' || o.outcome === 'question' || (byName && o.outcome === 'n/a')) bad++;
    }
    if (flags.json) {
      report.push({ file, ...r });
      continue;
    }
    out(`${file} (profile ${r.profile})`);
    for (const o of r.outcomes) {
      const tag = { holds: 'holds   ', violated: 'VIOLATED', question: 'QUESTION', 'n/a': 'n/a     ' }[o.outcome];
      const where = o.step !== undefined ? `  step ${o.step}: ${o.message}` : o.outcome === 'n/a' ? `  (${o.message})` : '';
      out(`  ${tag} ${o.property}${where}`);
      if (flags.trace && o.step !== undefined) {
        const s = loadScenarioFile(file);
        const profile = findProfile(r.profile)!;
        out(formatTrace(s, runScenario(s, { profile }).results, o.step - 1));
      }
    }
  }
  if (flags.json) out(JSON.stringify(report, null, 2));
  else {
    const naAsked = byName && tally['n/a'] ? ' (asked for by name: not a pass)' : '';
    out(`${tally.holds} hold, ${tally.violated} violated, ${tally.question} questions, ${tally['n/a']} not applicable${naAsked}`);
  }
  return bad ? 1 : 0;
}
