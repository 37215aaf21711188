// The one table npm run bench ends with: every figure it measured, the goal of
// issue 13 where there is one, and the command (or code) the figure comes from,
// as Markdown so that the README's table can be pasted from it.

export interface BenchRow {
  figure: string;
  value: string;
  /** the issue-13 goal and whether it was met, or '' */
  goal: string;
  /** what was run: a bpftc command line, or the bench code that times it */
  command: string;
}

const rows: BenchRow[] = [];

export function record(figure: string, value: string, command: string, goal = ''): void {
  rows.push({ figure, value, goal, command });
}

/** "met" / "not met" for a figure against a goal */
export function verdict(ok: boolean): string {
  return ok ? 'met' : 'not met';
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');

export function formatTable(header: string): string {
  const lines = [header, '', '| figure | value | goal (issue 13) | command |', '|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${cell(r.figure)} | ${cell(r.value)} | ${cell(r.goal)} | ${r.command ? `\`${cell(r.command)}\`` : ''} |`);
  return lines.join('\n');
}
