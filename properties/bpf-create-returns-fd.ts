import type { Property } from './types.ts';
import { walk } from './walk.ts';
import type { File } from '../model/include/linux/file.ts';

/** the creating commands and the kind of object their fd refers to */
const CREATES: Readonly<Record<string, File['obj']['kind']>> = { map_create: 'map', prog_load: 'prog', token_create: 'token' };

/**
 * bpf(2)'s return contract for the creating commands (issue 12, BPF-LSM
 * programs returning any value): a non-negative return is a new fd referring
 * to the new object. A hook result that is neither 0 nor -errno breaks it at
 * the call sites that test `if (err)` (map_create(), bpf_prog_load(),
 * bpf_token_create()); the verifier keeps BPF-LSM programs from returning one
 * (check_return_code() with bpf_lsm_get_retval_range(), profile knob
 * bpfLsmRetvalRange), so on the kernels here only a built-in LSM could.
 */
export const bpfCreateReturnsFd: Property = {
  name: 'bpf-create-returns-fd',
  claim: 'A BPF_MAP_CREATE, BPF_PROG_LOAD or BPF_TOKEN_CREATE that returns a non-negative value has installed a new fd, that value, referring to a new map, program or token, whatever BPF-LSM programs are attached.',
  source: {
    kind: 'semantic',
    where:
      'include/uapi/linux/bpf.h (7.3.4 :177 BPF_MAP_CREATE, :273 BPF_PROG_LOAD, BPF_TOKEN_CREATE): "Return: A new file descriptor (a nonnegative integer), or -1 if an error occurred"; kernel/bpf/bpf_lsm.c bpf_lsm_get_retval_range(): "All other available LSM hooks, except task_prctl, return 0 on success and negative error code on failure." (6.12.118 :437-441, 7.3.4 :463-467)',
  },
  dimensions: ['bpf-lsm', 'bpf-lsm-any-ret'],
  provenance: [
    'issue 12 ("BPF-LSM programs that return any value, positive ones included, on any hook")',
    'a positive hook result: call_int_hook() stops at it, map_create() `if (err) goto free_map_sec;` (6.12.118 kernel/bpf/syscall.c:1403-1405) returns it from bpf(); refused at load by check_return_code() (6.12.118 kernel/bpf/verifier.c:16520-16527, 7.3.4 :17657-17663)',
  ],
  knownBad: ['mutant-bpf-lsm-no-retval-range'],
  holdsOn: ['linux-6.18', 'linux-6.12', 'linux-7.3', 'linux-6.18-selinux'],
  gen: { lsm: { bpfLsm: true, anyRet: true, reloads: false } },
  check(s, profile) {
    let before = new Set<File | undefined>();
    return walk(s, profile, {
      before(st, step) {
        before = new Set(st.tasks.get(step.actor)?.files.fds ?? []);
        return null;
      },
      after(st, step, i, r) {
        const kind = CREATES[step.op];
        if (!kind || r.ret !== 'ok') return null;
        const fds = st.tasks.get(step.actor)!.files.fds;
        if (fds.some((f) => f !== undefined && !before.has(f) && f.obj.kind === kind)) return null;
        return { step: i, message: `${step.op} returned a non-negative value but installed no new ${kind} fd (a hook result that is neither 0 nor -errno came back from bpf())` };
      },
    });
  },
};
