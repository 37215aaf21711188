import { describe, expect, it } from 'vitest';
import { formatTable, record, verdict } from './table.ts';

describe('the closing table of npm run bench', () => {
  it('is Markdown with one row per figure, its goal and its command; a | in a cell is escaped', () => {
    record('start-up (median, max of 2)', '0.120 s, 0.130 s', 'bpftc --help', `<= 0.3 s: ${verdict(true)}`);
    record('a|b', 'x', '');
    const t = formatTable('## t').split('\n');
    expect(t.slice(0, 4)).toEqual(['## t', '', '| figure | value | goal (issue 13) | command |', '|---|---|---|---|']);
    expect(t[4]).toBe('| start-up (median, max of 2) | 0.120 s, 0.130 s | <= 0.3 s: met | `bpftc --help` |');
    expect(t[5]).toBe('| a\\|b | x |  |  |');
  });
});
