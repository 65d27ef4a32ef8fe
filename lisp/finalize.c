/* lisp/finalize.c — finalizers (PETREL-EXT:FINALIZE, CANCEL-FINALIZATION;
 * the Lisp half is lisp/src/finalize.lisp).
 *
 * A registration pairs an object, held weakly (a C array the collector does
 * not scan), with a function, held strongly (a root scanner).  At the end
 * of every mark, with the world stopped (the collector's weak hook, after
 * the weak tables: finalize_collect_dead), each registration whose object
 * did not survive moves its function to the pending queue; the object is
 * then swept.  The function never receives the object, so it cannot see it
 * half-freed (and a function that refers to its object keeps it alive: it
 * never runs).  The finalizer thread (a Lisp thread, "finalizer") takes
 * the functions one at a time (%NEXT-FINALIZER) and runs them, outside any
 * pause; each registration runs at most once.
 *
 * Locks: reg_lock guards the registrations, pending_lock the queue; neither
 * is held across a safepoint or an allocation, so a pause that takes them
 * never waits on a parked thread.  The finalizer thread waits on
 * pending_cond in a safe region, holding pending_lock only inside
 * pthread_cond_timedwait. */
#include "lisp/vm_impl.h"
#include "threads/safepoint.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

typedef struct Finalization { LispObj object; LispObj function; } Finalization;

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static Finalization *regs;          /* guarded by reg_lock */
static size_t nregs, capregs;       /* guarded by reg_lock */

static pthread_mutex_t pending_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pending_cond = PTHREAD_COND_INITIALIZER;
static LispObj *pending;            /* guarded by pending_lock */
static size_t npending, cappending; /* guarded by pending_lock */
static uint64_t finalizers_run;     /* guarded by pending_lock: handed to the thread */

static void *grow(void *a, size_t *cap, size_t elem) {
    size_t n = *cap ? *cap * 2 : 64;
    void *b = realloc(a, n * elem);
    PT_CHECK(b != NULL, "out of memory for finalizers");
    *cap = n;
    return b;
}

/* An array used to a quarter or less is halved until it is not (a burst
 * of finalizers once left megabytes behind for the rest of the run); never
 * below 64 entries, and twice its use, so that it does not grow again at once. */
static void *shrink(void *a, size_t n, size_t *cap, size_t elem) {
    size_t c = *cap;
    while (c > 64 && n <= c / 4) c /= 2;
    if (c == *cap) return a;
    void *b = realloc(a, c * elem);
    if (!b) return a;  /* keeping the larger block is fine */
    *cap = c;
    return b;
}

/* Root scanner (in a pause): the functions, registered and pending. */
static void scan(GcMarker *mk, void *data) {
    (void)data;
    pthread_mutex_lock(&reg_lock);
    for (size_t i = 0; i < nregs; i++) gc_mark_word(mk, regs[i].function);
    pthread_mutex_unlock(&reg_lock);
    pthread_mutex_lock(&pending_lock);
    if (pending) gc_mark_words(mk, pending, pending + npending); /* NULL + 0 is UB */
    pthread_mutex_unlock(&pending_lock);
}

void finalize_init(void) { gc_add_root_scanner(scan, NULL); }

void finalize_collect_dead(void) {
    size_t kept = 0, queued = 0;
    pthread_mutex_lock(&reg_lock);
    pthread_mutex_lock(&pending_lock);
    for (size_t i = 0; i < nregs; i++) {
        if (gc_survives(regs[i].object)) {
            regs[kept++] = regs[i];
            continue;
        }
        if (npending == cappending) pending = grow(pending, &cappending, sizeof *pending);
        pending[npending++] = regs[i].function;
        queued++;
    }
    nregs = kept;
    regs = shrink(regs, nregs, &capregs, sizeof *regs);
    if (queued) pthread_cond_signal(&pending_cond);
    pthread_mutex_unlock(&pending_lock);
    pthread_mutex_unlock(&reg_lock);
}

static bool finalizable_p(LispObj x) { return cons_p(x) || (obj_p(x) && x != NIL); }

static LispObj sys_finalize(ThContext *tc, size_t nargs, LispObj *args) {
    if (!finalizable_p(args[0]))
        /* immediates (and NIL) are never collected: such a finalizer could never run */
        cond_type_error(tc, args[0],
                        lisp_list(tc, 2, S(NOT), lisp_list(tc, 5, S(OR), S(NULL), S(FIXNUM), S(CHARACTER), S(SINGLE_FLOAT))));
    LispObj fn = arg_function_designator(tc, args[1]);
    pthread_mutex_lock(&reg_lock);
    if (nregs == capregs) regs = grow(regs, &capregs, sizeof *regs);
    regs[nregs++] = (Finalization){args[0], fn};
    pthread_mutex_unlock(&reg_lock);
    return args[0];
}

static LispObj sys_cancel_finalization(ThContext *tc, size_t nargs, LispObj *args) {
    size_t kept = 0;
    pthread_mutex_lock(&reg_lock);
    for (size_t i = 0; i < nregs; i++)
        if (regs[i].object != args[0]) regs[kept++] = regs[i];
    bool any = kept < nregs;
    nregs = kept;
    regs = shrink(regs, nregs, &capregs, sizeof *regs);
    pthread_mutex_unlock(&reg_lock);
    return any ? T : NIL;
}

/* The finalizer thread's wait: the next pending function.  Waits in a
 * safe region in slices, so interrupts (destroy-thread) reach it. */
static LispObj sys_next_finalizer(ThContext *tc, size_t nargs, LispObj *args) {
    for (;;) {
        th_enter_safe(tc);
        pthread_mutex_lock(&pending_lock);
        if (npending == 0) {
            struct timespec t;
            clock_gettime(CLOCK_REALTIME, &t);
            t.tv_nsec += 50 * 1000 * 1000;
            if (t.tv_nsec >= 1000000000L) t.tv_sec++, t.tv_nsec -= 1000000000L;
            pthread_cond_timedwait(&pending_cond, &pending_lock, &t);
        }
        pthread_mutex_unlock(&pending_lock);
        th_leave_safe(tc);
        /* no safepoint from here to the unlock: a pause cannot find pending_lock held */
        pthread_mutex_lock(&pending_lock);
        LispObj fn = npending ? pending[--npending] : NIL;
        if (fn != NIL) finalizers_run++;
        pending = shrink(pending, npending, &cappending, sizeof *pending);
        pthread_mutex_unlock(&pending_lock);
        if (fn != NIL) return fn;  /* a C local now: the conservative scan keeps it */
        th_poll(tc);               /* interrupts between slices */
    }
}

/* (values registered pending run registered-capacity pending-capacity):
 * for tests and ROOM-like reports. */
static LispObj sys_finalizer_counts(ThContext *tc, size_t nargs, LispObj *args) {
    pthread_mutex_lock(&reg_lock);
    int64_t r = (int64_t)nregs, rc = (int64_t)capregs;
    pthread_mutex_unlock(&reg_lock);
    pthread_mutex_lock(&pending_lock);
    int64_t p = (int64_t)npending, n = (int64_t)finalizers_run, pc = (int64_t)cappending;
    pthread_mutex_unlock(&pending_lock);
    LispObj vals[5] = {fx_make(r), fx_make(p), fx_make(n), fx_make(rc), fx_make(pc)};
    return vm_values(tc, 5, vals);
}

const BuiltinSpec builtins_finalize[] = {
    {"%FINALIZE", "SYS", sys_finalize, 2, 2, "object function", "Registers FUNCTION to run once OBJECT is collected."},
    {"%CANCEL-FINALIZATION", "SYS", sys_cancel_finalization, 1, 1, "object",
     "Removes OBJECT's finalizers; true if it had any."},
    {"%NEXT-FINALIZER", "SYS", sys_next_finalizer, 0, 0, "", "Waits for the next finalizer due and returns it."},
    {"%FINALIZER-COUNTS", "SYS", sys_finalizer_counts, 0, 0, "",
     "Five values: finalizers registered, pending, handed to the finalizer thread so far, and the "
     "capacities of the registration and pending arrays."},
    {0},
};
