import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** the modules a source file imports (static and dynamic, `export ... from` too) */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

/** the project files a module reaches through its relative imports, transitively */
function reach(file: string): Set<string> {
  const seen = new Set<string>([file]);
  const todo = [file];
  while (todo.length) {
    const f = todo.pop()!;
    for (const imp of importsOf(readFileSync(f, 'utf8'))) {
      if (!imp.startsWith('.')) continue; // node: and packages
      const to = resolve(dirname(f), imp);
      if (!seen.has(to) && existsSync(to)) {
        seen.add(to);
        todo.push(to);
      }
    }
  }
  return seen;
}

describe('scenario/ is the ground floor', () => {
  it('no scenario/ module (tests aside) reaches model/, directly or through another module', () => {
    const files = readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.includes('.testkit.'));
    expect(files.length).toBeGreaterThan(8);
    const model = join(here, '..', 'model') + sep;
    const bad: string[] = [];
    for (const f of files) for (const r of reach(join(here, f))) if (r.startsWith(model)) bad.push(`${f} reaches ${r.slice(model.length - 6)}`);
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
