// Reading and writing scenario files: regular files only, atomic writes that
// never leave a temporary or partial file behind.

import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileError, jsonDepth, loadScenarioFile, readTextFile, saveScenarioFile, writeFileAtomic } from './io.ts';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'bpftc-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scenario/io', () => {
  it('a saved scenario starts with $schema, the path of the package schema from where it is saved, and loads back', () => {
    const sub = join(dir, 'deep', 'er');
    mkdirSync(sub, { recursive: true });
    const f = join(sub, 's.json');
    saveScenarioFile(f, { $schema: 'elsewhere', format: 'bpftc/1', actors: [{ name: 'a', userns: 'init', kuid: 0, caps: 'all' }], steps: [] });
    const text = readFileSync(f, 'utf8');
    expect(text.split('\n')[1]).toMatch(/^  "\$schema": ".*scenario\/scenario\.schema\.json",$/);
    const ref = loadScenarioFile(f).$schema!;
    expect(existsSync(join(dirname(f), ref))).toBe(true);
    rmSync(join(dir, 'deep'), { recursive: true });
  });

  it('writes atomically: replaces, or with exclusive refuses an existing file', () => {
    const f = join(dir, 'a.json');
    writeFileAtomic(f, 'one\n');
    writeFileAtomic(f, 'two\n');
    expect(readFileSync(f, 'utf8')).toBe('two\n');
    expect(() => writeFileAtomic(f, 'three\n', { exclusive: true, what: '--save x' })).toThrow(/^--save x: .*a\.json already exists$/);
    try {
      writeFileAtomic(f, 'three\n', { exclusive: true });
    } catch (e) {
      expect(e).toBeInstanceOf(FileError);
      expect((e as FileError).code).toBe('EEXIST');
    }
    expect(readFileSync(f, 'utf8')).toBe('two\n');
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('a failed write leaves no temporary file and the target as it was', () => {
    mkdirSync(join(dir, 'sub', 'target.json'), { recursive: true });
    expect(() => writeFileAtomic(join(dir, 'sub', 'target.json'), 'x')).toThrow(/cannot write .*target\.json: is a directory/);
    expect(() => writeFileAtomic(join(dir, 'missing', 'x.json'), 'x')).toThrow(/cannot write .*: does not exist \(ENOENT\)/);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['target.json']);
  });

  it('reads regular files only', () => {
    writeFileSync(join(dir, 'r.json'), '{}');
    expect(readTextFile(join(dir, 'r.json'))).toBe('{}');
    expect(() => readTextFile(dir)).toThrow(/cannot read: is a directory/);
    expect(() => readTextFile('/dev/zero')).toThrow(/cannot read: not a regular file/);
    expect(() => readTextFile(join(dir, 'r.json'), 1)).toThrow(/larger than 1 bytes/);
  });

  it('measures JSON nesting outside strings', () => {
    expect(jsonDepth('{"a": [1, {"b": "[[[["}]}')).toBe(3);
    expect(jsonDepth('"\\"[["')).toBe(0);
    expect(jsonDepth('[[[]]]')).toBe(3);
  });
});
