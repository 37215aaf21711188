// utf8Length() is TextEncoder's byte count, on ASCII, 2-, 3- and 4-byte
// characters and unpaired surrogates (which TextEncoder writes as U+FFFD).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { utf8Length } from './utf8.ts';

describe('utf8Length', () => {
  it('is the length of TextEncoder().encode()', () => {
    const enc = new TextEncoder();
    for (const s of ['', 'abc', 'é', '€', '😀', '\ud800', '\udc00', 'a\ud800b', '\ud800\ud800', '\udc00\ud800', 'x'.repeat(300)]) expect(utf8Length(s)).toBe(enc.encode(s).length);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => utf8Length(s) === enc.encode(s).length),
      { numRuns: 2000, seed: 1 },
    );
  });
});
