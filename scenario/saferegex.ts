// A restricted regular-expression matcher for `expect_text: {"match": ...}`:
// a stranger's pattern must not hang the tool, so it is not handed to
// JavaScript's backtracking RegExp engine (where /(a+)+$/ on "aaaa...b" takes
// exponential time). Patterns are compiled to a Thompson NFA and run as a
// Pike VM: time O(text length x program size), no backtracking, no recursion
// on the input. The syntax is a subset of JavaScript's (no flags), with the
// same meaning for every accepted pattern (saferegex.test.ts checks that
// against RegExp on generated patterns):
//
//   literals; escaped punctuation \. \* \\ \( ...; . (any but a line terminator)
//   classes [abc] [^a-z] with ranges and \d \D \w \W \s \S inside
//   \d \D \w \W \s \S \t \n \r \f \v
//   ^ $ (start and end of the whole text: no multiline mode)
//   groups ( ) and (?: ), alternation |
//   quantifiers * + ? {m} {m,} {m,n} (m, n <= 100), optionally followed by ? (lazy:
//   the same yes/no answer)
//
// Refused, each with a one-line reason: back-references, lookaround, named
// groups, \b \B and other letter escapes, a literal { } ] (write \{ \} \]),
// a pattern over MAX_PATTERN characters, a program over MAX_PROGRAM
// instructions (a large {m,n} nest). Imports nothing.

export const MAX_PATTERN = 256;
export const MAX_REPEAT = 100;
export const MAX_PROGRAM = 4000;

type Pred = (c: number) => boolean;

type Node =
  | { k: 'set'; p: Pred }
  | { k: 'cat'; xs: Node[] }
  | { k: 'alt'; xs: Node[] }
  | { k: 'rep'; x: Node; min: number; max: number }
  | { k: 'bol' }
  | { k: 'eol' };

type Inst = { op: 'set'; p: Pred } | { op: 'split'; a: number; b: number } | { op: 'jmp'; a: number } | { op: 'bol' } | { op: 'eol' } | { op: 'match' };

export interface SafeRegex {
  readonly source: string;
  readonly prog: readonly Inst[];
}

class RegexSyntaxError extends Error {}

const LINE_TERMINATORS = new Set([0x0a, 0x0d, 0x2028, 0x2029]);
const WHITESPACE = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff]);
const isDigit: Pred = (c) => c >= 0x30 && c <= 0x39;
const isWord: Pred = (c) => isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
const isSpace: Pred = (c) => WHITESPACE.has(c) || (c >= 0x2000 && c <= 0x200a);
const not = (p: Pred): Pred => (c) => !p(c);
const ch = (x: number): Pred => (c) => c === x;

const CLASS_ESCAPES: Record<string, Pred> = { d: isDigit, D: not(isDigit), w: isWord, W: not(isWord), s: isSpace, S: not(isSpace) };
const CHAR_ESCAPES: Record<string, number> = { t: 0x09, n: 0x0a, r: 0x0d, f: 0x0c, v: 0x0b };
const SPECIAL = '^$\\.*+?()[]{}|/-';

class Parser {
  i = 0;
  constructor(readonly s: string) {}
  err(msg: string): never {
    throw new RegexSyntaxError(`${msg} at offset ${this.i}`);
  }
  peek(): string | undefined {
    return this.s[this.i];
  }
  alt(): Node {
    const xs = [this.cat()];
    while (this.peek() === '|') {
      this.i++;
      xs.push(this.cat());
    }
    return xs.length === 1 ? xs[0]! : { k: 'alt', xs };
  }
  cat(): Node {
    const xs: Node[] = [];
    for (let c = this.peek(); c !== undefined && c !== '|' && c !== ')'; c = this.peek()) xs.push(this.quantified());
    return { k: 'cat', xs };
  }
  quantified(): Node {
    const start = this.i;
    const atom = this.atom();
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') [min, max] = this.braces();
    else return atom;
    if (c !== '{') this.i++;
    if (atom.k === 'bol' || atom.k === 'eol') {
      this.i = start;
      this.err('nothing to repeat (an anchor)');
    }
    if (this.peek() === '?') this.i++; // lazy: same yes/no answer
    const q = this.peek();
    if (q === '*' || q === '+' || q === '?' || q === '{') this.err('nothing to repeat');
    return { k: 'rep', x: atom, min, max };
  }
  braces(): [number, number] {
    const m = /^\{(\d{1,3})(,(\d{1,3})?)?\}/.exec(this.s.slice(this.i));
    if (!m) this.err('"{" is not a quantifier {m}, {m,} or {m,n} (write \\{ for a literal brace)');
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === undefined ? Infinity : Number(m[3]);
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) this.err(`a repeat count over ${MAX_REPEAT}`);
    if (max < min) this.err('numbers out of order in {m,n}');
    this.i += m[0].length;
    return [min, max];
  }
  atom(): Node {
    const c = this.peek()!;
    switch (c) {
      case '^':
        this.i++;
        return { k: 'bol' };
      case '$':
        this.i++;
        return { k: 'eol' };
      case '.':
        this.i++;
        return { k: 'set', p: (x) => !LINE_TERMINATORS.has(x) };
      case '(': {
        this.i++;
        if (this.peek() === '?') {
          if (this.s[this.i + 1] !== ':') this.err('lookaround and named groups are not supported (only "(?:")');
          this.i += 2;
        }
        const x = this.alt();
        if (this.peek() !== ')') this.err('missing ")"');
        this.i++;
        return x;
      }
      case '[':
        return this.cls();
      case '\\':
        return { k: 'set', p: this.escape(false) };
      case '*':
      case '+':
      case '?':
        return this.err('nothing to repeat');
      case '{':
      case '}':
      case ']':
        return this.err(`a literal "${c}" must be escaped (\\${c})`);
      default:
        this.i++;
        return { k: 'set', p: ch(c.charCodeAt(0)) };
    }
  }
  /** at a backslash: the predicate of the escape; `inClass`: inside [...] */
  escape(inClass: boolean): Pred {
    this.i++;
    const e = this.peek();
    if (e === undefined) this.err('a trailing backslash');
    this.i++;
    if (Object.hasOwn(CLASS_ESCAPES, e)) return CLASS_ESCAPES[e]!;
    if (Object.hasOwn(CHAR_ESCAPES, e)) return ch(CHAR_ESCAPES[e]!);
    if (/[0-9]/.test(e)) {
      this.i -= 2;
      this.err('back-references (\\1) and octal escapes are not supported');
    }
    if (SPECIAL.includes(e) || (inClass && e === ']')) return ch(e.charCodeAt(0));
    this.i -= 2;
    return this.err(`unsupported escape \\${e}`);
  }
  /** one class member's code unit, for a range end; undefined for \d-like members */
  cls(): Node {
    this.i++;
    let negate = false;
    if (this.peek() === '^') {
      negate = true;
      this.i++;
    }
    const items: Pred[] = [];
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.err('missing "]"');
      if (c === ']' && !first) {
        this.i++;
        break;
      }
      if (c === ']') this.err('an empty class "[]" (write \\] for a literal bracket)');
      first = false;
      const lo = this.classAtom();
      if (this.peek() === '-' && this.s[this.i + 1] !== undefined && this.s[this.i + 1] !== ']') {
        const at = this.i;
        this.i++;
        const hi = this.classAtom();
        if (typeof lo !== 'number' || typeof hi !== 'number') {
          this.i = at;
          this.err('a range with a class escape (\\d-x)');
        }
        if (hi < lo) {
          this.i = at;
          this.err('range out of order in a class');
        }
        items.push((x) => x >= lo && x <= hi);
      } else items.push(typeof lo === 'number' ? ch(lo) : lo);
    }
    const any: Pred = (x) => items.some((p) => p(x));
    return { k: 'set', p: negate ? not(any) : any };
  }
  classAtom(): number | Pred {
    const c = this.peek()!;
    if (c !== '\\') {
      if (c === '[') this.err('a literal "[" in a class must be escaped (\\[)');
      this.i++;
      return c.charCodeAt(0);
    }
    const e = this.s[this.i + 1];
    if (e !== undefined && Object.hasOwn(CLASS_ESCAPES, e)) return this.escape(true);
    if (e !== undefined && Object.hasOwn(CHAR_ESCAPES, e)) {
      this.i += 2;
      return CHAR_ESCAPES[e]!;
    }
    if (e !== undefined && (SPECIAL.includes(e) || e === ']')) {
      this.i += 2;
      return e.charCodeAt(0);
    }
    this.escape(true); // throws the precise reason
    return this.err('unsupported escape');
  }
}

function emit(n: Node, prog: Inst[]): void {
  if (prog.length > MAX_PROGRAM) throw new RegexSyntaxError(`the pattern is too large once repeats are expanded (over ${MAX_PROGRAM} instructions)`);
  switch (n.k) {
    case 'set':
      prog.push({ op: 'set', p: n.p });
      return;
    case 'bol':
    case 'eol':
      prog.push({ op: n.k });
      return;
    case 'cat':
      for (const x of n.xs) emit(x, prog);
      return;
    case 'alt': {
      // split L1, next; L1: x0; jmp end; next: split ...
      const jumps: number[] = [];
      n.xs.forEach((x, i) => {
        if (i < n.xs.length - 1) {
          const split = prog.length;
          prog.push({ op: 'split', a: split + 1, b: -1 });
          emit(x, prog);
          jumps.push(prog.length);
          prog.push({ op: 'jmp', a: -1 });
          (prog[split] as { b: number }).b = prog.length;
        } else emit(x, prog);
      });
      for (const j of jumps) (prog[j] as { a: number }).a = prog.length;
      return;
    }
    case 'rep': {
      for (let i = 0; i < n.min; i++) emit(n.x, prog);
      if (n.max === Infinity) {
        // L: split body, end; body; jmp L
        const l = prog.length;
        prog.push({ op: 'split', a: l + 1, b: -1 });
        emit(n.x, prog);
        prog.push({ op: 'jmp', a: l });
        (prog[l] as { b: number }).b = prog.length;
      } else {
        const splits: number[] = [];
        for (let i = n.min; i < n.max; i++) {
          splits.push(prog.length);
          prog.push({ op: 'split', a: prog.length + 1, b: -1 });
          emit(n.x, prog);
        }
        for (const s of splits) (prog[s] as { b: number }).b = prog.length;
      }
      return;
    }
  }
}

/** compiles `source`; a string is the one-line reason it is refused */
export function compileSafeRegex(source: string): SafeRegex | string {
  if (source.length > MAX_PATTERN) return `a pattern longer than ${MAX_PATTERN} characters`;
  try {
    const p = new Parser(source);
    const ast = p.alt();
    if (p.i < source.length) p.err('unmatched ")"');
    const prog: Inst[] = [];
    emit(ast, prog);
    prog.push({ op: 'match' });
    if (prog.length > MAX_PROGRAM) return `the pattern is too large once repeats are expanded (over ${MAX_PROGRAM} instructions)`;
    return { source, prog };
  } catch (e) {
    if (e instanceof RegexSyntaxError) return e.message;
    throw e;
  }
}

/** does `re` match somewhere in `text` (RegExp.prototype.test semantics, no flags)? */
export function safeRegexTest(re: SafeRegex, text: string): boolean {
  const prog = re.prog;
  const n = text.length;
  // the thread list for position `pos`: every instruction reachable by epsilon moves
  let mark = new Int32Array(prog.length).fill(-1);
  const add = (list: number[], pc0: number, pos: number, gen: number): boolean => {
    const stack = [pc0];
    while (stack.length) {
      const pc = stack.pop()!;
      if (mark[pc] === gen) continue;
      mark[pc] = gen;
      const ins = prog[pc]!;
      switch (ins.op) {
        case 'match':
          return true;
        case 'jmp':
          stack.push(ins.a);
          break;
        case 'split':
          stack.push(ins.b, ins.a);
          break;
        case 'bol':
          if (pos === 0) stack.push(pc + 1);
          break;
        case 'eol':
          if (pos === n) stack.push(pc + 1);
          break;
        case 'set':
          list.push(pc);
          break;
      }
    }
    return false;
  };
  let gen = 0;
  let clist: number[] = [];
  for (let pos = 0; ; pos++) {
    // a new thread starts at every position (unanchored search)
    if (add(clist, 0, pos, gen)) return true;
    if (pos === n) return false;
    const c = text.charCodeAt(pos);
    const nlist: number[] = [];
    gen++;
    for (const pc of clist) {
      const ins = prog[pc] as { op: 'set'; p: Pred };
      if (ins.p(c) && add(nlist, pc + 1, pos + 1, gen)) return true;
    }
    clist = nlist;
    if (gen > 2_000_000_000) {
      mark = new Int32Array(prog.length).fill(-1);
      gen = 0;
    }
  }
}
