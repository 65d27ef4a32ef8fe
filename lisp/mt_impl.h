/* lisp/mt_impl.h — layouts of the PETREL-THREADS objects (threads, mutexes,
 * wait queues, semaphores) and the helpers builtins_threads.c and
 * builtins_sync.c share.  Private to lisp/.
 *
 * Each object keeps its pthread primitives in its raw words: the heap never
 * moves, so their addresses are stable, and a primitive is never used after
 * its object became garbage (a waiter holds the object).  Default Linux
 * mutexes and condition variables need no destroy. */
#ifndef PETREL_LISP_MT_IMPL_H
#define PETREL_LISP_MT_IMPL_H

#include <pthread.h>

#include "lisp/vm_impl.h"

/* Status of a thread, a fixnum in LispThread.status. */
enum MtStatus { MT_CREATED, MT_RUNNING, MT_FINISHED, MT_ABORTED, MT_DIED };

typedef struct LispThread {
    GcWord header;
    LispObj name;          /* string */
    LispObj function;      /* what it runs */
    LispObj values;        /* the arguments (make-thread :arguments) until it runs, then the list of
                              the function's values once finished */
    LispObj error;         /* the unhandled condition it died of, or NIL */
    LispObj status;        /* fixnum MtStatus; written under done_lock */
    LispObj bindings;      /* alist of initial special bindings */
    /* raw */
    pthread_mutex_t done_lock;  /* guards status/values/error after start */
    pthread_cond_t done_cv;     /* broadcast when the status leaves RUNNING */
    pthread_t handle;
    size_t stack_bytes;
} LispThread;
#define THREAD_NBOXED 6

typedef struct LispMutex {
    GcWord header;
    LispObj name;          /* string or NIL */
    LispObj owner;         /* thread holding it, or NIL; written by the holder only (atomic
                              release store), read with acquire loads (builtins_sync.c) */
    /* raw */
    pthread_mutex_t mutex;
    int64_t depth;         /* recursive locks: times the owner holds it; owner only */
    int64_t recursive;     /* 1 for make-recursive-lock */
} LispMutex;
#define MUTEX_NBOXED 2

typedef struct LispWaitqueue {
    GcWord header;
    LispObj name;
    pthread_cond_t cond;   /* raw; waited on with a LispMutex's mutex */
} LispWaitqueue;

typedef struct LispSemaphore {
    GcWord header;
    LispObj name;
    pthread_mutex_t lock;  /* raw: guards count and waiters */
    pthread_cond_t cond;
    int64_t count;
    int64_t waiters;
} LispSemaphore;

static inline LispThread *THR(LispObj x) { return (LispThread *)obj_words(x); }
static inline LispMutex *MTX(LispObj x) { return (LispMutex *)obj_words(x); }
static inline LispWaitqueue *WQ(LispObj x) { return (LispWaitqueue *)obj_words(x); }
static inline LispSemaphore *SEM(LispObj x) { return (LispSemaphore *)obj_words(x); }

/* A MUTEX object for runtime-internal locking (see builtins_sync.c). */
LispObj mt_make_internal_mutex(ThContext *tc, bool recursive);

/* For the printer: a mutex's owner (NIL if free), a semaphore's count. */
LispObj mt_lock_owner_of(LispObj mutex);
int64_t mt_semaphore_count_of(ThContext *tc, LispObj semaphore);

/* The Lisp thread object of tc (the main thread gets one at startup). */
LispObj mt_current_thread(ThContext *tc);

/* Words of an object whose layout struct is T (header excluded). */
#define MT_NWORDS(T) ((sizeof(T) - sizeof(GcWord) + 7) / 8)

/* Absolute CLOCK_REALTIME deadline `seconds` from now (a Lisp real). */
struct timespec mt_deadline(ThContext *tc, LispObj seconds, const char *op);

#endif
