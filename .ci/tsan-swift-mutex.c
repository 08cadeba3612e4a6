// Teaches ThreadSanitizer the happens-before edges of Swift's `Synchronization.Mutex` on Linux.
//
// `Mutex.withLock` inlines the lock's fast path (one compare-and-swap on the futex word), and TSan sees
// that atomic. Under contention the out-of-line slow paths in libswiftSynchronization.so take over: a
// spin loop with its own compare-and-swap, then FUTEX_LOCK_PI / FUTEX_UNLOCK_PI, where the kernel hands
// the lock from one thread to the next. That library is not instrumented and TSan does not intercept
// futex, so it sees no edge from the unlocking thread to the one that got the lock, and reports every
// access inside the critical section as a data race. Those reports are false: a program that only
// increments a counter inside `withLock` from four threads ends with the right count and gets a report
// on most runs.
//
// This library is preloaded (LD_PRELOAD) into every process of the TSan run and interposes the three
// slow-path entry points, which clients call through the PLT. It forwards each call to the real one and
// tells TSan what the lock did: a release on the futex word before `_unlockSlow`, an acquire on it after
// `_lockSlow` and after a successful `_tryLockSlow`. Those are the edges the lock really provides, on the
// same address as the inlined fast path's atomics, so TSan still reports any access that is not under
// the lock. In a process without TSan (the `swift test` driver) the weak TSan symbols are null and the
// calls are only forwarded.
//
// The names and the calling convention (the handle's address is `self`, in the Swift context register)
// belong to the Swift 6 runtime; `.ci/tsan` checks that the library still exports them.

#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>

void __tsan_acquire(void *address) __attribute__((weak));
void __tsan_release(void *address) __attribute__((weak));

#define SWIFTCALL __attribute__((swiftcall))
#define SWIFTSELF __attribute__((swift_context))

#define LOCK_SLOW "$s15Synchronization12_MutexHandleV9_lockSlowyys6UInt32VF"
#define TRY_LOCK_SLOW "$s15Synchronization12_MutexHandleV12_tryLockSlowSbyF"
#define UNLOCK_SLOW "$s15Synchronization12_MutexHandleV11_unlockSlowyyF"

typedef SWIFTCALL void (*LockSlow)(uint32_t thread, void *SWIFTSELF handle);
typedef SWIFTCALL bool (*TryLockSlow)(void *SWIFTSELF handle);
typedef SWIFTCALL void (*UnlockSlow)(void *SWIFTSELF handle);

/// The real function `name` (the next definition after this library), looked up once.
static void *real(const char *name, void **cache) {
    void *function = __atomic_load_n(cache, __ATOMIC_ACQUIRE);
    if (!function) {
        function = dlsym(RTLD_NEXT, name);
        __atomic_store_n(cache, function, __ATOMIC_RELEASE);
    }
    return function;
}

SWIFTCALL void lock_slow(uint32_t thread, void *SWIFTSELF handle) __asm__(LOCK_SLOW);
SWIFTCALL void lock_slow(uint32_t thread, void *SWIFTSELF handle) {
    static void *cache;
    ((LockSlow)real(LOCK_SLOW, &cache))(thread, handle);
    if (__tsan_acquire) __tsan_acquire(handle);
}

SWIFTCALL bool try_lock_slow(void *SWIFTSELF handle) __asm__(TRY_LOCK_SLOW);
SWIFTCALL bool try_lock_slow(void *SWIFTSELF handle) {
    static void *cache;
    bool locked = ((TryLockSlow)real(TRY_LOCK_SLOW, &cache))(handle);
    if (locked && __tsan_acquire) __tsan_acquire(handle);
    return locked;
}

SWIFTCALL void unlock_slow(void *SWIFTSELF handle) __asm__(UNLOCK_SLOW);
SWIFTCALL void unlock_slow(void *SWIFTSELF handle) {
    static void *cache;
    if (__tsan_release) __tsan_release(handle);
    ((UnlockSlow)real(UNLOCK_SLOW, &cache))(handle);
}
