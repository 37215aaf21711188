// Plugins: a JavaScript module (`bpftc fuzz --plugin ./my-props.js`; the
// flag is repeatable and every command takes it) that exports `properties` (Property objects) and/or `profiles` (Profile objects),
// as named exports or as its default export. They are registered into this
// process's registries, so campaigns, shards, JUnit, `check`, `properties`
// and `profiles` treat them like built-in ones; campaign workers load the
// same files. A plugin that cannot be loaded is one line naming the file
// (exit 2), never a stack trace.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROPERTIES, findProperty } from '../properties/index.ts';
import { PROFILES, findProfile, type Profile } from '../model/profile.ts';
import type { Property } from '../properties/types.ts';

/** a plugin that cannot be used: the CLI reports it as bad input (exit 2) */
export class PluginError extends Error {
  override name = 'PluginError';
}

const loaded: string[] = [];

/** the absolute paths of the plugins loaded in this process, in order */
export function loadedPlugins(): readonly string[] {
  return loaded;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** why `p` cannot be registered as a property, or null */
export function propertyProblem(p: unknown): string | null {
  if (typeof p !== 'object' || p === null) return 'a property that is not an object';
  const o = p as Record<string, unknown>;
  if (typeof o.name !== 'string' || !NAME.test(o.name)) return 'a property needs a name of lower-case letters, digits, ".", "_" or "-"';
  if (typeof o.claim !== 'string' || !o.claim.trim()) return `property ${o.name} needs a claim (one sentence)`;
  const src = o.source as Record<string, unknown> | undefined;
  if (typeof src !== 'object' || src === null || !['document', 'semantic', 'ours'].includes(String(src.kind)))
    return `property ${o.name} needs a source: {kind: "document" | "semantic" | "ours", ...} (whose claim it is)`;
  if (typeof o.check !== 'function') return `property ${o.name} needs check(scenario, profile)`;
  for (const k of ['dimensions', 'provenance', 'knownBad', 'holdsOn'])
    if (o[k] !== undefined && !(Array.isArray(o[k]) && (o[k] as unknown[]).every((x) => typeof x === 'string'))) return `property ${o.name}: ${k} must be a list of strings`;
  if (o.requires !== undefined && !['selinux', 'selinux-token-patch', 'integrity'].includes(String(o.requires)))
    return `property ${o.name}: requires is selinux, selinux-token-patch or integrity`;
  if (o.gen !== undefined && (typeof o.gen !== 'object' || o.gen === null)) return `property ${o.name}: gen must be an object`;
  if (findProperty(o.name)) return `property ${o.name} exists already`;
  return null;
}

/** why `p` cannot be registered as a profile, or null */
export function profileProblem(p: unknown): string | null {
  if (typeof p !== 'object' || p === null) return 'a profile that is not an object';
  const o = p as Record<string, unknown>;
  if (typeof o.name !== 'string' || !NAME.test(o.name)) return 'a profile needs a name of lower-case letters, digits, ".", "_" or "-"';
  if (typeof o.summary !== 'string') return `profile ${o.name} needs a summary`;
  if (typeof o.token !== 'object' || o.token === null)
    return `profile ${o.name} needs token (start from a built-in one: {...findProfile("linux-6.18"), name, summary})`;
  if (o.replace !== undefined && (typeof o.replace !== 'object' || o.replace === null || Object.values(o.replace).some((f) => typeof f !== 'function')))
    return `profile ${o.name}: replace must map model function names (model/include/fns.ts) to functions`;
  if (findProfile(o.name)) return `profile ${o.name} exists already`;
  return null;
}

/** imports one plugin file and registers what it exports; idempotent per file */
export async function loadPlugin(file: string, what = `--plugin ${file}`): Promise<void> {
  const abs = resolve(file);
  if (loaded.includes(abs)) return;
  if (!existsSync(abs)) throw new PluginError(`${what}: no such file`);
  if (!statSync(abs).isFile()) throw new PluginError(`${what}: not a regular file`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (e) {
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new PluginError(`${what}: cannot load it (${msg.split('\n')[0]})`);
  }
  const def = typeof mod.default === 'object' && mod.default !== null ? (mod.default as Record<string, unknown>) : {};
  const props = mod.properties ?? def.properties ?? [];
  const profs = mod.profiles ?? def.profiles ?? [];
  if (!Array.isArray(props) || !Array.isArray(profs)) throw new PluginError(`${what}: "properties" and "profiles" must be arrays`);
  if (!props.length && !profs.length) throw new PluginError(`${what}: exports no properties and no profiles`);
  // everything is checked before anything is registered
  const names = new Set<string>();
  for (const p of [...props, ...profs]) {
    const n = (p as { name?: unknown } | null)?.name;
    if (typeof n === 'string' && names.has(n)) throw new PluginError(`${what}: ${n} is exported twice`);
    if (typeof n === 'string') names.add(n);
  }
  for (const p of props) {
    const why = propertyProblem(p);
    if (why) throw new PluginError(`${what}: ${why}`);
  }
  for (const p of profs) {
    const why = profileProblem(p);
    if (why) throw new PluginError(`${what}: ${why}`);
  }
  for (const p of profs as Profile[]) registerProfileUnchecked(p);
  for (const p of props as Property[]) registerPropertyUnchecked(p);
  loaded.push(abs);
}

export function registerPropertyUnchecked(p: Property): void {
  (PROPERTIES as Property[]).push({ ...p, dimensions: p.dimensions ?? [], provenance: p.provenance ?? [], knownBad: p.knownBad ?? [], holdsOn: p.holdsOn ?? [] });
}

export function registerProfileUnchecked(p: Profile): void {
  (PROFILES as Profile[]).push(p);
}

export async function loadPlugins(files: readonly string[]): Promise<void> {
  for (const f of files) await loadPlugin(f);
}

/** the keys a config file may hold (anything else is refused, like unknown keys in a scenario) */
const CONFIG_KEYS = new Set(['$schema', 'plugins']);
const CONFIG_MAX_BYTES = 64 * 1024;

/**
 * Reads a config file (`bpftc --config FILE`): JSON `{"plugins": ["./my-props.js", ...]}`,
 * plugin paths relative to the config file. Returns the plugins' absolute paths, in order.
 * Only read when named on the command line: a config picked up from the working directory
 * would run a stranger's JavaScript as root just by running bpftc in their checkout.
 */
export function readConfig(file: string): string[] {
  const what = `--config ${file}`;
  const abs = resolve(file);
  if (!existsSync(abs)) throw new PluginError(`${what}: no such file`);
  const st = statSync(abs);
  if (!st.isFile()) throw new PluginError(`${what}: not a regular file`);
  if (st.size > CONFIG_MAX_BYTES) throw new PluginError(`${what}: larger than ${CONFIG_MAX_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(abs, 'utf8'));
  } catch (e) {
    throw new PluginError(`${what}: not JSON (${(e instanceof Error ? e.message : String(e)).split('\n')[0]})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new PluginError(`${what}: must be a JSON object ({"plugins": [...]})`);
  for (const k of Object.keys(json)) if (!CONFIG_KEYS.has(k)) throw new PluginError(`${what}: unknown key ${JSON.stringify(k).slice(0, 80)} (known: plugins)`);
  const plugins = (json as Record<string, unknown>).plugins ?? [];
  if (!Array.isArray(plugins) || !plugins.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 4096 && !x.includes('\0')))
    throw new PluginError(`${what}: "plugins" must be a list of file names`);
  if (plugins.length > 64) throw new PluginError(`${what}: more than 64 plugins`);
  return (plugins as string[]).map((x) => resolve(dirname(abs), x));
}
