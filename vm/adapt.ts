// Adaptations of a patch to an older base than the one it was written for,
// applied by `bpftc vm build` when the source package and the patch match.
// Each is small, named, logged when used, and part of the image's cache key.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FilePatch } from './patch.ts';

const PATCHES = join(dirname(fileURLToPath(import.meta.url)), 'patches');

export interface Adaptation {
  name: string;
  why: string;
  /** the Debian source package it is for */
  source: string;
  /** does a patch need it (by its text) */
  matches: (patchText: string) => boolean;
  /** patches of ours (vm/patches/) applied to the tree before the patch */
  before: string[];
  /** text replaced in a file's context and removed lines (never in added lines) */
  contextRewrites: Array<{ path: string; from: string; to: string }>;
}

export const ADAPTATIONS: readonly Adaptation[] = [
  {
    name: 'selinux-token-v7-on-6.12',
    why:
      'the SELinux BPF-token patch v7 (seed 000) is written against v6.17: there the bpf_map_create and bpf_prog_load hooks take ' +
      'a trailing `bool kernel` that 6.12 lacks (two context lines), and its policy capability sits after three that 6.12 does not ' +
      'have, so 6.12 gets three unimplemented padding entries and POLICYDB_CAP_BPF_TOKEN_PERMS keeps its index 12',
    source: 'linux-source-6.12',
    matches: (t) => t.includes('selinux_bpffs_creator_sid') && t.includes('POLICYDB_CAP_BPF_TOKEN_PERMS'),
    before: [join(PATCHES, '6.12-policycap-padding.patch')],
    contextRewrites: [{ path: 'security/selinux/hooks.c', from: 'struct bpf_token *token, bool kernel)', to: 'struct bpf_token *token)' }],
  },
];

export function adaptationsFor(source: string, patchText: string): Adaptation[] {
  return ADAPTATIONS.filter((a) => a.source === source && a.matches(patchText));
}

/** what identifies an adaptation in a cache key */
export function adaptationIdentity(a: Adaptation): string {
  return JSON.stringify([a.name, a.contextRewrites, a.before.map((f) => readFileSync(f, 'utf8'))]);
}

/** the file patches with the adaptation's context rewrites done */
export function rewriteContext(fps: FilePatch[], a: Adaptation): FilePatch[] {
  return fps.map((fp) => {
    const rw = a.contextRewrites.filter((r) => r.path === fp.path);
    if (!rw.length) return fp;
    const sub = (s: string): string => rw.reduce((acc, r) => acc.split(r.from).join(r.to), s);
    return {
      ...fp,
      hunks: fp.hunks.map((h) => ({ ...h, old: h.old.map(sub), new: h.new.map((t, k) => (h.keep[k]! >= 0 ? sub(t) : t)) })),
    };
  });
}
