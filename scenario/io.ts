// Reading scenario files from disk (the only I/O in the scenario layer).

import { readFileSync } from 'node:fs';
import type { Scenario } from './types.ts';
import { parseScenario } from './validate.ts';

export function loadScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseScenario(text, `${file}:$`);
}
