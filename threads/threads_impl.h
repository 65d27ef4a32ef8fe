/* threads/threads_impl.h — private to threads/: the registry of contexts and
 * the world lock, shared by context.c (attach/detach, roots) and world.c
 * (the stop-the-world protocol and safe regions). */
#ifndef PETREL_THREADS_THREADS_IMPL_H
#define PETREL_THREADS_THREADS_IMPL_H

#include <pthread.h>
#include "threads/threads.h"

typedef struct ThLink { ThContext *tc; struct ThLink *next; } ThLink;

/* The world lock guards the context list, every ThContext.state and
 * .interrupts, and the pause flag; world_changed is broadcast whenever one
 * of them changes.  Order: gc's collect_lock, then the world lock; never
 * hold it across allocation or a wait other than on world_changed. */
extern pthread_mutex_t th_world_lock;
extern pthread_cond_t th_world_changed;
extern ThLink *th_contexts;  /* guarded by th_world_lock */

/* world.c: installs the GC's world hooks. */
void th_world_init(void);

#endif
