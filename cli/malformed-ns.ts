// Driver of cli/malformed-ns.test.ts (not a test file): run as root inside a
// private mount namespace (unshare -m), it mounts a tiny full tmpfs and a
// read-only tmpfs below DIR, runs bpftc commands in-process against them,
// then drops to uid/gid 65534 for unreadable files and unwritable
// directories. It prints one JSON object: the cases with exit code, stdout,
// stderr and the files each left behind (looked at while the mounts exist).
//
//   unshare -m --propagation private node --import tsx cli/malformed-ns.ts DIR

import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { main } from './main.ts';

interface Case {
  name: string;
  code: number;
  out: string[];
  err: string[];
  /** files below the case's output directory afterwards (name and size) */
  left: Array<[string, number]>;
  /** the content of a file that existed before, afterwards */
  kept?: string;
}

const D = process.argv[2];
if (!D) {
  process.stderr.write('usage: malformed-ns.ts DIR\n');
  process.exit(2);
}
const REPO = new URL('..', import.meta.url).pathname;
const GOOD = join(REPO, 'corpus', 'examples', 'canonical-delegation.json');
const FULL = join(D, 'full');
const RO = join(D, 'ro');
const PRIV = join(D, 'priv');
const results: Case[] = [];

function listing(dir: string): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  const walk = (rel: string): void => {
    let names: string[];
    try {
      names = readdirSync(join(dir, rel), { withFileTypes: true }).map((e) => (e.isDirectory() ? `${e.name}/` : e.name));
    } catch {
      return;
    }
    for (const n of names.sort()) {
      if (n.endsWith('/')) walk(join(rel, n));
      else out.push([join(rel, n), readFileSync(join(dir, rel, n)).length]);
    }
  };
  walk('');
  return out;
}

async function run(name: string, argv: string[], watch: string, keep?: string): Promise<void> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, (l) => out.push(l), (l) => err.push(l));
  const c: Case = { name, code, out, err, left: listing(watch) };
  if (keep) c.kept = readFileSync(keep, 'utf8');
  results.push(c);
}

/** fills a file system until it has no byte left */
function fill(dir: string): void {
  const fd = openSync(join(dir, 'filler'), 'w');
  const chunk = Buffer.alloc(4096, 0x61);
  try {
    for (;;) writeSync(fd, chunk);
  } catch {
    /* ENOSPC */
  }
  try {
    for (;;) writeSync(fd, chunk, 0, 1);
  } catch {
    /* ENOSPC: not even one byte */
  } finally {
    closeSync(fd);
  }
}

const FINDING = ['fuzz', '--profile', 'token-v10', '--property', 'token-from-bpffs-root', '--runs', '600', '--batch', '300', '--seed', '1', '--workers', '1'];

// ---- a full file system
mkdirSync(FULL);
execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0777', 'bpftc-full', FULL]);
mkdirSync(join(FULL, 'out'));
mkdirSync(join(FULL, 'save'));
writeFileSync(join(FULL, 'out', 'old.c'), 'old\n');
writeFileSync(join(FULL, 'out', 'old.xml'), 'old\n');
mkdirSync(join(D, 'shard'));
writeFileSync(join(D, 'shard', 'a.json'), readFileSync(GOOD));
fill(FULL);
await run('full: fuzz --save', [...FINDING, '--save', join(FULL, 'save')], join(FULL, 'save'));
await run('full: fuzz --save (new directory)', [...FINDING, '--save', join(FULL, 'newsave')], join(FULL, 'newsave'));
await run('full: fuzz --junit', [...FINDING, '--junit', join(FULL, 'out', 'j.xml')], join(FULL, 'out'));
await run('full: fuzz --junit over an old report', [...FINDING, '--junit', join(FULL, 'out', 'old.xml')], join(FULL, 'out'), join(FULL, 'out', 'old.xml'));
await run('full: repro --out', ['repro', GOOD, '--c', '--out', join(FULL, 'out', 'r.c')], join(FULL, 'out'));
await run('full: repro --out --force over an old file', ['repro', GOOD, '--c', '--force', '--out', join(FULL, 'out', 'old.c')], join(FULL, 'out'), join(FULL, 'out', 'old.c'));
await run('full: corpus merge --into', ['corpus', 'merge', join(D, 'shard'), '--into', join(FULL, 'save')], join(FULL, 'save'));
await run('full: coverage --html', ['coverage', '--runs', '20', '--html', join(FULL, 'out', 'c.html')], join(FULL, 'out'));

// ---- a read-only file system
mkdirSync(RO);
execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0777', 'bpftc-ro', RO]);
mkdirSync(join(RO, 'save'));
writeFileSync(join(RO, 'old.c'), 'old\n');
execFileSync('mount', ['-o', 'remount,ro', RO]);
await run('read-only: fuzz --save', [...FINDING, '--save', join(RO, 'save')], RO);
await run('read-only: fuzz --save (new directory)', [...FINDING, '--save', join(RO, 'new')], RO);
await run('read-only: fuzz --junit', [...FINDING, '--junit', join(RO, 'j.xml')], RO);
await run('read-only: repro --out', ['repro', GOOD, '--c', '--out', join(RO, 'r.c')], RO);
await run('read-only: repro --out --force', ['repro', GOOD, '--c', '--force', '--out', join(RO, 'old.c')], RO, join(RO, 'old.c'));
await run('read-only: corpus merge --into', ['corpus', 'merge', join(D, 'shard'), '--into', join(RO, 'save')], RO);
await run('read-only: coverage --html', ['coverage', '--html', join(RO, 'c.html')], RO);
await run('read-only: oracle --save', ['oracle', '--save', join(RO, 'save')], RO);

// ---- unreadable and unwritable, as an unprivileged user (DIR's ancestors must
// be searchable by nobody: every refusal comes from the file or directory itself)
chmodSync(D, 0o755);
mkdirSync(PRIV, { mode: 0o755 });
writeFileSync(join(PRIV, 'secret.json'), readFileSync(GOOD));
chmodSync(join(PRIV, 'secret.json'), 0o600);
mkdirSync(join(PRIV, 'closed'));
writeFileSync(join(PRIV, 'closed', 'a.json'), readFileSync(GOOD));
chmodSync(join(PRIV, 'closed'), 0o700);
mkdirSync(join(PRIV, 'rootonly'));
chmodSync(join(PRIV, 'rootonly'), 0o755);
mkdirSync(join(PRIV, 'open'));
chmodSync(join(PRIV, 'open'), 0o777);
// the commands' modules are loaded while still root (the repository may not be readable by nobody)
await Promise.all([import('./repro.ts'), import('./coverage.ts'), import('./oracle.ts'), import('./diff.ts'), import('./kernelrun.ts')]);
process.setgid!(65534);
process.setuid!(65534);
await run('unreadable: run', ['run', join(PRIV, 'secret.json')], join(PRIV, 'open'));
await run('unreadable: corpus merge', ['corpus', 'merge', join(PRIV, 'closed'), '--into', join(PRIV, 'open', 'm')], join(PRIV, 'open'));
await run('unreadable: oracle --corpus', ['oracle', '--corpus', join(PRIV, 'closed')], join(PRIV, 'open'));
await run('unreadable: repro', ['repro', join(PRIV, 'secret.json'), '--c', '--out', join(PRIV, 'open', 'r.c')], join(PRIV, 'open'));
await run('unwritable: fuzz --save', [...FINDING, '--save', join(PRIV, 'rootonly', 's')], join(PRIV, 'rootonly'));
await run('unwritable: fuzz --junit', [...FINDING, '--junit', join(PRIV, 'rootonly', 'j.xml')], join(PRIV, 'rootonly'));
await run('unwritable: repro --out', ['repro', GOOD, '--c', '--out', join(PRIV, 'rootonly', 'r.c')], join(PRIV, 'rootonly'));
await run('unwritable: coverage --html', ['coverage', '--html', join(PRIV, 'rootonly', 'c.html')], join(PRIV, 'rootonly'));

process.stdout.write(JSON.stringify({ cases: results }));
