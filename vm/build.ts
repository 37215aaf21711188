// bpftc vm build: a small kernel for the VM oracle, from a Debian source
// package (or a tree of the user's), with patches, configured from the
// fragments in vm/config/, built niced, and cached under a key of
// (source version, patch hashes, config hash). A second build with the same
// inputs finds the image and returns at once.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { candidate, download, privateApt, updateLists } from './apt.ts';
import { cacheRoot, kernelsDir } from './cache.ts';
import { type FilePatch, type HunkOutcome, applyFilePatch, parsePatch } from './patch.ts';
import { adaptationIdentity, adaptationsFor, rewriteContext } from './adapt.ts';

export const CONFIG_DIR = join(dirname(fileURLToPath(import.meta.url)), 'config');

export const PACKAGES = ['linux-source-6.12', 'linux-source-7.3'] as const;
export const LSMS = ['selinux', 'bpf'] as const;
export type Lsm = (typeof LSMS)[number];

export class BuildError extends Error {}

export interface BuildOptions {
  /** a Debian package name (PACKAGES) or a kernel source directory */
  source: string;
  patches: string[];
  lsm: Lsm[];
  /** cache root (default cacheRoot()) */
  cache?: string;
  /** make -j (default 2) */
  jobs?: number;
  log?: (line: string) => void;
}

export interface BuildResult {
  image: string;
  key: string;
  /** true when the image was already in the cache */
  cached: boolean;
  /** package version, or the directory's `make kernelversion` */
  version: string;
  seconds: number;
  patches: Array<{ file: string; sha256: string; hunks: Array<HunkOutcome & { path: string }> }>;
  /** options of the fragment that the final .config does not have as asked */
  unmet: string[];
}

const sha256 = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

/** the config fragment for a set of LSMs: base + one file per LSM + CONFIG_LSM */
export function configFragment(lsm: readonly Lsm[]): string {
  const parts = [readFileSync(join(CONFIG_DIR, 'base.config'), 'utf8')];
  for (const l of LSMS) if (lsm.includes(l)) parts.push(readFileSync(join(CONFIG_DIR, `lsm-${l}.config`), 'utf8'));
  parts.push(`CONFIG_LSM="${['capability', ...LSMS.filter((l) => lsm.includes(l))].join(',')}"\n`);
  return parts.join('');
}

/** the options a fragment asks for: name -> value ('n' for "is not set") */
export function fragmentOptions(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of text.split('\n')) {
    const set = /^(CONFIG_\w+)=(.*)$/.exec(l);
    if (set) m.set(set[1]!, set[2]!);
    const unset = /^# (CONFIG_\w+) is not set$/.exec(l);
    if (unset) m.set(unset[1]!, 'n');
  }
  return m;
}

/** options the fragment asks for that `config` (a .config text) does not have */
export function unmetOptions(fragment: string, config: string): string[] {
  const have = fragmentOptions(config);
  const out: string[] = [];
  for (const [k, v] of fragmentOptions(fragment)) {
    const got = have.get(k) ?? 'n';
    if (got !== v) out.push(`${k}=${v} (got ${got === 'n' ? 'not set' : got})`);
  }
  return out;
}

export function imageKey(parts: { source: string; version: string; patches: string[]; config: string }): string {
  return sha256(JSON.stringify([parts.source, parts.version, parts.patches, parts.config])).slice(0, 16);
}

function run(cmd: string, args: string[], cwd: string, logFile: string): void {
  const fd = openSync(logFile, 'a');
  try {
    writeSync(fd, `\n$ ${cmd} ${args.join(' ')}\n`);
    const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', fd, fd] });
    if (r.error) throw new BuildError(`${cmd}: ${r.error.message}`);
    if (r.status !== 0) {
      const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-15).join('\n');
      throw new BuildError(`${cmd} ${args.join(' ')} failed (status ${String(r.status)}); the end of ${logFile}:\n${tail}`);
    }
  } finally {
    closeSync(fd);
  }
}

/** the only top directory of an extracted linux-source tarball */
function extractSource(deb: string, pkg: string, tree: string, log: (l: string) => void): string {
  const src = join(tree, pkg);
  if (existsSync(join(tree, '.extracted'))) return src;
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  log(`extracting ${basename(deb)} into ${tree}`);
  const sh = `dpkg-deb --fsys-tarfile "$1" | tar -xO ./usr/src/${pkg}.tar.xz | nice -n 19 tar -xJ`;
  const r = spawnSync('sh', ['-c', sh, 'sh', deb], { cwd: tree, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(join(src, 'Makefile'))) throw new BuildError(`extracting ${deb} failed: ${(r.stderr ?? '').trim().split('\n').pop() ?? ''}`);
  return src;
}

function applyFilePatches(src: string, label: string, fps: FilePatch[], log: (l: string) => void): Array<HunkOutcome & { path: string }> {
  const hunks: Array<HunkOutcome & { path: string }> = [];
  for (const fp of fps) {
    const path = join(src, fp.path);
    const before = existsSync(path) ? readFileSync(path, 'utf8') : null;
    if (before === null && !fp.create) {
      hunks.push(...fp.hunks.map((h) => ({ path: fp.path, header: h.header, error: 'no such file in the tree' })));
      continue;
    }
    const r = applyFilePatch(before, fp);
    if (r.text === null) rmSync(path, { force: true });
    else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, r.text);
    }
    hunks.push(...r.hunks.map((h) => ({ path: fp.path, ...h })));
  }
  const failed = hunks.filter((h) => h.error);
  log(`patch ${label}: ${hunks.length - failed.length} of ${hunks.length} hunks applied`);
  for (const h of failed) log(`  FAILED ${h.path} ${h.header}: ${h.error}`);
  return hunks;
}

function applyPatches(src: string, source: string, files: string[], log: (l: string) => void): BuildResult['patches'] {
  const out: BuildResult['patches'] = [];
  const done = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    let fps = parsePatch(text);
    if (!fps.length) throw new BuildError(`${file}: no unified diff in it`);
    for (const a of adaptationsFor(source, text)) {
      log(`adaptation ${a.name}: ${a.why}`);
      for (const b of a.before) {
        if (done.has(b)) continue;
        done.add(b);
        const bt = readFileSync(b, 'utf8');
        out.push({ file: b, sha256: sha256(bt), hunks: applyFilePatches(src, basename(b), parsePatch(bt), log) });
      }
      fps = rewriteContext(fps, a);
    }
    out.push({ file, sha256: sha256(text), hunks: applyFilePatches(src, basename(file), fps, log) });
  }
  return out;
}

/** a patch's part of the cache key: its text and the adaptations it gets */
function patchKey(source: string, text: Buffer): string {
  const t = text.toString('utf8');
  return sha256(JSON.stringify([sha256(text), adaptationsFor(source, t).map(adaptationIdentity)]));
}

/** Builds (or finds) the image. Throws BuildError with a one-paragraph reason. */
export function buildKernel(o: BuildOptions): BuildResult {
  const t0 = Date.now();
  const log = o.log ?? (() => {});
  const cache = o.cache ?? cacheRoot();
  const fragment = configFragment(o.lsm);
  const patchTexts = o.patches.map((f) => {
    if (!existsSync(f)) throw new BuildError(`no such patch file: ${f}`);
    return readFileSync(f);
  });
  const patchHashes = patchTexts.map((t) => patchKey(o.source, t));
  const isPkg = (PACKAGES as readonly string[]).includes(o.source);
  let version: string;
  let deb = '';
  let srcDir = '';
  if (isPkg) {
    const apt = privateApt(cache);
    updateLists(apt, log);
    const v = candidate(apt, o.source);
    if (!v) throw new BuildError(`${o.source} is not in the private package lists (bookworm-security, trixie-backports)`);
    version = v;
  } else {
    if (!existsSync(join(o.source, 'Makefile')) || !existsSync(join(o.source, 'Kconfig')))
      throw new BuildError(`--source takes ${PACKAGES.join(' or ')} or a kernel source directory; ${o.source} is neither`);
    if (o.patches.length) throw new BuildError('--patch applies to a Debian source package; patch your own tree yourself');
    srcDir = realpathSync(o.source);
    const r = spawnSync('make', ['-s', 'kernelversion'], { cwd: srcDir, encoding: 'utf8' });
    version = `${(r.stdout ?? '').trim() || 'unknown'} (${srcDir})`;
  }
  const key = imageKey({ source: isPkg ? o.source : srcDir, version, patches: patchHashes, config: sha256(fragment) });
  const name = `${isPkg ? o.source.replace(/^linux-source-/, 'linux-') : 'tree'}-${key}`;
  const outDir = join(kernelsDir(cache), name);
  const image = join(outDir, 'bzImage');
  // a tree of the user's is always re-made (make is incremental): its sources may have changed
  if (isPkg && existsSync(image) && existsSync(join(outDir, 'build.json'))) {
    const meta = JSON.parse(readFileSync(join(outDir, 'build.json'), 'utf8')) as Pick<BuildResult, 'patches' | 'unmet'>;
    return { image, key, cached: true, version, seconds: (Date.now() - t0) / 1000, patches: meta.patches, unmet: meta.unmet };
  }
  const treeKey = isPkg ? `${o.source}_${version}${patchHashes.length ? `-p${sha256(patchHashes.join(',')).slice(0, 12)}` : ''}` : `tree-${sha256(srcDir).slice(0, 12)}`;
  const tree = join(cache, 'trees', treeKey);
  mkdirSync(tree, { recursive: true });
  const lock = join(tree, '.lock');
  let lockFd: number;
  try {
    lockFd = openSync(lock, 'wx');
  } catch {
    throw new BuildError(`another build holds ${lock} (remove it if no build is running)`);
  }
  try {
    let patches: BuildResult['patches'] = [];
    let make: string[];
    let cwd: string;
    if (isPkg) {
      deb = download(privateApt(cache), o.source, version, join(cache, 'debs'), log);
      const fresh = !existsSync(join(tree, '.extracted'));
      cwd = extractSource(deb, o.source, tree, log);
      if (fresh) {
        patches = applyPatches(cwd, o.source, o.patches, log);
        writeFileSync(join(tree, 'patches.json'), JSON.stringify(patches, null, 2) + '\n');
        writeFileSync(join(tree, '.extracted'), `${o.source} ${version}\n`);
      } else if (existsSync(join(tree, 'patches.json'))) patches = JSON.parse(readFileSync(join(tree, 'patches.json'), 'utf8')) as BuildResult['patches'];
      make = ['ARCH=x86_64'];
    } else {
      cwd = srcDir;
      make = ['ARCH=x86_64', `O=${join(tree, 'build')}`];
      mkdirSync(join(tree, 'build'), { recursive: true });
    }
    const obj = isPkg ? cwd : join(tree, 'build');
    const logFile = join(tree, 'build.log');
    writeFileSync(logFile, '');
    writeFileSync(join(tree, 'fragment.config'), fragment);
    log(`configuring (tinyconfig + vm/config: ${['base', ...o.lsm.map((l) => `lsm-${l}`)].join(', ')})`);
    run('make', [...make, 'tinyconfig'], cwd, logFile);
    run(join(cwd, 'scripts', 'kconfig', 'merge_config.sh'), ['-m', '-O', obj, join(obj, '.config'), join(tree, 'fragment.config')], cwd, logFile);
    run('make', [...make, 'olddefconfig'], cwd, logFile);
    const unmet = unmetOptions(fragment, readFileSync(join(obj, '.config'), 'utf8'));
    for (const u of unmet) log(`  config: asked ${u}`);
    log(`building: nice -n 19 make -j${o.jobs ?? 2} bzImage (minutes; log: ${logFile})`);
    run('nice', ['-n', '19', 'make', ...make, `-j${o.jobs ?? 2}`, 'bzImage'], cwd, logFile);
    const built = join(obj, 'arch', 'x86', 'boot', 'bzImage');
    if (!existsSync(built)) throw new BuildError(`make succeeded but ${built} is missing`);
    mkdirSync(outDir, { recursive: true });
    copyFileSync(built, image + '.tmp');
    copyFileSync(join(obj, '.config'), join(outDir, 'config'));
    const seconds = (Date.now() - t0) / 1000;
    const meta = { source: o.source, version, lsm: o.lsm, patches, unmet, config_sha256: sha256(fragment), seconds, bytes: statSync(built).size, date: new Date().toISOString() };
    writeFileSync(join(outDir, 'build.json'), JSON.stringify(meta, null, 2) + '\n');
    renameSync(image + '.tmp', image);
    return { image, key, cached: false, version, seconds, patches, unmet };
  } finally {
    closeSync(lockFd);
    rmSync(lock, { force: true });
  }
}
