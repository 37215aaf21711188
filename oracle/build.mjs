// Builds the real-kernel executor (oracle/executor.c -> oracle/bin/bpftc-exec) with the
// system C compiler. Run by `npm install` (postinstall). Never fails the install: without
// a C compiler it prints one line and exits 0.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, 'executor.c');
const out = join(here, 'bin', 'bpftc-exec');
const cc = process.env.CC || 'cc';

const probe = spawnSync(cc, ['--version'], { stdio: 'ignore' });
if (probe.error || probe.status !== 0) {
  console.log(`bpftc: no C compiler (${cc}) found; the real-kernel oracle executor is not built`);
  process.exit(0);
}
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.log(`bpftc: the oracle executor supports linux/x64 only (this is ${process.platform}/${process.arch}); not built`);
  process.exit(0);
}
mkdirSync(join(here, 'bin'), { recursive: true });
// oracle/ops.gen.h from the op table (scenario/ops.ts, through tsx); the committed copy
// is current (scenario/ops.test.ts checks it), so a failure here only says so
const gen = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'ops-header.ts')], { encoding: 'utf8' });
if (gen.error || gen.status !== 0) console.log('bpftc: could not regenerate oracle/ops.gen.h (tsx missing?); using the committed one');
else process.stdout.write(gen.stdout);
// -z now: symbols bound once at start, not again in each of the ~10 processes a scenario forks
const args = ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-Werror', '-Wl,-z,now', '-o', out, src];
const r = spawnSync(cc, args, { stdio: 'inherit' });
if (r.error || r.status !== 0) {
  console.log(`bpftc: compiling ${src} failed; the real-kernel oracle executor is not built`);
  process.exit(0);
}
// the VM oracle's guest runs a static copy (no libc in its initramfs); optional. Where it
// builds, the host runs it too: a static executor forks and page-faults less (no dynamic
// loader; bench/oracle.ts: about a fifth less CPU per scenario)
const st = spawnSync(cc, ['-static', ...args.slice(0, 5), '-o', `${out}-static`, src], { stdio: 'ignore' });
if (st.error || st.status !== 0) {
  console.log('bpftc: no static libc; the VM oracle builds its guest executor when first needed');
  console.log(`bpftc: built ${out}`);
} else {
  // replaced by rename, never rewritten in place (an executor may be running)
  copyFileSync(`${out}-static`, `${out}.tmp`);
  renameSync(`${out}.tmp`, out);
  console.log(`bpftc: built ${out} (static) and ${out}-static`);
}
