import { describe, expect, it } from 'vitest';
import { ClassMapError, classMapUnavailable, loadClassMap, parseDump } from './classmap.ts';
import { TREE_73, tempCache } from './testing.ts';

describe('the kernel class map', () => {
  it('parses the dumper output', () => {
    const m = parseDump('class file read write\nclass bpf map_create\nsid kernel\nsid -\npolcap open_perms\n', 'h');
    expect(m.classes).toEqual([
      { name: 'file', perms: ['read', 'write'] },
      { name: 'bpf', perms: ['map_create'] },
    ]);
    expect(m.initialSids).toEqual([null, 'kernel', null]);
    expect(m.polcaps).toEqual(['open_perms']);
    expect(() => parseDump('', 'h')).toThrow(ClassMapError);
  });

  it('a directory that is not a kernel tree is one line', () => {
    const dir = tempCache();
    expect(classMapUnavailable(dir)).toMatch(/classmap\.h is missing/);
    expect(() => loadClassMap(dir, dir)).toThrow(ClassMapError);
  });

  const skip = !TREE_73 ? 'no linux-source-7.3 tree in the cache' : classMapUnavailable(TREE_73.path);
  it.skipIf(skip !== null)(`reads 7.3.4's map: bpf with the token permissions, 27 initial SIDs, bpf_token_perms at 14${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const cache = tempCache();
    const m = loadClassMap(TREE_73!.path, cache);
    expect(m.classes.find((c) => c.name === 'bpf')?.perms).toEqual(['map_create', 'map_read', 'map_write', 'prog_load', 'prog_run', 'map_create_as', 'prog_load_as']);
    expect(m.classes.find((c) => c.name === 'cap2_userns')?.perms).toContain('bpf');
    expect(m.initialSids.length - 1).toBe(27);
    expect(m.initialSids[1]).toBe('kernel');
    expect(m.initialSids[3]).toBe('unlabeled');
    expect(m.polcaps.indexOf('bpf_token_perms')).toBe(14);
    expect(loadClassMap(TREE_73!.path, cache)).toEqual(m); // from the cache
  });
});
