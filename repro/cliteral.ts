// The only ways scenario data enters a generated C reproducer: as a C string
// literal made by cLiteral() or as a number made by cInt(). Scenario files come
// from strangers and the reproducer runs as root, so nothing else about them is
// ever spliced into C source (no comments, no identifiers, no raw text).
//
// cLiteral() keeps only [A-Za-z0-9 ] as themselves; every other byte of the
// string's UTF-8 encoding becomes a three-digit octal escape \ooo. An octal
// escape ends after three digits whatever follows, so the literal can be split
// anywhere between escapes; with no '"', '\', '?', '*', '/' or newline left
// in the source text, no quote, line splice, trigraph (??=, ??/), comment
// opener/closer or preprocessor line can be formed, in any C standard mode.

/** the bytes a JS string stands for in a reproducer (UTF-8; a lone surrogate is U+FFFD) */
export function utf8Bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

const SAFE = /^[A-Za-z0-9 ]$/;

/** A C string literal whose bytes (without the terminating NUL) are exactly
 *  utf8Bytes(s). Long strings are split into adjacent literals of at most
 *  `width` source characters, one per line, each line indented by `indent`. */
export function cLiteral(s: string, indent = '  ', width = 72): string {
  const parts: string[] = [];
  let cur = '';
  for (const b of utf8Bytes(s)) {
    const ch = String.fromCharCode(b);
    const piece = SAFE.test(ch) ? ch : '\\' + b.toString(8).padStart(3, '0');
    if (cur.length + piece.length > width) {
      parts.push(cur);
      cur = '';
    }
    cur += piece;
  }
  parts.push(cur);
  return parts.map((p) => `"${p}"`).join(`\n${indent}`);
}

/** A C integer constant; anything but a safe integer (a string, NaN, 1e300) throws. */
export function cInt(n: unknown): string {
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new Error(`not an integer: ${String(n)}`);
  return n < 0 ? `(${String(n)})` : String(n);
}

/** Text a reproducer prints for a human: control characters (C0, DEL, C1) and
 *  the Unicode bidi/line controls shown as \u{..}, so printing a scenario's
 *  labels cannot drive the terminal. (Still emitted through cLiteral.) */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
}
