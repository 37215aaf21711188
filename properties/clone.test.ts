import { describe, expect, it } from 'vitest';
import { cloneDeep } from './clone.ts';

class Box {
  constructor(public v: number) {}
  twice(): number {
    return 2 * this.v;
  }
}

describe('cloneDeep', () => {
  it('copies a graph: sharing, cycles, maps, sets, class instances, own __proto__ keys; frozen objects are shared', () => {
    const shared = { n: 1 };
    const frozen = Object.freeze([{ r: 1 }]);
    const o: Record<string, unknown> = { a: shared, b: [shared, 2n, null], m: new Map([[shared, new Box(3)]]), s: new Set([shared]), f: frozen };
    o.self = o;
    const evil = JSON.parse('{"__proto__": {"x": 1}, "y": [1]}') as Record<string, unknown>;
    o.evil = evil;
    const c = cloneDeep(o);
    expect(c).not.toBe(o);
    expect(c.self).toBe(c);
    expect(c.a).toEqual(shared);
    expect(c.a).not.toBe(shared);
    expect((c.b as unknown[])[0]).toBe(c.a);
    expect((c.b as unknown[])[1]).toBe(2n);
    const [[k, box]] = [...(c.m as Map<unknown, Box>)];
    expect(k).toBe(c.a);
    expect(box).toBeInstanceOf(Box);
    expect(box!.twice()).toBe(6);
    expect([...(c.s as Set<unknown>)][0]).toBe(c.a);
    expect(c.f).toBe(frozen);
    const e = c.evil as Record<string, unknown>;
    expect(Object.getPrototypeOf(e)).toBe(Object.prototype);
    expect(Object.hasOwn(e, '__proto__')).toBe(true);
    expect(e.__proto__).toEqual({ x: 1 });
    expect(e.__proto__).not.toBe(evil.__proto__);
    expect(e.y).not.toBe(evil.y);
    // the copy is independent
    (c.a as { n: number }).n = 5;
    expect(shared.n).toBe(1);
  });
});
