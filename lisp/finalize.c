/* lisp/finalize.c — finalizers (PETREL-EXT:FINALIZE, CANCEL-FINALIZATION;
 * the Lisp half is lisp/src/finalize.lisp).
 *
 * A registration pairs an object, held weakly (objects[], a C array the
 * collector does not scan), with a function, held strongly: the same index
 * of `functions`, a simple-vector in the heap reached from one root word.
 * The pause that starts a concurrent mark greys that one word, and the
 * markers scan the vector beside the program; with the functions in a C
 * root array the pause marked each of them (1M registrations: a 24-32 ms
 * first pause).  Every store into the vector goes through the barrier,
 * except in a pause after the mark (finalize_collect_dead).
 * Before pause 2 of a concurrent cycle a mark worker sorts the
 * registrations (finalize_presort, from the collector's mark-end hook): an object marked
 * then survives, so the pause looks only at the others (dead, or made
 * during the cycle) and at registrations made since; with 1M live
 * registrations it spent 5-12 ms checking them all.  At the end
 * of every mark, with the world stopped (the collector's weak hook, after
 * the weak tables: finalize_collect_dead), each registration whose object
 * did not survive moves its function to the pending queue; the object is
 * then swept.  The function never receives the object, so it cannot see it
 * half-freed (and a function that refers to its object keeps it alive: it
 * never runs).  The finalizer thread (a Lisp thread, "finalizer") takes
 * the functions one at a time (%NEXT-FINALIZER) and runs them, outside any
 * pause; each registration runs at most once.
 *
 * Locks: reg_lock guards the registrations (objects, functions' slots,
 * nregs, capregs), pending_lock the queue; neither
 * is held across a safepoint or an allocation, so a pause that takes them
 * never waits on a parked thread.  The finalizer thread waits on
 * pending_cond in a safe region, holding pending_lock only inside
 * pthread_cond_timedwait. */
#include "lisp/index_list.h"
#include "lisp/vm_impl.h"
#include "threads/safepoint.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static LispObj *objects;            /* guarded by reg_lock; capregs entries */
static LispObj functions;           /* guarded by reg_lock: a simple-vector of capregs
                                       (0 before the first); a GC root */
static size_t nregs, capregs;       /* guarded by reg_lock */
/* The presort's result, guarded by reg_lock: for mark epoch `epoch`, the
 * registrations below `scanned` whose objects were not marked yet are the
 * indices in cand (ascending); the others there survive.  epoch 0: none
 * (cancel-finalization renumbers the registrations). */
static struct { uint64_t epoch; size_t scanned; IndexList cand; } presorted;
static uint64_t pause_checks;       /* guarded by reg_lock: registrations checked in pauses */

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

/* Root scanner (in a pause): the pending functions (the registered ones
 * hang from the root word `functions`). */
static void scan(GcMarker *mk, void *data) {
    (void)data;
    pthread_mutex_lock(&pending_lock);
    if (pending) gc_mark_words(mk, pending, pending + npending); /* NULL + 0 is UB */
    pthread_mutex_unlock(&pending_lock);
}

void finalize_init(void) {
    gc_add_root_range(&functions, 1);
    gc_add_root_scanner(scan, NULL);
}

/* Part of the mark-end hook (lisp/hashtable_weak.c): on a mark worker,
 * mutators running. */
void finalize_presort(uint64_t epoch) {
    pthread_mutex_lock(&reg_lock);
    presorted.epoch = 0;
    presorted.cand.n = 0;
    size_t i = 0;
    for (; i < nregs; i++) {
        if ((i & 4095) == 0 && gc_mark_end_hook_stopping()) break;  /* the rest stays for the pause */
        if (!gc_marked_now(objects[i]) && !index_list_push(&presorted.cand, i)) break;
    }
    presorted.scanned = i;
    presorted.epoch = epoch;
    pthread_mutex_unlock(&reg_lock);
}

static LispObj *function_slot(size_t i) { return &VEC(functions)->items[i]; }

static void queue_locked(LispObj fn) {
    if (npending == cappending) pending = grow(pending, &cappending, sizeof *pending);
    pending[npending++] = fn;
}

/* In a pause after the mark (plain stores): registration i's object is
 * dead, its function goes to the queue, the last registration to its place. */
static void queue_and_remove_locked(size_t i) {
    queue_locked(*function_slot(i));
    nregs--;
    objects[i] = objects[nregs];
    gc_init_store(function_slot(i), *function_slot(nregs));
    gc_init_store(function_slot(nregs), NIL);
}

/* After a presort of this mark: only its candidates and the registrations
 * made since are checked.  The dead ones go from the highest index down,
 * each replaced by the last registration (alive: any dead one above was
 * removed first). */
static size_t collect_presorted_locked(void) {
    size_t queued = 0, ndead = 0, *cand = presorted.cand.at;
    for (size_t k = 0; k < presorted.cand.n; k++)  /* reuse cand for the dead, in order */
        if (!gc_survives(objects[cand[k]])) cand[ndead++] = cand[k];
    size_t from = presorted.scanned, n = nregs;
    pause_checks += presorted.cand.n + (n - from);
    for (size_t i = n; i-- > from;)
        if (!gc_survives(objects[i])) queue_and_remove_locked(i), queued++;
    for (; ndead; queued++) queue_and_remove_locked(cand[--ndead]);
    return queued;
}

void finalize_collect_dead(void) {
    size_t kept = 0, queued = 0;
    pthread_mutex_lock(&reg_lock);
    pthread_mutex_lock(&pending_lock);
    if (presorted.epoch && presorted.epoch == gc_mark_epoch()) {
        presorted.epoch = 0;
        queued = collect_presorted_locked();
        if (queued) pthread_cond_signal(&pending_cond);
        pthread_mutex_unlock(&pending_lock);
        pthread_mutex_unlock(&reg_lock);
        return;
    }
    pause_checks += nregs;
    /* In a pause after the mark: plain stores, nothing is left to log (gc_survives
     * asserts the pause: it needs pages_lock). */
    for (size_t i = 0; i < nregs; i++) {
        if (gc_survives(objects[i])) {
            if (kept != i) {  /* only after the first death: a steady heap moves nothing */
                objects[kept] = objects[i];
                gc_init_store(function_slot(kept), *function_slot(i));
            }
            kept++;
            continue;
        }
        queue_locked(*function_slot(i));
        queued++;
    }
    for (size_t i = kept; i < nregs; i++) gc_init_store(function_slot(i), NIL);
    nregs = kept;
    if (queued) pthread_cond_signal(&pending_cond);
    pthread_mutex_unlock(&pending_lock);
    pthread_mutex_unlock(&reg_lock);
}

static bool finalizable_p(LispObj x) { return cons_p(x) || (obj_p(x) && x != NIL); }

/* The registration arrays' size for n entries: doubled when full, halved
 * when used to a quarter, 64 at the least. */
static size_t wanted_capacity(size_t n) {
    size_t c = capregs ? capregs : 64;
    while (c < n) c *= 2;
    while (c > 64 && n <= c / 4) c /= 2;
    return c;
}

/* Moves the registrations into v (a fresh simple-vector of want slots) and
 * a C array of want objects.  v may already be seen by a marker (allocated
 * before this cycle's first pause) or never (allocated during the cycle):
 * either way every function stays marked, because the old vector goes
 * through the barrier as the root word changes. */
static void resize_locked(LispObj v, size_t want) {
    LispObj *o = realloc(objects, want * sizeof *o);
    PT_CHECK(o != NULL, "out of memory for finalizers");
    objects = o;
    for (size_t i = 0; i < nregs; i++) gc_init_store(&VEC(v)->items[i], *function_slot(i));
    gc_store(&functions, v);
    capregs = want;
}

static LispObj sys_finalize(ThContext *tc, size_t nargs, LispObj *args) {
    if (!finalizable_p(args[0]))
        /* immediates (and NIL) are never collected: such a finalizer could never run */
        cond_type_error(tc, args[0],
                        lisp_list(tc, 2, S(NOT), lisp_list(tc, 5, S(OR), S(NULL), S(FIXNUM), S(CHARACTER), S(SINGLE_FLOAT))));
    LispObj fn = arg_function_designator(tc, args[1]);
    pthread_mutex_lock(&reg_lock);
    size_t want;
    while ((want = wanted_capacity(nregs + 1)) != capregs) {
        pthread_mutex_unlock(&reg_lock);
        LispObj v = vec_make(tc, want, NIL);  /* may collect: no lock held */
        pthread_mutex_lock(&reg_lock);
        if (want == wanted_capacity(nregs + 1)) resize_locked(v, want);  /* else another thread moved it: again */
    }
    objects[nregs] = args[0];
    gc_store(function_slot(nregs++), fn);
    pthread_mutex_unlock(&reg_lock);
    return args[0];
}

static LispObj sys_cancel_finalization(ThContext *tc, size_t nargs, LispObj *args) {
    size_t kept = 0;
    pthread_mutex_lock(&reg_lock);
    for (size_t i = 0; i < nregs; i++) {
        if (objects[i] == args[0]) continue;
        objects[kept] = objects[i];
        if (kept != i) gc_store(function_slot(kept), *function_slot(i));  /* logs what it overwrites */
        kept++;
    }
    for (size_t i = kept; i < nregs; i++) gc_store(function_slot(i), NIL);
    presorted.epoch = 0;  /* the indices changed */
    bool any = kept < nregs;
    nregs = kept;
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

/* (values registered pending run registered-capacity pending-capacity
 * pause-checks): for tests and ROOM-like reports. */
static LispObj sys_finalizer_counts(ThContext *tc, size_t nargs, LispObj *args) {
    pthread_mutex_lock(&reg_lock);
    int64_t r = (int64_t)nregs, rc = (int64_t)capregs, pc2 = (int64_t)pause_checks;
    pthread_mutex_unlock(&reg_lock);
    pthread_mutex_lock(&pending_lock);
    int64_t p = (int64_t)npending, n = (int64_t)finalizers_run, pc = (int64_t)cappending;
    pthread_mutex_unlock(&pending_lock);
    LispObj vals[6] = {fx_make(r), fx_make(p), fx_make(n), fx_make(rc), fx_make(pc), fx_make(pc2)};
    return vm_values(tc, 6, vals);
}

const BuiltinSpec builtins_finalize[] = {
    {"%FINALIZE", "SYS", sys_finalize, 2, 2, "object function", "Registers FUNCTION to run once OBJECT is collected."},
    {"%CANCEL-FINALIZATION", "SYS", sys_cancel_finalization, 1, 1, "object",
     "Removes OBJECT's finalizers; true if it had any."},
    {"%NEXT-FINALIZER", "SYS", sys_next_finalizer, 0, 0, "", "Waits for the next finalizer due and returns it."},
    {"%FINALIZER-COUNTS", "SYS", sys_finalizer_counts, 0, 0, "",
     "Six values: finalizers registered, pending, handed to the finalizer thread so far, the "
     "capacities of the registration and pending arrays, and registrations checked in pauses so far."},
    {0},
};
