// Linux errno values (include/uapi/asm-generic/errno-base.h, errno.h) and the
// kernel-internal ENOTSUPP (include/linux/errno.h). Model functions return a
// negative errno like the kernel; traces carry the name (scenario/vocab.ts).

import { ERRNO_VALUES, errnoByName } from '../scenario/vocab.ts';

export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const EBADF = 9;
export const ENOMEM = 12;
export const EACCES = 13;
export const EFAULT = 14;
export const EBUSY = 16;
export const EEXIST = 17;
export const ENODEV = 19;
export const ENOTDIR = 20;
export const EINVAL = 22;
export const EMFILE = 24;
export const ENAMETOOLONG = 36;
export const ENOSPC = 28;
export const EAGAIN = 11;
export const ELOOP = 40;
export const EROFS = 30;
export const ERANGE = 34;
export const EOPNOTSUPP = 95;
export const EOVERFLOW = 75;
export const EBADFD = 77;
export const E2BIG = 7;
export const EBADMSG = 74;
export const ENOKEY = 126;
export const EKEYREJECTED = 129;
export const ENOPARAM = 519; // kernel-internal: fs_parse "not my parameter"
export const ENOTSUPP = 524; // kernel-internal, leaks to user space from bpf()

const NAMES: Record<number, string> = Object.fromEntries(Object.entries(ERRNO_VALUES).map(([n, v]) => [v, n]));

/** Name of a (positive or negative) errno; "ok" for a non-negative return. */
export function retName(ret: number): string {
  if (ret >= 0) return 'ok';
  return NAMES[-ret] ?? `E${-ret}`;
}

export { errnoByName };

/** include/linux/err.h: MAX_ERRNO 4095, the largest errno an ERR_PTR / an LSM hook result may carry */
export const MAX_ERRNO = 4095;
