// Every property names whose claim it is (issue 9): a seed document with a
// quoted sentence that occurs in the seed, a general semantic with where it is
// defined, or the suite's own rule with why; and the dimensions its claim
// ranges over.

import { describe, expect, it } from 'vitest';
import { PROPERTIES } from './index.ts';
import { normalizeSeed, quoteOccurs, seedsDir } from './source.ts';
import { verdictOf } from './types.ts';

const SEED_FILE = /^seeds\/00[0-4]_[0-9a-f]{16}\.txt$/;
const dir = seedsDir();

describe('property sources', () => {
  it.each(PROPERTIES.map((p) => [p.name, p] as const))('%s names its source', (_n, p) => {
    expect(p.source, p.name).toBeDefined();
    switch (p.source.kind) {
      case 'document':
        expect(p.source.file).toMatch(SEED_FILE);
        expect(p.source.section.length).toBeGreaterThan(5);
        expect(p.source.quote.length).toBeGreaterThan(20);
        break;
      case 'semantic':
        // a kernel function and its file, or a project spec clause
        expect(p.source.where).toMatch(/\w+\(\)|spec\/[\w-]+\.md §\d+|selftests/);
        break;
      case 'ours':
        expect(p.source.why.length).toBeGreaterThan(40);
        expect(verdictOf(p)).toBe('question');
        break;
    }
    expect(Array.isArray(p.dimensions)).toBe(true);
  });

  it.skipIf(!dir)(`quoted sentences occur verbatim in their seed files${dir ? '' : ' (skipped: no seeds directory: $BPFTC_SEEDS, ./seeds or ../shared/seeds)'}`, () => {
    const missing: string[] = [];
    for (const p of PROPERTIES) {
      if (p.source.kind !== 'document') continue;
      const ok = quoteOccurs(p.source.file, p.source.quote, dir);
      if (ok === false) missing.push(`${p.name}: "${p.source.quote}" not in ${p.source.file}`);
    }
    expect(missing).toEqual([]);
  });

  it('the normalisation keeps words and drops only quoting marks', () => {
    expect(normalizeSeed('> a b\n> c\n')).toBe('a b c ');
    expect(normalizeSeed('+ * it should\n+ * return x')).toBe('it should return x');
    expect(normalizeSeed('x &lt;y&gt;')).toBe('x <y>');
  });
});
