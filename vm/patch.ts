// A small unified-diff applier that tolerates what mail does to patches: a
// quoting prefix ("> "), lost leading whitespace and lost context markers (a
// context line that arrives without its leading space). Lines are matched
// with all whitespace removed; a hunk applies only where its old text (context
// and removed lines) occurs exactly once in the file (or exactly once after
// the previous hunk: hunks are in file order), else it is reported as failed
// (never guessed). Context lines keep the file's own text; added lines
// take the patch's text.

export interface Hunk {
  /** 1-based start line in the old file, as the header says */
  oldStart: number;
  /** the old text (context and '-' lines) and the new text (context and '+' lines) */
  old: string[];
  new: string[];
  /** for each entry of `new`: the index into `old` of the same context line, or -1 for an added line */
  keep: number[];
  header: string;
}

export interface FilePatch {
  /** path relative to the tree (a/ and b/ stripped) */
  path: string;
  /** the file is created (--- /dev/null) or deleted (+++ /dev/null) */
  create: boolean;
  remove: boolean;
  hunks: Hunk[];
}

export class PatchError extends Error {}

/** strips one level of mail quoting when the diff lines are quoted */
export function unquote(text: string): string {
  const lines = text.split('\n');
  const marks = lines.filter((l) => /^>?\s*(diff --git |@@ -\d)/.test(l));
  if (!marks.length || !marks.every((l) => l.startsWith('>'))) return text;
  return lines.map((l) => (l.startsWith('> ') ? l.slice(2) : l.startsWith('>') ? l.slice(1) : l)).join('\n');
}

const stripPrefix = (p: string): string => p.replace(/\t.*$/, '').trim().replace(/^[ab]\//, '');

/** parses every file section of a unified diff (text around it is ignored) */
export function parsePatch(text: string): FilePatch[] {
  const lines = unquote(text).replace(/\r\n/g, '\n').split('\n');
  const files: FilePatch[] = [];
  let cur: FilePatch | null = null;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith('--- ') && lines[i + 1]?.startsWith('+++ ')) {
      const from = stripPrefix(l.slice(4));
      const to = stripPrefix(lines[i + 1]!.slice(4));
      cur = { path: to === '/dev/null' ? from : to, create: from === '/dev/null', remove: to === '/dev/null', hunks: [] };
      files.push(cur);
      i++;
      continue;
    }
    const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(l);
    if (!m) continue;
    if (!cur) throw new PatchError(`hunk "${l}" before any file header`);
    let oldLeft = m[2] === undefined ? 1 : Number(m[2]);
    let newLeft = m[4] === undefined ? 1 : Number(m[4]);
    const h: Hunk = { oldStart: Number(m[1]), old: [], new: [], keep: [], header: l };
    // the header's counts say where the hunk ends: a context line that lost
    // its leading space is still recognised as context
    while (oldLeft > 0 || newLeft > 0) {
      i++;
      if (i >= lines.length) throw new PatchError(`${cur.path}: hunk "${h.header}" is cut short`);
      const b = lines[i]!;
      if (b.startsWith('\\')) continue; // "\ No newline at end of file"
      if (b.startsWith('+') && newLeft > 0) {
        h.keep.push(-1);
        h.new.push(b.slice(1));
        newLeft--;
      } else if (b.startsWith('-') && oldLeft > 0) {
        h.old.push(b.slice(1));
        oldLeft--;
      } else {
        const t = b.startsWith(' ') ? b.slice(1) : b;
        h.keep.push(h.old.length);
        h.old.push(t);
        h.new.push(t);
        oldLeft--;
        newLeft--;
      }
    }
    cur.hunks.push(h);
  }
  return files;
}

const norm = (s: string): string => s.replace(/\s+/g, '');

export interface HunkOutcome {
  header: string;
  /** 1-based line of the file where it applied */
  at?: number;
  error?: string;
}

/** all 0-based positions where `needle` (normalised) occurs in `hay` (normalised) */
function positions(hay: string[], needle: string[]): number[] {
  const out: number[] = [];
  if (!needle.length) return out;
  for (let p = 0; p + needle.length <= hay.length; p++) {
    let ok = true;
    for (let k = 0; k < needle.length; k++)
      if (hay[p + k] !== needle[k]) {
        ok = false;
        break;
      }
    if (ok) out.push(p);
  }
  return out;
}

/** Applies one file's hunks to its text. Hunks that cannot be placed
 *  unambiguously are left out and reported; the others apply. */
export function applyFilePatch(text: string | null, fp: FilePatch): { text: string | null; hunks: HunkOutcome[] } {
  if (fp.remove) return { text: null, hunks: fp.hunks.map((h) => ({ header: h.header, at: 1 })) };
  const lines = text === null || text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const outcomes: HunkOutcome[] = [];
  // positions are searched in the original text, then applied bottom-up so
  // that earlier positions stay valid
  const normed = lines.map(norm);
  const placed: Array<{ h: Hunk; p: number }> = [];
  // hunks come in file order: when the old text occurs several times, only
  // the occurrences after the previous placed hunk are candidates
  let after = 0;
  for (const h of fp.hunks) {
    if (!h.old.length) {
      if (lines.length === 0) placed.push({ h, p: 0 });
      else outcomes.push({ header: h.header, error: 'a hunk without context can only create a file' });
      continue;
    }
    const all = positions(normed, h.old.map(norm));
    const ps = all.length > 1 ? all.filter((p) => p >= after) : all;
    if (ps.length === 1) {
      placed.push({ h, p: ps[0]! });
      after = ps[0]! + h.old.length;
    } else outcomes.push({ header: h.header, error: all.length === 0 ? 'context not found' : `context found ${all.length} times (ambiguous)` });
  }
  placed.sort((a, b) => b.p - a.p);
  // overlapping hunks: refuse the later one
  const taken: Array<[number, number]> = [];
  const result = [...lines];
  for (const { h, p } of placed) {
    const end = p + h.old.length;
    if (taken.some(([a, b]) => p < b && a < end)) {
      outcomes.push({ header: h.header, error: 'overlaps another hunk' });
      continue;
    }
    taken.push([p, end]);
    const repl = h.new.map((t, k) => (h.keep[k]! >= 0 ? lines[p + h.keep[k]!]! : t));
    result.splice(p, h.old.length, ...repl);
    outcomes.push({ header: h.header, at: p + 1 });
  }
  const order = new Map(fp.hunks.map((h, i) => [h.header, i]));
  outcomes.sort((a, b) => order.get(a.header)! - order.get(b.header)!);
  return { text: result.join('\n') + '\n', hunks: outcomes };
}
