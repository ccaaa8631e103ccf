/**
 * Linux errno numbers (asm-generic/errno-base.h, errno.h) as the names and texts `ip` prints,
 * for the errors rtnetlink reports in NLMSG_ERROR (as negative numbers). Also the two
 * classes idempotent callers care about: "already exists" and "does not exist".
 */

const ERRNO: ReadonlyArray<readonly [number, string, string]> = [
  [1, 'EPERM', 'Operation not permitted'],
  [2, 'ENOENT', 'No such file or directory'],
  [3, 'ESRCH', 'No such process'],
  [4, 'EINTR', 'Interrupted system call'],
  [5, 'EIO', 'Input/output error'],
  [6, 'ENXIO', 'No such device or address'],
  [7, 'E2BIG', 'Argument list too long'],
  [9, 'EBADF', 'Bad file descriptor'],
  [11, 'EAGAIN', 'Resource temporarily unavailable'],
  [12, 'ENOMEM', 'Cannot allocate memory'],
  [13, 'EACCES', 'Permission denied'],
  [14, 'EFAULT', 'Bad address'],
  [16, 'EBUSY', 'Device or resource busy'],
  [17, 'EEXIST', 'File exists'],
  [18, 'EXDEV', 'Invalid cross-device link'],
  [19, 'ENODEV', 'No such device'],
  [22, 'EINVAL', 'Invalid argument'],
  [23, 'ENFILE', 'Too many open files in system'],
  [24, 'EMFILE', 'Too many open files'],
  [28, 'ENOSPC', 'No space left on device'],
  [34, 'ERANGE', 'Numerical result out of range'],
  [36, 'ENAMETOOLONG', 'File name too long'],
  [38, 'ENOSYS', 'Function not implemented'],
  [39, 'ENOTEMPTY', 'Directory not empty'],
  [61, 'ENODATA', 'No data available'],
  [67, 'ENOLINK', 'Link has been severed'],
  [71, 'EPROTO', 'Protocol error'],
  [74, 'EBADMSG', 'Bad message'],
  [75, 'EOVERFLOW', 'Value too large for defined data type'],
  [90, 'EMSGSIZE', 'Message too long'],
  [92, 'ENOPROTOOPT', 'Protocol not available'],
  [93, 'EPROTONOSUPPORT', 'Protocol not supported'],
  [95, 'EOPNOTSUPP', 'Operation not supported'],
  [97, 'EAFNOSUPPORT', 'Address family not supported by protocol'],
  [98, 'EADDRINUSE', 'Address already in use'],
  [99, 'EADDRNOTAVAIL', 'Cannot assign requested address'],
  [100, 'ENETDOWN', 'Network is down'],
  [101, 'ENETUNREACH', 'Network is unreachable'],
  [105, 'ENOBUFS', 'No buffer space available'],
  [110, 'ETIMEDOUT', 'Connection timed out'],
  [113, 'EHOSTUNREACH', 'No route to host'],
  [114, 'EALREADY', 'Operation already in progress'],
  [115, 'EINPROGRESS', 'Operation now in progress'],
  [125, 'ECANCELED', 'Operation canceled'],
];

const BY_NUMBER = new Map(ERRNO.map(([n, name, text]) => [n, { name, text }]));

export const EEXIST = 17;
export const ENOENT = 2;
export const ESRCH = 3;
export const ENODEV = 19;
export const EADDRNOTAVAIL = 99;
export const ENOBUFS = 105;

/** The errno's symbolic name (`EEXIST`); `E<n>` for numbers not in the table. */
export function errnoName(errno: number): string {
  return BY_NUMBER.get(Math.abs(errno))?.name ?? `E${Math.abs(errno)}`;
}

/** The errno's text as strerror(3) gives it; `errno <n>` when unknown. */
export function errnoText(errno: number): string {
  return BY_NUMBER.get(Math.abs(errno))?.text ?? `errno ${Math.abs(errno)}`;
}

/**
 * How an idempotent caller should read an error: 'exists' (adding what is there: EEXIST),
 * 'absent' (removing or reading what is not there: ENOENT for rules and proxy entries, ESRCH for
 * routes, EADDRNOTAVAIL for addresses, ENODEV for links), or 'other'.
 */
export type ErrnoCondition = 'exists' | 'absent' | 'other';

export function errnoCondition(errno: number): ErrnoCondition {
  const n = Math.abs(errno);
  if (n === EEXIST) return 'exists';
  if (n === ENOENT || n === ESRCH || n === EADDRNOTAVAIL || n === ENODEV) return 'absent';
  return 'other';
}
