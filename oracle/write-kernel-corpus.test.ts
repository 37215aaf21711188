import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KERNEL_SCENARIOS } from './kernel-scenarios.ts';
import { planKernelCorpus } from './write-kernel-corpus.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'corpus', 'kernel');
const corpus = new Map(readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));

describe('oracle/write-kernel-corpus.ts: the JSON corpus is the source', () => {
  it('has nothing to add to corpus/kernel today, and keeps the hand-written JSON-only files (087-091)', () => {
    const plan = planKernelCorpus(corpus, KERNEL_SCENARIOS);
    expect(plan).toEqual({ add: [], present: KERNEL_SCENARIOS.length, differ: [] });
    expect([...corpus.keys()].filter((f) => /^08[7-9]-|^09[01]-/.test(f))).toHaveLength(5);
  });

  it('adds a missing scenario after the highest number, never over or instead of a file', () => {
    const some = new Map([...corpus].filter(([f]) => !f.startsWith('003-')));
    const plan = planKernelCorpus(some, KERNEL_SCENARIOS);
    expect(plan.present).toBe(KERNEL_SCENARIOS.length - 1);
    // the numbers may have gaps (helpers reserve ranges): the next one is the highest + 1
    const next = Math.max(...[...corpus.keys()].map((f) => Number(f.slice(0, 3)))) + 1;
    expect(plan.add.map((a) => a.file)).toEqual([`${String(next).padStart(3, '0')}-${[...corpus.keys()].find((f) => f.startsWith('003-'))!.slice(4)}`]);
    expect(plan.add[0]!.text).toBe(corpus.get([...corpus.keys()].find((f) => f.startsWith('003-'))!));
  });

  it('reports, and leaves, a corpus file whose scenario was edited as JSON', () => {
    const [file, text] = [...corpus].find(([f]) => f.startsWith('010-'))!;
    const edited = new Map(corpus).set(file, text.replace('"steps": [', '"description": "edited by hand",\n  "steps": ['));
    const plan = planKernelCorpus(edited, KERNEL_SCENARIOS);
    expect(plan.add).toEqual([]);
    expect(plan.differ).toEqual([file]);
  });
});
