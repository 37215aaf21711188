// The entries of FINDINGS.md as data: "### <id>. title" headings under "## section"
// headings, each with "- **Field**: text" fields (continuation lines indented two spaces).
// Tests read claims from here (a finding's Range, its Kernels line) rather than
// repeating them.

export interface Entry {
  id: string;
  section: string;
  fields: Map<string, string>;
}

export function parseEntries(md: string): Entry[] {
  const out: Entry[] = [];
  let section = '';
  let cur: Entry | null = null;
  let field: string | null = null;
  for (const line of md.split('\n')) {
    const sec = /^## (.+)$/.exec(line);
    if (sec) {
      section = sec[1]!.trim();
      cur = null;
      continue;
    }
    const h = /^### ([A-Z]?\d+)\. /.exec(line);
    if (h) {
      cur = { id: h[1]!, section, fields: new Map() };
      out.push(cur);
      field = null;
      continue;
    }
    if (!cur) continue;
    const f = /^- \*\*([A-Za-z ]+)\*\*: ?(.*)$/.exec(line);
    if (f) {
      field = f[1]!;
      cur.fields.set(field, f[2]!);
    } else if (field && /^ {2}\S/.test(line)) cur.fields.set(field, `${cur.fields.get(field)} ${line.trim()}`);
    else if (!line.startsWith('  ')) field = null;
  }
  return out;
}
