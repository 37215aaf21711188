import { describe, expect, it } from 'vitest';
import { applyFilePatch, parsePatch, unquote } from './patch.ts';

const FILE = [
  'static int f(int a)',
  '{',
  '\tint r = 0;',
  '',
  '\tif (a)',
  '\t\tr = 1;',
  '\treturn r;',
  '}',
  '',
  'static int g(void)',
  '{',
  '\treturn 0;',
  '}',
].join('\n') + '\n';

// what mail made of a patch: quoted, every leading tab gone, and the context
// lines' leading space gone with it
const MAILED = `Some words before the patch.
> diff --git a/x.c b/x.c
> --- a/x.c
> +++ b/x.c
> @@ -3,5 +3,6 @@ static int f(int a)
> int r = 0;
>
> if (a)
> - r = 1;
> + r = 2;
> + r++;
> return r;
> @@ -10,3 +11,4 @@ static int g(void)
> {
> + g_called = 1;
> return 0;
> }
> --
> 2.43.0
`;

describe('whitespace-tolerant hunk applier', () => {
  it('strips one level of mail quoting only when the diff is quoted', () => {
    expect(unquote('> @@ -1 +1 @@\n> -a\n> +b\n')).toBe('@@ -1 +1 @@\n-a\n+b\n');
    expect(unquote('@@ -1 +1 @@\n> quoted text\n')).toBe('@@ -1 +1 @@\n> quoted text\n');
  });

  it('parses hunks by their header counts, context without its marker included', () => {
    const [fp] = parsePatch(MAILED);
    expect(fp!.path).toBe('x.c');
    expect(fp!.hunks.map((h) => [h.old.length, h.new.length])).toEqual([[5, 6], [3, 4]]);
  });

  it('applies hunks whose whitespace was lost, keeping the file\'s own context lines', () => {
    const [fp] = parsePatch(MAILED);
    const r = applyFilePatch(FILE, fp!);
    expect(r.hunks.map((h) => h.error)).toEqual([undefined, undefined]);
    expect(r.hunks.map((h) => h.at)).toEqual([3, 11]);
    expect(r.text).toBe(
      [
        'static int f(int a)',
        '{',
        '\tint r = 0;',
        '',
        '\tif (a)',
        ' r = 2;',
        ' r++;',
        '\treturn r;',
        '}',
        '',
        'static int g(void)',
        '{',
        ' g_called = 1;',
        '\treturn 0;',
        '}',
      ].join('\n') + '\n',
    );
  });

  it('refuses a hunk whose context is missing or occurs more than once, and applies the rest', () => {
    const diff = `--- a/x.c
+++ b/x.c
@@ -1,2 +1,3 @@
{
+ added();
 return 0;
@@ -1,2 +1,2 @@
-nothing like this
+here
`;
    const [fp] = parsePatch(diff);
    const r = applyFilePatch(FILE, fp!);
    expect(r.hunks.map((h) => h.error)).toEqual([undefined, 'context not found']);
    const twice = applyFilePatch(FILE + FILE, parsePatch(diff)[0]!);
    expect(twice.hunks[0]!.error).toBe('context found 2 times (ambiguous)');
  });

  it('places a hunk whose old text occurs twice by the order of hunks', () => {
    const file = 'f()\n{\nint x;\n}\ng()\n{\nint x;\n}\n';
    const diff = '--- a/y.c\n+++ b/y.c\n@@ -1,3 +1,3 @@\n f()\n {\n-int x;\n+int y;\n@@ -6,2 +6,3 @@\n {\n int x;\n+int z;\n';
    const r = applyFilePatch(file, parsePatch(diff)[0]!);
    expect(r.hunks.map((h) => h.at)).toEqual([1, 6]);
    expect(r.text).toBe('f()\n{\nint y;\n}\ng()\n{\nint x;\nint z;\n}\n');
  });

  it('creates a new file from a /dev/null diff', () => {
    const [fp] = parsePatch('--- /dev/null\n+++ b/new.h\n@@ -0,0 +1,2 @@\n+#define A 1\n+#define B 2\n');
    expect(fp!.create).toBe(true);
    expect(applyFilePatch(null, fp!).text).toBe('#define A 1\n#define B 2\n');
  });
});

describe('adaptations', () => {
  it('rewrites context and removed lines, never added ones', async () => {
    const { rewriteContext } = await import('./adapt.ts');
    const [fp] = parsePatch('--- a/h.c\n+++ b/h.c\n@@ -1,2 +1,3 @@\n int f(struct bpf_token *token, bool kernel)\n+/* struct bpf_token *token, bool kernel) */\n {\n');
    const a = { name: 't', why: '', source: 's', matches: () => true, before: [], contextRewrites: [{ path: 'h.c', from: ', bool kernel)', to: ')' }] };
    const [out] = rewriteContext([fp!], a);
    expect(out!.hunks[0]!.old).toEqual(['int f(struct bpf_token *token)', '{']);
    expect(out!.hunks[0]!.new).toEqual(['int f(struct bpf_token *token)', '/* struct bpf_token *token, bool kernel) */', '{']);
  });
});
