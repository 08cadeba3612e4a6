#define _GNU_SOURCE
#include "CLinux.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>

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
