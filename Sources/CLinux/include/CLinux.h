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
#include <stddef.h>

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

/// `pipe2(ends, O_CLOEXEC)`: a pipe whose ends no child process inherits; 0, or -1 and errno.
int CLinux_pipe(int ends[2]);

/// Starts `path` as a child process for a job hook: `arguments` and `environment` are NULL-terminated, the child
/// leads a process group of its own (so a timeout can stop everything it started), reads /dev/null, writes stdout
/// and stderr into `output` (a pipe's write end), runs in `/`, has every signal at its default and unblocked, and
/// inherits no other descriptor. When `dropPrivileges` is non-zero it takes `groups`, `gid` and `uid` (in that
/// order) before the exec. Returns the child's pid, or -1 and errno: a failed exec or privilege drop is reported
/// with the child's errno, and that child is reaped.
pid_t CLinux_spawnHook(
    const char *path, char *const arguments[], char *const environment[], int output,
    int dropPrivileges, uid_t uid, gid_t gid, const gid_t *groups, size_t groupCount);

/// How ``CLinux_waitHook`` saw a hook end.
typedef struct {
    /// The `waitpid` status.
    int status;
    /// 1 when the timeout sent SIGTERM to the process group, 2 when `stop` did, 0 otherwise.
    int stopped;
    /// Bytes of output kept in the buffer, and bytes read past its end and dropped.
    size_t kept;
    size_t dropped;
} CLinux_HookEnd;

/// Waits for `child` (from ``CLinux_spawnHook``) while reading its output from `output` into `buffer` (at most
/// `capacity` bytes kept). After `timeoutMilliseconds`, or as soon as `stop` is readable, sends SIGTERM to the
/// child's process group, and SIGKILL `graceMilliseconds` later if it has not ended. Blocks: call it on a thread of
/// its own. Returns 0, or -1 and errno.
int CLinux_waitHook(
    pid_t child, int output, int stop, int64_t timeoutMilliseconds, int64_t graceMilliseconds,
    unsigned char *buffer, size_t capacity, CLinux_HookEnd *end);

/// One range of memory, `[start, start + length)`.
typedef struct {
    uintptr_t start;
    size_t length;
} CLinux_Range;

/// On a detached thread of its own, after `delayMilliseconds`: `madvise(MADV_PAGEOUT)` on each of the `count` ranges
/// (copied; the pages only this process maps are reclaimed, clean file pages dropped, to be read again on the next
/// touch; kernels before 5.4 refuse it), then `malloc_trim(0)` (the heap's free pages). Only libc runs there, so the
/// release itself touches none of the pages it releases, and the delay lets the caller's thread go back to its wait
/// first. 0, or an errno when the thread could not be started.
int CLinux_releaseLater(const CLinux_Range *ranges, size_t count, int64_t delayMilliseconds);

#endif
