#define _GNU_SOURCE
#include "CLinux.h"

#include <errno.h>
#include <string.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/timerfd.h>
#include <sys/mman.h>
#include <malloc.h>
#include <stdlib.h>
#include <time.h>

const unsigned int CLinux_RENAME_NOREPLACE = RENAME_NOREPLACE;

int CLinux_renameat2(int oldDirectory, const char *oldPath, int newDirectory, const char *newPath, unsigned int flags) {
    return renameat2(oldDirectory, oldPath, newDirectory, newPath, flags);
}

int CLinux_openat(int directory, const char *path, int flags, mode_t mode) {
    return openat(directory, path, flags, mode);
}

int CLinux_setThreadName(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}

int CLinux_readdir(DIR *directory, unsigned char *type, const char **name) {
    errno = 0;
    struct dirent *entry = readdir(directory);
    if (entry == NULL) return errno == 0 ? 0 : -1;
    *type = entry->d_type;
    *name = entry->d_name;
    return 1;
}

int CLinux_bootTimerCreate(void) {
    return timerfd_create(CLOCK_BOOTTIME, TFD_CLOEXEC);
}

int CLinux_bootTimerArm(int timer, int64_t seconds, int64_t nanoseconds) {
    if (seconds < 0 || (seconds == 0 && nanoseconds < 1)) {
        seconds = 0;
        nanoseconds = 1;
    }
    struct itimerspec value = {0};
    value.it_value.tv_sec = (time_t)seconds;
    value.it_value.tv_nsec = (long)nanoseconds;
    return timerfd_settime(timer, 0, &value, NULL);
}

int CLinux_bootTimerWait(int timer) {
    uint64_t expirations = 0;
    ssize_t got = read(timer, &expirations, sizeof expirations);
    return got == (ssize_t)sizeof expirations ? 1 : -1;
}

// MARK: Job hooks

int CLinux_pipe(int ends[2]) {
    return pipe2(ends, O_CLOEXEC);
}

/// In the forked child only async-signal-safe calls are made: the parent has many threads, and the child has one
/// copy of whatever locks they held.
pid_t CLinux_spawnHook(
    const char *path, char *const arguments[], char *const environment[], int output,
    int dropPrivileges, uid_t uid, gid_t gid, const gid_t *groups, size_t groupCount) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) return -1;
    int input = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (input < 0) {
        int failure = errno;
        close(report[0]);
        close(report[1]);
        errno = failure;
        return -1;
    }
    // The highest descriptor to close when close_range is refused (an older kernel, a seccomp filter).
    struct rlimit limit;
    int descriptors = 65536;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < (rlim_t)descriptors) {
        descriptors = (int)limit.rlim_cur;
    }
    pid_t child = fork();
    if (child == 0) {
        int failure = 0;
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        struct sigaction standard;
        memset(&standard, 0, sizeof standard);
        standard.sa_handler = SIG_DFL;
        for (int signal = 1; signal < NSIG; signal++) sigaction(signal, &standard, NULL);
        setpgid(0, 0);
        if (dup2(input, 0) < 0 || dup2(output, 1) < 0 || dup2(output, 2) < 0) goto failed;
        if (dropPrivileges && (setgroups(groupCount, groups) != 0 || setgid(gid) != 0 || setuid(uid) != 0)) goto failed;
        if (chdir("/") != 0) goto failed;
        // Every other descriptor closes at the exec; `report` already does, and reports success by closing.
        if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
            for (int descriptor = 3; descriptor < descriptors; descriptor++) fcntl(descriptor, F_SETFD, FD_CLOEXEC);
        }
        execve(path, arguments, environment);
    failed:
        failure = errno;
        (void)!write(report[1], &failure, sizeof failure);
        _exit(127);
    }
    int forkFailure = errno;
    close(input);
    close(report[1]);
    if (child < 0) {
        close(report[0]);
        errno = forkFailure;
        return -1;
    }
    setpgid(child, child);
    int failure = 0;
    ssize_t got;
    do {
        got = read(report[0], &failure, sizeof failure);
    } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == (ssize_t)sizeof failure) {
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {}
        errno = failure;
        return -1;
    }
    return child;
}

static int64_t CLinux_milliseconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/// Reads what `output` holds now into the buffer; 0 at its end (every writer closed it), 1 if more may come.
static int CLinux_readHookOutput(int output, unsigned char *buffer, size_t capacity, CLinux_HookEnd *end) {
    unsigned char scratch[4096];
    ssize_t got = read(output, scratch, sizeof scratch);
    if (got == 0) return 0;
    if (got < 0) return (errno == EINTR || errno == EAGAIN) ? 1 : 0;
    size_t room = capacity - end->kept;
    size_t keep = (size_t)got < room ? (size_t)got : room;
    memcpy(buffer + end->kept, scratch, keep);
    end->kept += keep;
    end->dropped += (size_t)got - keep;
    return 1;
}

int CLinux_waitHook(
    pid_t child, int output, int stop, int64_t timeoutMilliseconds, int64_t graceMilliseconds,
    unsigned char *buffer, size_t capacity, CLinux_HookEnd *end) {
    memset(end, 0, sizeof *end);
    int64_t start = CLinux_milliseconds();
    int64_t terminatedAt = -1;
    int killed = 0;
    int outputOpen = 1;
    for (;;) {
        pid_t ended = waitpid(child, &end->status, WNOHANG);
        if (ended == child) break;
        if (ended < 0 && errno != EINTR) return -1;
        int64_t elapsed = CLinux_milliseconds() - start;
        if (terminatedAt < 0 && elapsed >= timeoutMilliseconds) {
            end->stopped = 1;
            kill(-child, SIGTERM);
            terminatedAt = elapsed;
        } else if (terminatedAt >= 0 && !killed && elapsed >= terminatedAt + graceMilliseconds) {
            kill(-child, SIGKILL);
            killed = 1;
        }
        // The child's end is not a descriptor to poll: look again every 20 ms, or at once when output arrives.
        struct pollfd watched[2] = {
            {.fd = outputOpen ? output : -1, .events = POLLIN, .revents = 0},
            {.fd = terminatedAt < 0 ? stop : -1, .events = POLLIN, .revents = 0},
        };
        int ready = poll(watched, 2, 20);
        if (ready < 0 && errno != EINTR) return -1;
        if (ready > 0 && watched[0].revents != 0) outputOpen = CLinux_readHookOutput(output, buffer, capacity, end);
        if (ready > 0 && watched[1].revents != 0 && terminatedAt < 0) {
            end->stopped = 2;
            kill(-child, SIGTERM);
            terminatedAt = CLinux_milliseconds() - start;
        }
    }
    // What the child wrote before it ended; a process it left behind may hold the pipe open, so nothing is awaited.
    while (outputOpen) {
        struct pollfd watched = {.fd = output, .events = POLLIN, .revents = 0};
        if (poll(&watched, 1, 0) <= 0) break;
        outputOpen = CLinux_readHookOutput(output, buffer, capacity, end);
    }
    return 0;
}

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

typedef struct {
    CLinux_Range *ranges;
    size_t count;
    int64_t delayMilliseconds;
} CLinux_Release;

static void *CLinux_releaseThread(void *argument) {
    CLinux_Release *release = argument;
    (void)pthread_setname_np(pthread_self(), "facedrop-memory");
    struct timespec delay = {release->delayMilliseconds / 1000, (release->delayMilliseconds % 1000) * 1000000};
    while (nanosleep(&delay, &delay) == -1 && errno == EINTR) {
    }
    for (size_t index = 0; index < release->count; index++) {
        (void)madvise((void *)release->ranges[index].start, release->ranges[index].length, MADV_PAGEOUT);
    }
    free(release->ranges);
    free(release);
    (void)malloc_trim(0);
    return NULL;
}

int CLinux_releaseLater(const CLinux_Range *ranges, size_t count, int64_t delayMilliseconds) {
    CLinux_Release *release = malloc(sizeof(CLinux_Release));
    // One byte more, so that no ranges is still a buffer of its own (malloc(0) may return NULL).
    CLinux_Range *copy = malloc(count * sizeof(CLinux_Range) + 1);
    if (release == NULL || copy == NULL) {
        free(release);
        free(copy);
        return ENOMEM;
    }
    memcpy(copy, ranges, count * sizeof(CLinux_Range));
    *release = (CLinux_Release){copy, count, delayMilliseconds};
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    int code = pthread_create(&thread, &attributes, CLinux_releaseThread, release);
    pthread_attr_destroy(&attributes);
    if (code != 0) {
        free(copy);
        free(release);
    }
    return code;
}
