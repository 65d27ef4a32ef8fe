/* threads/safepoint.h — the safepoint poll.  A thread polls at allocation slow
 * paths, calls and backward branches.  With one thread and a stop-the-world
 * collector triggered only from allocation, the poll has nothing to do yet;
 * the threads issue makes it check the pause flag. */
#ifndef PETREL_THREADS_SAFEPOINT_H
#define PETREL_THREADS_SAFEPOINT_H

#include "threads/threads.h"

static inline void th_poll(ThContext *tc) { (void)tc; }

#endif
