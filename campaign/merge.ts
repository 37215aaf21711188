// bpftc corpus merge: findings from several shards (or machines) into one
// corpus directory, deduplicated: the same property and the same minimal
// trace (set-up and steps, ignoring metadata and names) are one finding.
// Only new files are written; nothing existing is rewritten.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../scenario/types.ts';
import { loadCorpus } from '../corpus/load.ts';

/** identity of a finding: its property and its trace without metadata */
export function findingKey(s: Scenario): string {
  const trace = { profile: s.profile, sysctl: s.sysctl, userns: s.userns, actors: s.actors, steps: s.steps };
  return `${s.meta?.property ?? ''}\n${JSON.stringify(trace)}`;
}

export interface MergeResult {
  read: number;
  duplicates: number;
  written: string[];
}

export function mergeFindings(sources: string[], into: string): MergeResult {
  const known = new Set(loadCorpus(into).map((e) => findingKey(e.scenario)));
  const res: MergeResult = { read: 0, duplicates: 0, written: [] };
  for (const src of sources)
    for (const e of loadCorpus(src)) {
      res.read++;
      const key = findingKey(e.scenario);
      if (known.has(key)) {
        res.duplicates++;
        continue;
      }
      known.add(key);
      mkdirSync(into, { recursive: true });
      const base = (e.file.split('/').pop() ?? 'finding.json').replace(/\.json$/, '');
      let file = join(into, `${base}.json`);
      for (let n = 2; existsSync(file); n++) file = join(into, `${base}-${n}.json`);
      writeFileSync(file, JSON.stringify(e.scenario, null, 2) + '\n', { flag: 'wx' });
      res.written.push(file);
    }
  return res;
}
