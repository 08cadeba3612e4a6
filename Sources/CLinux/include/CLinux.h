#ifndef FACEDROP_CLINUX_H
#define FACEDROP_CLINUX_H

// The Linux calls Swift's Glibc module does not show (GNU extensions and variadic functions), each as a plain
// C function, so the FileSystem module can call them like any other.

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/// `RENAME_NOREPLACE`: rename only if nothing has the new name.
extern const unsigned int CLinux_RENAME_NOREPLACE;

/// `renameat2(2)`; -1 and errno on failure (EINVAL on file systems without the flag: NFS, SMB, FUSE).
int CLinux_renameat2(int oldDirectory, const char *oldPath, int newDirectory, const char *newPath, unsigned int flags);

/// `openat(2)` without the variadic mode argument.
int CLinux_openat(int directory, const char *path, int flags, mode_t mode);

/// `pthread_setname_np(pthread_self(), name)`: the calling thread's name for `top -H` (at most 15 bytes).
int CLinux_setThreadName(const char *name);

/// The entry's type (`d_type`) and name of one `readdir` result, or 0 at the end; -1 and errno on failure.
int CLinux_readdir(DIR *directory, unsigned char *type, const char **name);

/// A `timerfd` on `CLOCK_BOOTTIME` (the clock Swift's `ContinuousClock` reads on Linux, which also runs while
/// the machine is suspended), close-on-exec; -1 and errno on failure. Reading it blocks until it fires.
int CLinux_bootTimerCreate(void);

/// Arms `timer` to fire once, `seconds` and `nanoseconds` from now (at least one nanosecond, since zero would
/// disarm it); 0, or -1 and errno.
int CLinux_bootTimerArm(int timer, int64_t seconds, int64_t nanoseconds);

/// Blocks until `timer` fires (1), or returns -1 and errno (EINTR when a signal interrupted the wait).
int CLinux_bootTimerWait(int timer);

#endif
