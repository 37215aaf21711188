// The regression corpus: every *.json below corpus/ is a scenario. Loading
// validates each file; a malformed one is reported with its file name and the
// JSON path of the problem.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../scenario/types.ts';
import { loadScenarioFile } from '../scenario/io.ts';

export interface CorpusEntry {
  file: string;
  scenario: Scenario;
}

export function corpusFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...corpusFiles(p));
    else if (n.endsWith('.json')) out.push(p);
  }
  return out;
}

/** all corpus scenarios; throws ScenarioError naming the file and JSON path */
export function loadCorpus(dir: string): CorpusEntry[] {
  return corpusFiles(dir).map((file) => ({ file, scenario: loadScenarioFile(file) }));
}
