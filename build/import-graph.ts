// The import graph of model/ (every `import`/`export ... from` of a relative
// module inside model/, type-only imports included: a type is read with its
// module). Used by model/imports.test.ts, which requires the graph to be
// acyclic: headers (model/include/) at the bottom, kernel.ts and run.ts at the
// top. A small scanner of import statements, not a TypeScript resolver: the
// model uses only static relative imports with explicit `.ts` extensions.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const IMPORT_RE = /^\s*(?:import|export)\b[^;]*?\bfrom\s*['"]([^'"]+)['"]/gm;
const SIDE_EFFECT_RE = /^\s*import\s*['"]([^'"]+)['"]/gm;

/** the non-test .ts modules under dir, relative to root */
function modules(root: string, dir: string = root): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...modules(root, p));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.testkit.ts')) out.push(relative(root, p));
  }
  return out;
}

/** module -> the model/ modules it imports (sorted) */
export function importGraph(root: string): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const m of modules(root)) {
    const text = readFileSync(join(root, m), 'utf8');
    const deps = new Set<string>();
    for (const re of [IMPORT_RE, SIDE_EFFECT_RE]) {
      for (const match of text.matchAll(re)) {
        const spec = match[1]!;
        if (!spec.startsWith('.')) continue;
        const target = relative(root, resolve(root, dirname(m), spec));
        if (!target.startsWith('..')) deps.add(target);
      }
    }
    g.set(m, [...deps].sort());
  }
  return g;
}

/** the first cycle found (a path that ends where it starts), or null */
export function findCycle(g: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (m: string): string[] | null => {
    const s = state.get(m);
    if (s === 'done') return null;
    if (s === 'open') return [...stack.slice(stack.indexOf(m)), m];
    state.set(m, 'open');
    stack.push(m);
    for (const d of g.get(m) ?? []) {
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(m, 'done');
    return null;
  };
  for (const m of [...g.keys()].sort()) {
    const c = visit(m);
    if (c) return c;
  }
  return null;
}

/** every module that is on some cycle (strongly connected components of size > 1) */
export function cyclicModules(g: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const on = new Set<string>();
  const st: string[] = [];
  const out: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    st.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = st.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (g.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of [...g.keys()].sort()) if (!idx.has(v)) strong(v);
  return out;
}
