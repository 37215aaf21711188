// npm test replays the whole corpus on the model: every expectation a
// scenario records must still hold under its profile.

import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { schemaRef } from '../scenario/io.ts';
import { corpusFiles, loadCorpus } from './load.ts';
import { runScenario } from '../model/run.ts';
import { unmetExpectations } from '../scenario/expect.ts';
import { ScenarioError } from '../scenario/validate.ts';
import { findProperty } from '../properties/index.ts';
import { kernelUncheckable } from '../oracle/driver.ts';
import { findProfile } from '../model/profile.ts';

const DIR = new URL('.', import.meta.url).pathname;
const entries = loadCorpus(DIR);

describe('corpus', () => {
  it('is not empty', () => {
    expect(entries.length).toBeGreaterThan(0);
  });

  it.each(entries.map((e) => [e.file.slice(DIR.length), e] as const))('%s replays on the model', (_f, e) => {
    // exact, "fails", sets, patterns and fields (scenario/expect.ts), reported step by step
    const r = runScenario(e.scenario).results;
    expect(unmetExpectations(e.scenario.steps, r)).toEqual([]);
  });

  const counterexamples = entries.filter((e) => e.scenario.meta?.property !== undefined);
  it('every corpus file points editors at the JSON Schema ($schema), and the schema is there', () => {
    const files = corpusFiles(DIR);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const ref = (JSON.parse(readFileSync(f, 'utf8')) as { $schema?: unknown }).$schema;
      expect(ref, f).toBe(schemaRef(f));
      expect(existsSync(join(dirname(f), String(ref))), f).toBe(true);
    }
  });

  it('meta.property always names a registered property', () => {
    for (const e of counterexamples) expect(findProperty(e.scenario.meta!.property!), e.file).toBeDefined();
  });
  it.each(counterexamples.map((e) => [e.file.slice(DIR.length), e] as const))('%s still violates its property on its profile, not on linux-6.18', (_f, e) => {
    const prop = findProperty(e.scenario.meta!.property!)!;
    const profile = findProfile(e.scenario.profile ?? 'linux-6.18')!;
    expect(prop.check(e.scenario, profile)).not.toBeNull();
    if (profile.knownBad) expect(prop.check(e.scenario, findProfile('linux-6.18')!)).toBeNull();
  });

  it('every scenario marked kernel_checkable can run on the executor', () => {
    for (const e of entries) if (e.scenario.meta?.kernel_checkable) expect(kernelUncheckable(e.scenario), e.file).toBeNull();
  });

  it('a malformed corpus file fails with its name and the JSON path of the problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpftc-corpus-'));
    try {
      writeFileSync(join(dir, 'bad.json'), JSON.stringify({ format: 'bpftc/1', actors: [{ name: 'a', userns: 'init', kuid: 0, caps: 'all' }], steps: [{ actor: 'a', op: 'map_create' }] }));
      expect(corpusFiles(dir)).toHaveLength(1);
      expect(() => loadCorpus(dir)).toThrow(ScenarioError);
      expect(() => loadCorpus(dir)).toThrow(/bad\.json:\$\.steps\[0\]\.map_type: "map_create" needs "map_type"/);
      writeFileSync(join(dir, 'bad.json'), '{"format": "bpftc/1",');
      expect(() => loadCorpus(dir)).toThrow(/bad\.json:\$: not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
