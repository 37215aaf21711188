// Reading and writing scenario files (the only I/O in the scenario layer).
//
// Reading: regular files only (a FIFO or a device would block or never end),
// at most MAX_SCENARIO_BYTES, every failure one FileError naming the file.
// Writing: atomic (a temporary file in the same directory, fsync, rename), so
// a full disk or a crash never leaves a 0-byte or truncated scenario behind.

import { closeSync, constants, existsSync, fstatSync, fsyncSync, linkSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Scenario } from './types.ts';
import { ScenarioError, parseScenario } from './validate.ts';

/** a file or directory the user named cannot be read or written: exit 2 */
export class FileError extends Error {
  constructor(
    message: string,
    /** the errno name when one caused it ("EEXIST" for an exclusive write onto an existing file) */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** larger than any scenario a person or the shrinker writes (the corpus' largest is ~60 KB) */
export const MAX_SCENARIO_BYTES = 16 * 1024 * 1024;

const WORDS: Record<string, string> = {
  ENOENT: 'does not exist',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a component of the path is not a directory',
  ELOOP: 'too many levels of symbolic links (a symlink loop?)',
  ENAMETOOLONG: 'file name too long',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EEXIST: 'already exists',
  EFBIG: 'file too large',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  ENXIO: 'no such device or address',
  ENODEV: 'no such device',
  EBUSY: 'device or resource busy',
  ETXTBSY: 'text file busy',
  EINVAL: 'invalid argument',
  EAGAIN: 'resource temporarily unavailable',
};

/** one phrase for a failed file system call ("does not exist", "no space left on the device") */
export function fsProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string') return Object.hasOwn(WORDS, code) ? `${WORDS[code]} (${code})` : code;
  return e instanceof Error ? e.message : String(e);
}

/** the text of a regular file, or a FileError naming the file and what is wrong */
export function readTextFile(file: string, max = MAX_SCENARIO_BYTES): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    throw new FileError(`${file}: cannot read: ${fsProblem(e)}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new FileError(`${file}: cannot read: is a directory`);
    if (!st.isFile()) throw new FileError(`${file}: cannot read: not a regular file`);
    if (st.size > max) throw new FileError(`${file}: cannot read: larger than ${max} bytes`);
    const buf = Buffer.alloc(st.size + 1);
    let n = 0;
    for (;;) {
      if (n === buf.length) throw new FileError(`${file}: cannot read: it grew while being read`);
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    return buf.subarray(0, n).toString('utf8');
  } catch (e) {
    if (e instanceof FileError) throw e;
    throw new FileError(`${file}: cannot read: ${fsProblem(e)}`);
  } finally {
    closeSync(fd);
  }
}

/** deeper than any scenario (they nest < 10 levels); deeper JSON would overflow
 *  the stack of JSON.stringify when the scenario is saved or merged */
export const MAX_JSON_DEPTH = 64;

/** the deepest nesting of arrays and objects in JSON text (strings skipped) */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

export function loadScenarioFile(file: string): Scenario {
  const text = readTextFile(file);
  if (jsonDepth(text) > MAX_JSON_DEPTH) throw new ScenarioError(`${file}:$`, `nested deeper than ${MAX_JSON_DEPTH} levels`);
  return parseScenario(text, `${file}:$`);
}

let tmpCounter = 0;

/** Writes `data` to `file` atomically: a temporary file in the same directory,
 *  fsync, then rename (or, with `exclusive`, link: never replaces an existing
 *  file, EEXIST instead). On failure the temporary file is removed and the
 *  target is as it was; the error is a FileError naming `what` (a flag such as
 *  "--junit FILE", or the file). Returns nothing; throws on any failure. */
export function writeFileAtomic(file: string, data: string, opts: { exclusive?: boolean; what?: string } = {}): void {
  const what = opts.what ?? file;
  // short, so a target name near NAME_MAX still gets a temporary name; not *.json, so no corpus walk reads it
  const tmp = join(dirname(file), `.bpftc-${process.pid}-${++tmpCounter}.tmp`);
  let fd: number | undefined;
  let stage = 'write';
  try {
    fd = openSync(tmp, 'wx', 0o644);
    const buf = Buffer.from(data, 'utf8');
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
    stage = 'sync';
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    stage = 'rename';
    if (opts.exclusive) {
      try {
        linkSync(tmp, file); // EEXIST when the target exists: no overwrite, no race
        unlinkSync(tmp);
      } catch (e) {
        // a file system without hard links (vfat, some FUSE): check, then rename
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
        if (existsSync(file)) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
        renameSync(tmp, file);
      }
    } else renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* never created, or already renamed */
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (stage === 'rename' && code === 'EEXIST') throw new FileError(`${what}: ${file} already exists`, 'EEXIST');
    throw new FileError(`${what}: cannot write ${file}: ${fsProblem(e)}`, code);
  }
  // make the rename itself durable; a directory that cannot be opened or synced loses nothing written
  try {
    const d = openSync(dirname(file), constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      fsyncSync(d);
    } finally {
      closeSync(d);
    }
  } catch {
    /* best effort */
  }
}

/** the package's scenario/scenario.schema.json (from the sources, or from dist/scenario/) */
function schemaFile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const mine = join(here, 'scenario.schema.json');
  return existsSync(mine) ? mine : join(here, '..', '..', 'scenario', 'scenario.schema.json');
}

/** `$schema` for a scenario saved as `file`: the schema's path relative to the file's directory */
export function schemaRef(file: string): string {
  return relative(dirname(resolve(file)), schemaFile()).split(sep).join('/');
}

/** the scenario's text as saved: `$schema` first (pointing at the package's schema), JSON,
 *  two-space indent, final newline */
export function scenarioFileText(file: string, s: Scenario): string {
  const { $schema: _ignored, ...rest } = s;
  return JSON.stringify({ $schema: schemaRef(file), ...rest }, null, 2) + '\n';
}

/** writes a scenario as a new file (never replaces one) */
export function saveScenarioFile(file: string, s: Scenario, what?: string): void {
  writeFileAtomic(file, scenarioFileText(file, s), what === undefined ? { exclusive: true } : { exclusive: true, what });
}
