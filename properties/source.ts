// Checks a document source against its seed: the quoted sentence must occur
// in the seed file verbatim, up to line breaks and whitespace, HTML entities
// (seed 003 is an Atom feed), mail quoting (`> `) and diff/comment line marks
// (`+`, ` * `) at the start of a line, which split a sentence over lines.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&#39;': "'", '&apos;': "'" };

/** the text of a seed as a run of words */
export function normalizeSeed(text: string): string {
  const decoded = text.replace(/&(lt|gt|amp|quot|#39|apos);/g, (m) => ENTITIES[m]!);
  const lines = decoded.split('\n').map((l) =>
    l
      .replace(/^\s*(>\s?)+/, '') // mail quoting
      .replace(/^\s*[+-]?\s*\*(\s|$)/, '') // a diff-added kernel-doc/comment line
      .replace(/^\s*\+\s/, ''), // a diff-added line
  );
  // seed 002 is one long line: diff-added comment lines run on as " + * "
  return lines.join(' ').replace(/\s\+\s\*\s/g, ' ').replace(/\s+/g, ' ');
}

export function normalizeQuote(q: string): string {
  return q.replace(/\s+/g, ' ').trim();
}

/** where the seeds are: $BPFTC_SEEDS, ./seeds, or ../shared/seeds next to the checkout */
export function seedsDir(): string | null {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const candidates = [process.env.BPFTC_SEEDS, join(root, 'seeds'), join(root, '..', 'shared', 'seeds'), join(root, '..', '..', 'shared', 'seeds')];
  for (const c of candidates) if (c && existsSync(c)) return c;
  return null;
}

/** does the quote occur in the seed file ("seeds/NNN_hash.txt")? null: seed not available */
export function quoteOccurs(file: string, quote: string, dir = seedsDir()): boolean | null {
  if (!dir) return null;
  const p = join(dir, file.replace(/^seeds\//, ''));
  if (!existsSync(p)) return null;
  return normalizeSeed(readFileSync(p, 'utf8')).includes(normalizeQuote(quote));
}
