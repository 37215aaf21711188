// Compiles the CLI to JavaScript (dist/, git-ignored), so that bpftc starts
// without compiling TypeScript on the fly. Run by `npm install` (postinstall),
// or by hand: `node build/js.mjs`. cli/bpftc.js runs dist/ only while its
// stamp matches the sources (build/sources.mjs), else the sources through tsx.
// Never fails the install: without the TypeScript compiler (an install without
// devDependencies) it prints one line and exits 0, and bpftc runs through tsx.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIST, STAMP, sourceState } from './sources.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  console.log('bpftc: no TypeScript compiler installed; the CLI is not compiled and runs through tsx');
  process.exit(0);
}
// the state of the sources the build starts from: an edit during the build makes it stale
const state = sourceState(root);
const tmp = join(root, `${DIST}.tmp`);
rmSync(tmp, { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', tmp], { cwd: root, stdio: 'inherit' });
if (r.error || r.status !== 0) {
  rmSync(tmp, { recursive: true, force: true });
  console.log('bpftc: compiling the CLI to JavaScript failed; bpftc runs through tsx');
  process.exit(0);
}
// the declarations (the package's types, package.json "exports"): tsc keeps the
// sources' relative ".ts" specifiers in .d.ts files; the compiled files are .js
const rewrite = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) rewrite(p);
    else if (e.name.endsWith('.d.ts'))
      writeFileSync(p, readFileSync(p, 'utf8').replace(/((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.ts(['"])/g, '$1$2.js$3'));
  }
};
rewrite(tmp);
// the files the compiled modules find next to themselves (oracle/driver.ts:
// oracle/bin/bpftc-exec, repro/repro.ts and vm/qemu.ts: oracle/executor.c, its oracle/ops.gen.h
// and oracle/lsmtrace.c)
mkdirSync(join(tmp, 'oracle'), { recursive: true });
symlinkSync(join('..', '..', 'oracle', 'bin'), join(tmp, 'oracle', 'bin'));
symlinkSync(join('..', '..', 'oracle', 'executor.c'), join(tmp, 'oracle', 'executor.c'));
symlinkSync(join('..', '..', 'oracle', 'ops.gen.h'), join(tmp, 'oracle', 'ops.gen.h'));
symlinkSync(join('..', '..', 'oracle', 'lsmtrace.c'), join(tmp, 'oracle', 'lsmtrace.c'));
// vm/build.ts and vm/adapt.ts: the kernel config fragments and the patch adaptations
mkdirSync(join(tmp, 'vm'), { recursive: true });
symlinkSync(join('..', '..', 'vm', 'config'), join(tmp, 'vm', 'config'));
symlinkSync(join('..', '..', 'vm', 'patches'), join(tmp, 'vm', 'patches'));
// bench/ and oracle/write-kernel-corpus.ts read the corpus next to themselves: its
// data directories (the corpus/*.ts modules are compiled into dist/corpus)
mkdirSync(join(tmp, 'corpus'), { recursive: true });
for (const e of readdirSync(join(root, 'corpus'), { withFileTypes: true }))
  if (e.isDirectory()) symlinkSync(join('..', '..', 'corpus', e.name), join(tmp, 'corpus', e.name));
writeFileSync(join(tmp, 'package.json'), '{ "type": "module" }\n');
writeFileSync(join(tmp, STAMP), `${JSON.stringify(state)}\n`);
const dist = join(root, DIST);
if (existsSync(dist)) rmSync(dist, { recursive: true, force: true });
renameSync(tmp, dist);
console.log(`bpftc: compiled the CLI to ${DIST}/`);
