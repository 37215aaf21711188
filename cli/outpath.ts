// Output paths (--save, --junit, --out, --html, --into) are checked before any
// work starts, so a typo costs one line, not a campaign: the parent directory
// exists, is a directory and is writable; a file target is not a directory, a
// device or a FIFO (an atomic write would replace the node, or never finish).

import { accessSync, constants, lstatSync, mkdirSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FileError, fsProblem } from '../scenario/io.ts';

function statOrNull(p: string, follow: boolean): Stats | null {
  try {
    return follow ? statSync(p) : lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

function checkParent(what: string, path: string): void {
  const parent = dirname(resolve(path));
  let st: Stats | null;
  try {
    st = statOrNull(parent, true);
  } catch (e) {
    throw new FileError(`${what}: directory ${dirname(path)}: ${fsProblem(e)}`);
  }
  if (!st) throw new FileError(`${what}: directory ${dirname(path)} does not exist`);
  if (!st.isDirectory()) throw new FileError(`${what}: ${dirname(path)} is not a directory`);
  writable(what, dirname(path));
}

function writable(what: string, dir: string): void {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw new FileError(`${what}: cannot write in ${dir}: ${fsProblem(e)}`);
  }
}

/** a file the command will write (replace, unless `noClobber`) */
export function checkOutFile(flag: string, path: string, noClobber = false): void {
  const what = `${flag} ${path}`;
  if (path.endsWith('/')) throw new FileError(`${what}: names a directory, expected a file`);
  let l: Stats | null;
  let st: Stats | null;
  try {
    l = statOrNull(path, false);
    st = l?.isSymbolicLink() ? statOrNull(path, true) : l;
  } catch (e) {
    throw new FileError(`${what}: ${fsProblem(e)}`);
  }
  if (l?.isSymbolicLink() && !st) throw new FileError(`${what}: a dangling symbolic link`);
  if (st?.isDirectory()) throw new FileError(`${what}: is a directory, expected a file`);
  if (st && !st.isFile()) throw new FileError(`${what}: not a regular file`);
  if (st && noClobber) throw new FileError(`${what}: already exists (--force replaces it)`);
  checkParent(what, path);
}

/** a directory the command writes new files into (created when missing; its parent must exist) */
export function checkOutDir(flag: string, path: string): void {
  const what = `${flag} ${path}`;
  let st: Stats | null;
  try {
    const l = statOrNull(path, false);
    st = l?.isSymbolicLink() ? statOrNull(path, true) : l;
    if (l?.isSymbolicLink() && !st) throw new FileError(`${what}: a dangling symbolic link`);
  } catch (e) {
    if (e instanceof FileError) throw e;
    throw new FileError(`${what}: ${fsProblem(e)}`);
  }
  if (st) {
    if (!st.isDirectory()) throw new FileError(`${what}: not a directory`);
    writable(what, path);
    return;
  }
  checkParent(what, path);
}

/** creates a checked output directory when it is missing (only that one level) */
export function ensureOutDir(flag: string, path: string): void {
  try {
    mkdirSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && statOrNull(path, true)?.isDirectory()) return;
    throw new FileError(`${flag} ${path}: cannot create the directory: ${fsProblem(e)}`);
  }
}

/** an input directory (a corpus, a shard's findings): exists and is a directory */
export function checkInDir(what: string, path: string): void {
  let st: Stats | null;
  try {
    st = statOrNull(path, true);
  } catch (e) {
    throw new FileError(`${what}: ${fsProblem(e)}`);
  }
  if (!st) {
    let dangling = false;
    try {
      dangling = lstatSync(path).isSymbolicLink();
    } catch {
      /* no such path */
    }
    throw new FileError(`${what}: ${dangling ? 'a dangling symbolic link' : 'does not exist'}`);
  }
  if (!st.isDirectory()) throw new FileError(`${what}: not a directory`);
}
