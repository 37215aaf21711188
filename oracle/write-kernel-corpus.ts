// Adds the hand-written kernel scenarios of oracle/kernel-scenarios.ts that
// corpus/kernel/ does not hold yet, as corpus/kernel/NNN-<slug>.json (NNN one
// past the highest number there). Run: npx tsx oracle/write-kernel-corpus.ts
//
// The JSON corpus is the source: this never deletes, renames or rewrites a
// corpus file (corpus/kernel/087-091 were written by hand as JSON; the
// oracle finds scenarios that are saved straight there). A scenario of
// kernel-scenarios.ts whose name is in the corpus with other content is
// reported, and left for a person to reconcile.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Scenario } from '../scenario/types.ts';

export interface CorpusPlan {
  /** new files: name -> text */
  add: Array<{ file: string; text: string }>;
  /** scenarios already in the corpus, byte for byte */
  present: number;
  /** corpus files holding a scenario of the same name with other content */
  differ: string[];
}

export function slugOf(s: Scenario): string {
  return (s.name ?? 'scenario')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60)
    .replace(/-$/, '');
}

/** What to add to a corpus directory holding `existing` (file name -> text). Pure. */
export function planKernelCorpus(existing: ReadonlyMap<string, string>, scenarios: readonly Scenario[]): CorpusPlan {
  const byName = new Map<string, string>();
  const texts = new Set(existing.values());
  for (const [file, text] of existing) {
    try {
      const name = (JSON.parse(text) as { name?: unknown }).name;
      if (typeof name === 'string' && !byName.has(name)) byName.set(name, file);
    } catch {
      // not JSON: corpus.test.ts reports it; here it only keeps its number
    }
  }
  let next = 1 + Math.max(-1, ...[...existing.keys()].map((f) => (/^(\d+)-/.exec(f) ? Number(/^(\d+)-/.exec(f)![1]) : -1)));
  const plan: CorpusPlan = { add: [], present: 0, differ: [] };
  for (const s of scenarios) {
    // corpus files point editors at the schema (corpus/<set>/<file>.json: two levels up)
    const text = JSON.stringify({ $schema: CORPUS_SCHEMA_REF, ...s }, null, 2) + '\n';
    if (texts.has(text)) {
      plan.present++;
      continue;
    }
    const at = s.name === undefined ? undefined : byName.get(s.name);
    if (at !== undefined) {
      plan.differ.push(at);
      continue;
    }
    const file = `${String(next++).padStart(3, '0')}-${slugOf(s)}.json`;
    plan.add.push({ file, text });
    texts.add(text);
  }
  return plan;
}

/** `$schema` of a file in corpus/<set>/ */
export const CORPUS_SCHEMA_REF = '../../scenario/scenario.schema.json';

async function main(): Promise<void> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'corpus', 'kernel');
  const existing = new Map<string, string>();
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.json')) existing.set(f, readFileSync(join(dir, f), 'utf8'));
  const { KERNEL_SCENARIOS } = await import('./kernel-scenarios.ts');
  const plan = planKernelCorpus(existing, KERNEL_SCENARIOS);
  // exclusive create: never replaces a file that appeared meanwhile
  for (const a of plan.add) writeFileSync(join(dir, a.file), a.text, { flag: 'wx' });
  for (const d of plan.differ) console.log(`${d}: differs from its scenario in oracle/kernel-scenarios.ts (left as it is: the JSON is the source)`);
  console.log(`corpus/kernel: ${plan.add.length} added, ${plan.present} already there, ${plan.differ.length} differ, nothing deleted`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  main().catch((e: unknown) => {
    console.log(`write-kernel-corpus: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  });
