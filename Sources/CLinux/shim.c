#define _GNU_SOURCE
#include "CLinux.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/timerfd.h>
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
