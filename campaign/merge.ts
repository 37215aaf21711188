// bpftc corpus merge: findings from several shards (or machines) into one
// corpus directory, deduplicated: the same property and the same minimal
// trace (set-up and steps, ignoring metadata and names) are one finding.
// Only new files are written; nothing existing is rewritten.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../scenario/types.ts';
import { loadCorpus } from '../corpus/load.ts';
import { FileError, saveScenarioFile } from '../scenario/io.ts';

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
