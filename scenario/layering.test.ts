import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** the modules a source file imports (static and dynamic, `export ... from` too) */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

describe('scenario/ is the ground floor', () => {
  it('no scenario/ module (tests aside) imports anything from model/ or above', () => {
    const files = readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.includes('.testkit.'));
    expect(files.length).toBeGreaterThan(8);
    const bad: string[] = [];
    for (const f of files)
      for (const imp of importsOf(readFileSync(join(here, f), 'utf8')))
        if (imp.startsWith('.') && !imp.startsWith('./')) bad.push(`${f} imports ${imp}`);
    expect(bad).toEqual([]);
  });

  it('the import reader sees the forms it must', () => {
    expect(importsOf("import { a } from '../model/x.ts';\nimport type { B } from './y.ts';\nexport { c } from \"../model/z.ts\";\nconst m = await import('../model/w.ts');")).toEqual([
      '../model/x.ts',
      './y.ts',
      '../model/z.ts',
      '../model/w.ts',
    ]);
  });
});
