// cLiteral() is the one door from scenario text into reproducer C source: any
// JS string must come out of a compiled C program byte for byte (its UTF-8
// encoding), in every C standard mode (trigraphs on), and the literal's source
// text must hold nothing a comment, splice or preprocessor line could use.

import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { cInt, cLiteral, printable, utf8Bytes } from './cliteral.ts';

const hasCc = spawnSync('cc', ['--version']).status === 0;

// the compiled programs' directories, removed at the end
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** nasty pieces the generated strings are built from */
const NASTY = ['*/', '/*', '//', '\\', '"', "'", '??=', '??/', '??(', '?', '\n', '\r', '\0', '\\\n', '*\\\n/', '#include', '%s', '%n', '\t', '\u2028', '\u202e', '\ud800', '\udfff', 'é', '💥', '\x7f', '\xff', '0', '7', ' '];
const nastyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.oneof(fc.constantFrom(...NASTY), fc.string({ maxLength: 3 })), { maxLength: 20 }).map((xs) => xs.join('')),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

const CASES = [
  '',
  '*/ system("id"); /*',
  'a*\\\n/b',
  '??=define x ??/\n',
  '\0\0x\0',
  '"\\"\\\\',
  '\ud83d',
  '💥é\u2028',
  'x'.repeat(300) + '\\' + '1'.repeat(5),
  ...fc.sample(nastyString, { numRuns: 300, seed: 42 }),
];

describe('cLiteral', () => {
  it('leaves in the source only [A-Za-z0-9 ], octal escapes, quotes around each piece and line breaks between pieces', () => {
    fc.assert(
      fc.property(nastyString, (s) => {
        const lit = cLiteral(s);
        for (const line of lit.split('\n')) expect(line).toMatch(/^ *"([A-Za-z0-9 ]|\\[0-3][0-7]{2})*"$/);
      }),
      { seed: 7, numRuns: 500 },
    );
  });

  it('cInt takes safe integers only', () => {
    expect(cInt(0)).toBe('0');
    expect(cInt(-3)).toBe('(-3)');
    expect(cInt(2 ** 32)).toBe('4294967296');
    for (const bad of ['1); system("x"); (', 1.5, NaN, Infinity, 2 ** 60, undefined, '2']) expect(() => cInt(bad)).toThrow();
  });

  it('printable shows control and bidi characters as escapes', () => {
    expect(printable('a\nb\x1b[2J\u202ec')).toBe('a\\u{a}b\\u{1b}[2J\\u{202e}c');
  });

  it.skipIf(!hasCc)(`round-trips every byte through cc in gnu and ISO (trigraph) modes${hasCc ? '' : ' (skipped: no C compiler)'}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpftc-cliteral-'));
    made.push(dir);
    const decls = CASES.map((s, i) => `static const char s${i}[] = ${cLiteral(s)};`).join('\n');
    const table = CASES.map((_, i) => `{ s${i}, sizeof s${i} - 1 }`).join(',\n  ');
    const src = `#include <stdio.h>
${decls}
static const struct { const char *p; unsigned long n; } T[] = {
  ${table}
};
int main(void) {
  unsigned long i, j;
  for (i = 0; i < sizeof T / sizeof T[0]; i++) {
    for (j = 0; j < T[i].n; j++) printf("%02x", (unsigned char)T[i].p[j]);
    printf("\\n");
  }
  return 0;
}
`;
    try {
      writeFileSync(join(dir, 'lit.c'), src);
      const want = CASES.map((s) => Buffer.from(utf8Bytes(s)).toString('hex')).join('\n') + '\n';
      for (const std of ['-std=gnu11', '-std=c99', '-std=c89']) {
        const bin = join(dir, `lit${std.slice(5)}`);
        const c = spawnSync('cc', [std, '-trigraphs', '-Wall', '-Werror', '-o', bin, join(dir, 'lit.c')], { encoding: 'utf8' });
        expect(c.stderr).toBe('');
        expect(c.status).toBe(0);
        const r = spawnSync(bin, { encoding: 'utf8' });
        expect(r.stdout).toBe(want);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
