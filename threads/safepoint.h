/* threads/safepoint.h — the safepoint poll.  A thread polls at allocation slow
 * paths, calls and backward branches: one relaxed load of its own
 * poll_request word; the slow path parks for a pause or runs interrupts. */
#ifndef PETREL_THREADS_SAFEPOINT_H
#define PETREL_THREADS_SAFEPOINT_H

#include "threads/threads.h"

static inline bool th_poll_pending(ThContext *tc) {
    return __builtin_expect(atomic_load_explicit(&tc->poll_request, memory_order_relaxed) != 0, 0);
}

static inline void th_poll(ThContext *tc) {
    if (th_poll_pending(tc)) th_poll_slow(tc);
}

#endif
