// Every declared package earns its place (issue 14): each dependency is used
// where this table says, and the table lists exactly the declared ones, so a
// package that nothing uses any more (seedrandom was one) fails here.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

const USED: Record<string, { file: string; pattern: RegExp; why: string }> = {
  'fast-check': { file: 'generators/scenario.ts', pattern: /from 'fast-check'/, why: 'generators and shrinking' },
  tsx: { file: 'cli/bpftc.js', pattern: /import\('tsx\/esm\/api'\)/, why: 'runs the sources when dist/ is stale' },
  typescript: { file: 'build/js.mjs', pattern: /resolve\('typescript\/bin\/tsc'\)/, why: 'compiles dist/ and type-checks' },
  vitest: { file: 'vitest.config.ts', pattern: /from 'vitest\/config'/, why: 'the test runner' },
  '@vitest/coverage-v8': { file: 'vitest.config.ts', pattern: /provider: 'v8'/, why: 'npm run coverage' },
  '@types/node': { file: 'tsconfig.json', pattern: /"types": \["node"\]/, why: "Node's types" },
  yaml: { file: 'build/readme-ci.test.ts', pattern: /from 'yaml'/, why: "parses the README's CI example" },
};

describe('dependencies', () => {
  it('every declared package is used, and pinned to an exact version', () => {
    const declared = { ...pkg.dependencies, ...pkg.devDependencies };
    expect(Object.keys(declared).sort()).toEqual(Object.keys(USED).sort());
    for (const [name, u] of Object.entries(USED)) expect(readFileSync(join(root, u.file), 'utf8'), `${name}: ${u.why}`).toMatch(u.pattern);
    for (const [name, v] of Object.entries(declared)) expect(v, name).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('npm run coverage measures model/ with thresholds', () => {
    expect((pkg as unknown as { scripts: Record<string, string> }).scripts.coverage).toBe('vitest run --coverage');
    const cfg = readFileSync(join(root, 'vitest.config.ts'), 'utf8');
    expect(cfg).toMatch(/include: \['model\/\*\*\/\*\.ts'\]/);
    expect(cfg).toMatch(/'model\/\*\*\/\*\.ts': \{ statements: \d+, branches: \d+, functions: \d+, lines: \d+ \}/);
  });
});
