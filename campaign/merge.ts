// bpftc corpus merge: findings from several shards (or machines) into one
// corpus directory, deduplicated by property and first violating decision:
// two counterexamples of one property are one finding when the claim breaks
// at a step with the same operation, the same result and the same decisions
// of the model at that step (the decision points it passed or failed, in
// order, and the SELinux decisions by hook, class, permission and verdict),
// however differently the shards got there. A file whose property is unknown
// or does not fire on it falls back to its exact trace (set-up and steps).
// Only new files are written; nothing existing is rewritten.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../scenario/types.ts';
import { loadCorpus } from '../corpus/load.ts';
import { FileError, saveScenarioFile } from '../scenario/io.ts';
import { findProperty } from '../properties/index.ts';
import { findProfile, DEFAULT_PROFILE } from '../model/profile.ts';
import { Coverage } from '../model/coverage.ts';
import { runScenario } from '../model/run.ts';

/** the exact trace without metadata */
function traceKey(s: Scenario): string {
  const trace = { profile: s.profile, sysctl: s.sysctl, userns: s.userns, actors: s.actors, steps: s.steps };
  return `${s.meta?.property ?? ''}\ntrace ${JSON.stringify(trace)}`;
}

/** the decisions of the model at step `at` of `s` */
class StepDecisions extends Coverage {
  step = 0;
  readonly at: number;
  readonly seen: string[] = [];
  constructor(at: number) {
    super();
    this.at = at;
  }
  override record(id: string, failed: boolean): void {
    if (this.step === this.at) this.seen.push(`${id}:${failed ? 'fail' : 'pass'}`);
  }
}

/** the property and its first violating decision, if the property fires on the scenario */
export function violationKey(s: Scenario): string | undefined {
  const prop = findProperty(String(s.meta?.property ?? ''));
  const profile = findProfile(String(s.meta?.profile ?? s.profile ?? DEFAULT_PROFILE));
  if (!prop || !profile) return undefined;
  let v;
  try {
    v = prop.check(s, profile);
  } catch {
    return undefined;
  }
  if (!v || v.step < 0 || v.step >= s.steps.length) return undefined;
  const rec = new StepDecisions(v.step);
  const r = runScenario(s, { profile, setup: (st) => void (st.k.cov = rec), onStep: (_st, _s, i) => void (rec.step = i + 1) });
  const res = r.results[v.step]!;
  const avc = (res.avc ?? []).map((a) => `${a.hook} ${a.tclass}:${a.perm}:${a.granted ? 'granted' : 'denied'}`);
  return [prop.name, profile.name, `${s.steps[v.step]!.op} -> ${res.ret}`, rec.seen.join(' '), avc.join(' ')].join('\n');
}

/** identity of a finding: its property and first violating decision (else its exact trace) */
export function findingKey(s: Scenario): string {
  return violationKey(s) ?? traceKey(s);
}

export interface MergeResult {
  read: number;
  duplicates: number;
  written: string[];
}

export function mergeFindings(sources: string[], into: string): MergeResult {
  const known = new Set((existsSync(into) ? loadCorpus(into) : []).map((e) => findingKey(e.scenario)));
  // every source is read and validated before anything is written
  const entries = sources.flatMap((src) => loadCorpus(src));
  const res: MergeResult = { read: 0, duplicates: 0, written: [] };
  for (const e of entries) {
    res.read++;
    const key = findingKey(e.scenario);
    if (known.has(key)) {
      res.duplicates++;
      continue;
    }
    known.add(key);
    mkdirSync(into, { recursive: true });
    const base = (e.file.split('/').pop() ?? 'finding.json').replace(/\.json$/, '');
    for (let n = 1; ; n++) {
      const file = join(into, n === 1 ? `${base}.json` : `${base}-${n}.json`);
      if (existsSync(file)) continue;
      try {
        saveScenarioFile(file, e.scenario, `--into ${into}`); // atomic, never replaces a file
      } catch (err) {
        if (err instanceof FileError && err.code === 'EEXIST') continue;
        throw err;
      }
      res.written.push(file);
      break;
    }
  }
  return res;
}
