#ifndef CINOTIFYTOOLS_SHIM_H
#define CINOTIFYTOOLS_SHIM_H

// libinotifytools ships no pkg-config file; the library is linked by name in module.modulemap.
#include <inotifytools/inotifytools.h>
#include <inotifytools/inotify.h>

#endif
