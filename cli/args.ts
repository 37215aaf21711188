// A tiny flag parser: every mistake is one line and exit code 2.

export class UsageError extends Error {}

export interface FlagSpec {
  [flag: string]: 'string' | 'int' | 'bool';
}

export interface Parsed {
  flags: Record<string, string | number | boolean>;
  positional: string[];
}

export function parseArgs(argv: string[], spec: FlagSpec): Parsed {
  const flags: Record<string, string | number | boolean> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    const kind = spec[name];
    if (!kind) throw new UsageError(`unknown flag --${name}`);
    if (kind === 'bool') {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
    if (kind === 'int') {
      if (!/^\d+$/.test(value)) throw new UsageError(`--${name} takes a non-negative integer, got "${value}"`);
      const n = Number(value);
      if (!Number.isSafeInteger(n)) throw new UsageError(`--${name} is too large: ${value}`);
      flags[name] = n;
    } else flags[name] = value;
  }
  return { flags, positional };
}
