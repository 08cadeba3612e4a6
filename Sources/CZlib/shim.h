#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H

#include <zlib.h>

/// `inflateInit` is a macro (it passes the library version and the struct size), so Swift cannot call it.
static inline int facedrop_inflateInit(z_streamp stream) {
    return inflateInit(stream);
}

#endif
