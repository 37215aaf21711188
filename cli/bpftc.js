#!/usr/bin/env node
// Thin launcher: runs the CLI compiled to JavaScript at npm install (dist/,
// build/js.mjs) while it is built from the sources as they are (its stamp, a
// scan of the sources' mtimes: build/sources.mjs), else the TypeScript sources
// through tsx (BPFTC_DEBUG=1 says so on stderr). BPFTC_TSX=1 forces tsx.
// Whatever happens, the user sees one line and an exit code, never a stack
// trace (BPFTC_DEBUG=1 shows it): 2 for bad input, 3 for an internal error.

const debug = process.env.BPFTC_DEBUG === '1';

function internal(e) {
  const msg = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
  const line = msg.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => JSON.stringify(c).slice(1, -1)).slice(0, 2000);
  try {
    process.stderr.write(`bpftc: internal error (a bug in bpftc, please report it): ${line}${debug ? '' : ' (BPFTC_DEBUG=1 shows the stack)'}\n`);
    if (debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  } catch {
    /* stderr is gone too */
  }
  process.exit(3);
}

// a reader that went away (bpftc properties | head -1) is not an error
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e) => {
    if (e && e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    internal(e);
  });
process.on('uncaughtException', internal);
process.on('unhandledRejection', internal);

try {
  const root = new URL('..', import.meta.url);
  let main;
  if (process.env.BPFTC_TSX !== '1') {
    const { distFresh } = await import('../build/sources.mjs');
    if (distFresh(root.pathname)) ({ main } = await import('../dist/cli/main.js'));
    else if (debug) process.stderr.write('bpftc: dist/ is missing or older than the sources (node build/js.mjs rebuilds it); running the sources through tsx\n');
  }
  if (!main) {
    const { register } = await import('tsx/esm/api');
    register();
    ({ main } = await import('./main.ts'));
  }
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  internal(e);
}
