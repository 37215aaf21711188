import { describe, expect, it } from 'vitest';
import { checkExpectResult, checkExpectText, resultMeets, stepUnmet, textField, textMeets, unmetExpectations } from './expect.ts';
import { parseScenario } from './validate.ts';

const FDINFO = 'allowed_cmds:\t0x1\nallowed_maps:\t0x0\nallowed_progs:\t0x40\nallowed_attachs:\tany';
const INFO = 'cmds=0x1,maps=0x0,progs=0x40,attachs=0xffffffffffff';
const errno = (x: string): boolean => /^E[A-Z0-9]+$/.test(x);

describe('expectations', () => {
  it('"fails" is any errno, not ok, not a sandbox refusal', () => {
    expect(resultMeets('fails', 'EPERM')).toBe(true);
    expect(resultMeets('fails', 'EINVAL')).toBe(true);
    expect(resultMeets('fails', 'ok')).toBe(false);
    expect(resultMeets('fails', 'REFUSED')).toBe(false);
  });
  it('a set is met by any of its results', () => {
    expect(resultMeets(['EPERM', 'EACCES'], 'EACCES')).toBe(true);
    expect(resultMeets(['EPERM', 'EACCES'], 'ok')).toBe(false);
    expect(resultMeets('ok', 'ok')).toBe(true);
  });
  it('fields of fdinfo, bpf_token_info and mount option texts', () => {
    expect(textField(FDINFO, 'allowed_cmds')).toBe('0x1');
    expect(textField(FDINFO, 'allowed_attachs')).toBe('any');
    expect(textField(INFO, 'allowed_progs')).toBe('0x40');
    expect(textField(INFO, 'cmds')).toBe('0x1');
    expect(textField('bpf none rw,delegate_cmds=map_create,delegate_maps=stack', 'delegate_maps')).toBe('stack');
    expect(textField(FDINFO, 'nosuch')).toBeUndefined();
    expect(textMeets({ field: 'allowed_cmds', value: '0x1' }, INFO)).toBe(true);
    expect(textMeets({ field: 'allowed_progs', value: '0x20000000' }, INFO)).toBe(false);
    expect(textMeets({ field: 'allowed_attachs', match: '^(any|0xf+)$' }, FDINFO)).toBe(true);
    expect(textMeets({ match: 'allowed_progs:\\t0x40' }, FDINFO)).toBe(true);
    expect(textMeets(FDINFO, FDINFO)).toBe(true);
    expect(textMeets({ match: '' }, undefined)).toBe(false);
  });
  it('an unmet expectation names the step, what was expected and what came', () => {
    expect(stepUnmet({ expect: 'fails' }, { ret: 'ok' }, 3)).toEqual({ step: 3, expected: 'a failure (any errno)', got: 'ok' });
    expect(stepUnmet({ expect: ['EPERM', 'EACCES'] }, { ret: 'EINVAL' }, 1)).toEqual({ step: 1, expected: 'one of EPERM, EACCES', got: 'EINVAL' });
    expect(stepUnmet({ expect: 'ok', expect_text: { field: 'allowed_cmds', value: '0x2' } }, { ret: 'ok', text: INFO }, 2)).toEqual({ step: 2, expected: 'allowed_cmds = "0x2"', got: JSON.stringify(INFO) });
    expect(stepUnmet({ expect_text: { match: 'x' } }, { ret: 'EINVAL' }, 2)).toEqual({ step: 2, expected: 'text matching /x/', got: 'EINVAL (no text)' });
    expect(stepUnmet({ expect_text: { match: 'x' } }, { ret: 'EINVAL' }, 2, true)).toBeNull();
    expect(unmetExpectations([{ expect: 'ok' }, { expect: 'fails' }, {}], [{ ret: 'ok' }, { ret: 'EPERM' }, { ret: 'ok' }])).toEqual([]);
  });
  it('malformed expectations: one reason each', () => {
    expect(checkExpectResult('EPERM', errno)).toBeNull();
    expect(checkExpectResult(['EPERM', 'ok', 'REFUSED'], errno)).toBeNull();
    expect(checkExpectResult([], errno)?.msg).toMatch(/empty list/);
    expect(checkExpectResult(['EPERM', 'EPERM'], errno)).toEqual({ at: '[1]', msg: '"EPERM" is listed twice' });
    expect(checkExpectResult(['fails'], errno)?.msg).toMatch(/stands alone/);
    expect(checkExpectResult(['EPERM', 3], errno)).toEqual({ at: '[1]', msg: 'expected "ok", an errno name or "REFUSED", got 3' });
    expect(checkExpectResult(Array(17).fill('EPERM'), errno)?.msg).toMatch(/more than 16/);
    expect(checkExpectText({ match: '(a' })).toEqual({ at: '.match', msg: 'pattern not accepted: missing ")" at offset 2' });
    expect(checkExpectText({ field: 'allowed_cmds' })?.msg).toMatch(/exactly one of "value" and "match"/);
    expect(checkExpectText({ field: 'allowed_cmds', value: '1', match: '1' })?.msg).toMatch(/exactly one/);
    expect(checkExpectText({ field: 'Bad Name', value: '1' })?.at).toBe('.field');
    expect(checkExpectText({ regex: 'x' })).toEqual({ at: '.regex', msg: 'a text expectation takes no "regex"' });
    expect(checkExpectText({ value: 'x' })?.msg).toMatch(/"value" needs "field"/);
    expect(checkExpectText(7)?.msg).toMatch(/expected a string, \{"match": pattern\}/);
  });
  it('the validator reports them with the JSON path', () => {
    const sc = (st: Record<string, unknown>): string => JSON.stringify({ format: 'bpftc/1', actors: [{ name: 'a', userns: 'init', kuid: 0, caps: 'all' }], steps: [{ actor: 'a', op: 'fsopen', ...st }] });
    expect(() => parseScenario(sc({ expect: ['EPERM', 'ENOPE'] }))).toThrow(/^\$\.steps\[0\]\.expect\[1\]: expected "ok", an errno name or "REFUSED", got "ENOPE"$/);
    expect(() => parseScenario(sc({ expect_text: { match: '(?=x)' } }))).toThrow(/^\$\.steps\[0\]\.expect_text\.match: pattern not accepted: lookaround/);
    expect(() => parseScenario(sc({ expect: 'fails', expect_text: { field: 'allowed_cmds', value: 'any' } }))).not.toThrow();
  });
});
