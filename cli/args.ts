// A tiny flag parser: every mistake is one line and exit code 2.

export class UsageError extends Error {}

/** 'int' flags take a non-negative integer; [min, max] bound it */
export type FlagKind = 'string' | 'bool' | 'int' | { int: [min: number, max: number] };

export interface FlagSpec {
  [flag: string]: FlagKind;
}

export interface Parsed {
  flags: Record<string, string | number | boolean>;
  positional: string[];
}

/** JSON quoting for user text in messages: one line, control bytes escaped */
export const q = (s: string): string => JSON.stringify(s);

export function parseArgs(argv: string[], spec: FlagSpec): Parsed {
  const flags: Record<string, string | number | boolean> = Object.create(null) as Record<string, string | number | boolean>;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      if (a.length > 1 && a.startsWith('-') && !/^-\d/.test(a)) throw new UsageError(`unknown flag ${q(a)} (flags are spelled --name)`);
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (kind === undefined) throw new UsageError(`unknown flag ${name === '' ? q(a) : `--${q(name).slice(1, -1)}`}`);
    if (Object.hasOwn(flags, name)) throw new UsageError(`--${name} given twice`);
    if (kind === 'bool') {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = a.slice(eq + 1);
    else {
      value = argv[i + 1];
      // "--save --json": the next flag is not the missing value
      if (value !== undefined && value.startsWith('--') && value.length > 2) value = undefined;
      else i++;
    }
    if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
    if (kind === 'string') {
      flags[name] = value;
      continue;
    }
    const [min, max] = kind === 'int' ? [0, Number.MAX_SAFE_INTEGER] : kind.int;
    const range = max === Number.MAX_SAFE_INTEGER ? `a non-negative integer` : `an integer in ${min}..${max}`;
    if (!/^\d+$/.test(value)) throw new UsageError(`--${name} takes ${range}, got ${q(value)}`);
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n > max) throw new UsageError(`--${name} is too large: ${value.length > 40 ? `${value.slice(0, 40)}...` : value} (at most ${max})`);
    if (n < min) throw new UsageError(`--${name} must be at least ${min}, got ${n}`);
    flags[name] = n;
  }
  return { flags, positional };
}
