// Corpus files on the host kernel, for the tests of the corpus an op family adds:
// each agrees with the model and meets every expectation there.

import { join } from 'node:path';
import { expect } from 'vitest';
import { loadScenarioFile } from '../scenario/io.ts';
import { unmetExpectations } from '../scenario/expect.ts';
import { type Probe, adaptToMachine, runOnKernel } from './driver.ts';
import { compareWithKernel } from './compare.ts';

export async function expectAgreeOnKernel(root: string, files: readonly string[], probe: Probe): Promise<void> {
  const scenarios = files.map((f) => adaptToMachine(loadScenarioFile(join(root, f)), probe));
  const runs = await runOnKernel(scenarios);
  scenarios.forEach((s, i) => {
    expect(compareWithKernel(s, runs[i]!).kind, files[i]).toBe('agree');
    expect(unmetExpectations(s.steps, runs[i]!.results, true), files[i]).toEqual([]);
  });
}
