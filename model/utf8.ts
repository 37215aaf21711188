// The length in bytes of a string's UTF-8 encoding, as TextEncoder encodes it
// (an unpaired surrogate as U+FFFD, three bytes), without encoding it: the
// name and option length checks run for every path and mount step (issue 13:
// an encoder and a buffer per check were 1% of a model replay).

export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}
