import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ALLOWED_FS_TYPES, LIMITS, MAX_PATH_BYTES, REASON, REASONS, REFUSED, limitMessage, pathRefusal, staticRefusal } from './sandbox.ts';
import { ScenarioError, validateScenario } from './validate.ts';
import { runScenario } from '../model/run.ts';
import { formatTrace } from './format.ts';
import type { Scenario, Step } from './types.ts';

const A = [{ name: 'r', userns: 'init', kuid: 0, caps: 'all' as const, mntns: 'own' }];
const sc = (steps: Step[], extra: Partial<Scenario> = {}): Scenario => ({ format: 'bpftc/1', actors: A, steps, ...extra });

describe('scenario/sandbox.ts static rules', () => {
  it('refuses paths that escape: absolute, "..", NUL and control bytes', () => {
    for (const p of ['/', '/etc/passwd', '..', '../x', 'a/..', 'a/../b', 'a\0b', 'a\nb', '\x1f', 'x\x7f'])
      expect(pathRefusal(p), JSON.stringify(p)).toBe(REASON.pathEscapes);
    for (const p of ['', '.', 'd', 'd/e', './d', 'maps.debug', '...', '..a', 'a..', 'é', 'd/'])
      expect(pathRefusal(p), JSON.stringify(p)).toBeNull();
  });

  it('refuses paths longer than 1024 bytes (UTF-8), escape reasons first', () => {
    expect(pathRefusal('a'.repeat(MAX_PATH_BYTES))).toBeNull();
    expect(pathRefusal('a'.repeat(MAX_PATH_BYTES + 1))).toBe(REASON.pathTooLong);
    expect(pathRefusal('é'.repeat(513))).toBe(REASON.pathTooLong);
    expect(pathRefusal('/' + 'a'.repeat(2000))).toBe(REASON.pathEscapes);
  });

  it('applies the path rules to open, mkdir, open_tree and fspick only', () => {
    for (const op of ['open', 'mkdir', 'open_tree', 'fspick'] as const)
      expect(staticRefusal({ actor: 'r', op, dirfd: 'x', path: '/x' } as Step)).toBe(REASON.pathEscapes);
    expect(staticRefusal({ actor: 'r', op: 'mount', data: '/../x' })).toBeNull();
    expect(staticRefusal({ actor: 'r', op: 'fsconfig', fd: 'f', cmd: 'set_string', key: 'source', value: '/dev/sda' })).toBeNull();
  });

  it('allows fsopen of bpf only (tmpfs and ramfs: the model has no such filesystem)', () => {
    expect(ALLOWED_FS_TYPES).toEqual(['bpf']);
    expect(staticRefusal({ actor: 'r', op: 'fsopen' })).toBeNull();
    expect(staticRefusal({ actor: 'r', op: 'fsopen', fs: 'bpf' })).toBeNull();
    for (const fs of ['tmpfs', 'ramfs', 'ext4', 'proc', 'cgroup2', 'nosuchfs', '', 'BPF', 'bpf '])
      expect(staticRefusal({ actor: 'r', op: 'fsopen', fs }), fs).toBe(REASON.fsType);
  });

  it('refuses rlimit_nofile above 4096', () => {
    expect(staticRefusal({ actor: 'r', op: 'rlimit_nofile', limit: 4096 })).toBeNull();
    expect(staticRefusal({ actor: 'r', op: 'rlimit_nofile', limit: 4097 })).toBe(REASON.fds);
  });

  it('keeps the exact reason texts of oracle/SANDBOX.md (and of the executor)', () => {
    const md = readFileSync(new URL('../oracle/SANDBOX.md', import.meta.url), 'utf8');
    const c = readFileSync(new URL('../oracle/executor.c', import.meta.url), 'utf8');
    for (const r of REASONS) {
      expect(md, r).toContain(`| \`${r}\` |`);
      expect(c, r).toContain(`"${r}"`);
    }
    expect(limitMessage('steps')).toBe('limit: steps (at most 4096)');
    expect(limitMessage('string')).toBe('limit: string length (at most 4096 bytes)');
  });
});

describe('the model refuses statically refused steps', () => {
  it('does nothing for a refused step: no fd, no handle, the scenario goes on', () => {
    const s = sc([
      { actor: 'r', op: 'fsopen', fs: 'ext4', as: 'x' },
      { actor: 'r', op: 'fsopen', as: 'fs' },
      { actor: 'r', op: 'fsconfig', fd: 'fs', cmd: 'create' },
      { actor: 'r', op: 'fsmount', fd: 'fs', as: 'mnt' },
      { actor: 'r', op: 'open', dirfd: 'mnt', path: '/', as: 'host' },
      { actor: 'r', op: 'mkdir', dirfd: 'mnt', path: '../d' },
      { actor: 'r', op: 'close', fd: 'host' },
      { actor: 'r', op: 'close', fd: 'x' },
      { actor: 'r', op: 'rlimit_nofile', limit: 5000 },
      { actor: 'r', op: 'mkdir', dirfd: 'mnt', path: 'd', expect: 'ok' },
    ]);
    const { results, state } = runScenario(s);
    expect(results.map((r) => r.ret)).toEqual([REFUSED, 'ok', 'ok', 'ok', REFUSED, REFUSED, 'EBADF', 'EBADF', REFUSED, 'ok']);
    expect(results[0]).toEqual({ ret: REFUSED, text: 'filesystem type not allowed' });
    expect(results[4]).toEqual({ ret: REFUSED, text: 'path escapes the scenario' });
    expect(results[8]).toEqual({ ret: REFUSED, text: 'limit: fds' });
    expect(state.handles.has('x')).toBe(false);
    expect(state.handles.has('host')).toBe(false);
    expect(formatTrace(s, results)).toContain('1. r: fsopen(fs="ext4") as x -> REFUSED "filesystem type not allowed"');
  });
});

describe('validator: REFUSED expectations and scenario limits', () => {
  it('accepts expect REFUSED with a reason, rejects an unknown reason', () => {
    validateScenario(sc([{ actor: 'r', op: 'fsopen', fs: 'ext4', expect: 'REFUSED', expect_text: 'filesystem type not allowed' }]));
    expect(() => validateScenario(sc([{ actor: 'r', op: 'fsopen', expect: 'REFUSED', expect_text: 'nope' }]))).toThrow(/expect_text: expected a refusal reason/);
    expect(() => validateScenario(sc([{ actor: 'r', op: 'fsopen', expect: 'REFUSE' }]))).toThrow(/expect: expected "ok", an errno name or "REFUSED"/);
  });

  const err = (s: unknown): string => {
    try {
      validateScenario(s);
    } catch (e) {
      expect(e).toBeInstanceOf(ScenarioError);
      return (e as Error).message;
    }
    return 'valid';
  };

  it('names the limit: steps, actors, userns, depth, string length', () => {
    const step: Step = { actor: 'r', op: 'close', fd: 'x' };
    expect(err(sc(Array.from({ length: LIMITS.steps }, () => step)))).toBe('valid');
    expect(err(sc(Array.from({ length: LIMITS.steps + 1 }, () => step)))).toBe('$.steps: limit: steps (at most 4096)');
    const actors = Array.from({ length: 33 }, (_, i) => ({ name: `a${i}`, userns: 'init', kuid: 0, caps: 'all' }));
    expect(err({ format: 'bpftc/1', actors, steps: [] })).toBe('$.actors: limit: actors (at most 32)');
    const flat = Array.from({ length: 33 }, (_, i) => ({ name: `u${i}`, parent: 'init', owner: 0, map: { base: 0, count: 1 } }));
    expect(err(sc([], { userns: flat }))).toBe('$.userns: limit: userns (at most 32)');
    const chain = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `u${i}`, parent: i ? `u${i - 1}` : 'init', owner: 0, map: { base: 0, count: 1 } }));
    expect(err(sc([], { userns: chain(8) }))).toBe('valid');
    expect(err(sc([], { userns: chain(9) }))).toBe('$.userns[8].parent: limit: userns depth (at most 8)');
    expect(err(sc([{ actor: 'r', op: 'close', fd: 'x', label: 'l'.repeat(4097) }]))).toBe('$.steps[0].label: limit: string length (at most 4096 bytes)');
    expect(err(sc([{ actor: 'r', op: 'close', fd: 'x', label: 'é'.repeat(2049) }]))).toBe('$.steps[0].label: limit: string length (at most 4096 bytes)');
    expect(err({ ...sc([]), meta: { ['k'.repeat(5000)]: 1 } })).toBe('$.meta: limit: string length (at most 4096 bytes)');
  });
});
