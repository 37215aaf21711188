// Writes what is generated from the op table (scenario/ops.ts):
// scenario/scenario.schema.json, README.md's op table, the first two columns
// of oracle/PROTOCOL.md's op rows, oracle/ops.gen.h. Run: npx tsx build/write-generated.ts
// (scenario/ops.test.ts fails while any of them is stale).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarioSchemaText } from '../scenario/schema.ts';
import { withProtocolRows, withReadmeTable } from '../scenario/docs.ts';
import { writeOpsHeader } from '../oracle/ops-header.ts';
import { withIntegrityReadmeTable } from '../scenario/integrity.ts';
import { PROFILES } from '../model/profile.ts';
// the single-point mutant profiles (model functions replaced from outside the model)
import '../mutants/index.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
writeFileSync(join(root, 'scenario', 'scenario.schema.json'), scenarioSchemaText(PROFILES.map((p) => p.name)));
const readmePath = join(root, 'README.md');
const withOps = withReadmeTable(readFileSync(readmePath, 'utf8'));
// README.md's table of the scenario's integrity declaration (scenario/integrity.ts)
const readme = withOps === undefined ? undefined : withIntegrityReadmeTable(withOps);
if (readme === undefined) console.log('README.md: op table or integrity table markers missing, not written');
else writeFileSync(readmePath, readme);
const protocolPath = join(root, 'oracle', 'PROTOCOL.md');
const p = withProtocolRows(readFileSync(protocolPath, 'utf8'));
writeFileSync(protocolPath, p.text);
if (p.added.length) console.log(`oracle/PROTOCOL.md: added a row for ${p.added.join(', ')} (its third column from scenario/ops.ts: say more there by hand)`);
writeOpsHeader();
console.log('wrote scenario/scenario.schema.json, README.md op table, oracle/PROTOCOL.md op rows, oracle/ops.gen.h');
