// model/ is laid out like the kernel: struct types in model/include/linux/
// at the bottom, model/kernel.ts with the operation tables above the code that
// implements them, model/fns.ts and model/run.ts at the top; no import cycle,
// type-only imports included (a type is read with its module).

import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cyclicModules, findCycle, importGraph } from '../build/import-graph.ts';

const here = dirname(fileURLToPath(import.meta.url));

describe('the import graph of model/', () => {
  const g = importGraph(here);

  it('is acyclic (no module reaches itself through its imports)', () => {
    expect(g.size).toBeGreaterThan(25);
    expect(findCycle(g)).toBeNull();
    expect(cyclicModules(g)).toEqual([]);
  });

  it('has the headers at the bottom: model/include/ imports only model/include/ and the leaf modules', () => {
    const leaves = new Set(['userns.ts', 'caps.ts', 'enums.ts', 'errno.ts']);
    const bad: string[] = [];
    for (const [m, deps] of g) {
      if (!m.startsWith('include/')) continue;
      for (const d of deps) if (!d.startsWith('include/') && !leaves.has(d)) bad.push(`${m} -> ${d}`);
    }
    expect(bad).toEqual([]);
  });

  it('keeps the mutants outside: no model/ module imports mutants/ or reads a mutation switch', () => {
    for (const m of g.keys()) {
      const text = readFileSync(join(here, m), 'utf8');
      expect(text, m).not.toMatch(/from\s+['"][./]*\/mutants\//);
      expect(text, m).not.toMatch(/\bmutations\b/);
    }
  });

  it('the scanner sees a cycle, type-only and re-exports included (known-bad graph)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpftc-imports-'));
    try {
      mkdirSync(join(dir, 'include'));
      writeFileSync(join(dir, 'a.ts'), "import type { B } from './b.ts';\nexport type A = B;\n");
      writeFileSync(join(dir, 'b.ts'), "export { c } from './include/c.ts';\nexport type B = number;\n");
      writeFileSync(join(dir, 'include', 'c.ts'), "import type { A } from '../a.ts';\nexport const c: A | null = null;\n");
      writeFileSync(join(dir, 'd.test.ts'), "import './a.ts';\n");
      const cyc = importGraph(dir);
      expect([...cyc.keys()]).toEqual(['a.ts', 'b.ts', 'include/c.ts']);
      expect(findCycle(cyc)).toEqual(['a.ts', 'b.ts', 'include/c.ts', 'a.ts']);
      expect(cyclicModules(cyc)).toEqual([['a.ts', 'b.ts', 'include/c.ts']]);
      writeFileSync(join(dir, 'include', 'c.ts'), 'export const c = 1;\n');
      expect(findCycle(importGraph(dir))).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
