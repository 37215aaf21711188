// Saves the hand-written kernel scenarios (oracle/kernel-scenarios.ts) as
// corpus/kernel/NNN-<slug>.json. Run: npx tsx oracle/write-kernel-corpus.ts
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KERNEL_SCENARIOS } from './kernel-scenarios.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'corpus', 'kernel');
mkdirSync(dir, { recursive: true });
for (const f of readdirSync(dir)) if (f.endsWith('.json')) rmSync(join(dir, f));
KERNEL_SCENARIOS.forEach((s, i) => {
  const slug = (s.name ?? 'scenario')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60)
    .replace(/-$/, '');
  writeFileSync(join(dir, `${String(i).padStart(3, '0')}-${slug}.json`), JSON.stringify(s, null, 2) + '\n');
});
console.log(`wrote ${KERNEL_SCENARIOS.length} scenarios to ${dir}`);
