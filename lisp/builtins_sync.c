/* lisp/builtins_sync.c — PETREL-THREADS synchronisation: mutexes (plain and
 * recursive) with deadlock detection, condition variables (wait queues),
 * semaphores, and the atomic operations on heap slots.
 *
 * Every wait happens in a safe region (th_enter_safe), so a thread blocked
 * on a lock, a condition or a semaphore never delays a collection; every
 * internal pthread mutex that a thread may hold while it leaves a safe
 * region is taken through th_mutex_lock, so that nobody blocks on it while
 * RUNNING (a pause would wait for them forever).
 *
 * Deadlock detection: the wait-for graph is "thread T waits for mutex M"
 * (graph_waits, guarded by graph_lock, a plain pthread mutex never held
 * across allocation, blocking or Lisp code) and "M is owned by thread U"
 * (LispMutex.owner, written by its holder only, read atomically).
 * Before blocking on M, a thread follows owner → the mutex that owner waits
 * for → its owner ... under graph_lock; reaching itself means the wait
 * would never end, and it signals PETREL-THREADS:DEADLOCK naming the
 * threads and mutexes of the cycle instead.  Registering the wait and the
 * check are one critical section, so of two threads closing a cycle the
 * second always sees the first. */
#include "lisp/mt_impl.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "lisp/builtins_impl.h"
#include "threads/safepoint.h"

static pthread_mutex_t graph_lock = PTHREAD_MUTEX_INITIALIZER;

/* Which mutex each waiting thread waits for: a small table keyed by the
 * thread object (guarded by graph_lock; entries live only while the waiter
 * is blocked, and the waiter keeps both objects alive on its stack). */
enum { MAX_WAITERS = 1024 };
static struct { LispObj thread, mutex; } graph_waits[MAX_WAITERS];
static size_t graph_nwaits;

static LispObj waits_for_locked(LispObj thread) {
    for (size_t i = 0; i < graph_nwaits; i++)
        if (graph_waits[i].thread == thread) return graph_waits[i].mutex;
    return NIL;
}

static void remove_wait_locked(LispObj thread) {
    for (size_t i = 0; i < graph_nwaits; i++)
        if (graph_waits[i].thread == thread) {
            graph_waits[i] = graph_waits[--graph_nwaits];
            return;
        }
}

/* A timeout in seconds: a non-negative fixnum, float or ratio (huge ones
 * are capped at about 30 years). */
static double seconds_of(ThContext *tc, LispObj x) {
    double s = -1;
    if (fx_p(x)) s = (double)fx_value(x);
    else if (single_float_p(x)) s = single_float_value(x);
    else if (double_float_p(x)) s = double_float_value(x);
    else if (ratio_p(x) && fx_p(obj_words(x)[1]) && fx_p(obj_words(x)[2]))
        s = (double)fx_value(obj_words(x)[1]) / (double)fx_value(obj_words(x)[2]);
    else if (real_p(x) && !float_p(x)) s = 1e9;  /* a bignum or a ratio of them: forever enough */
    if (!(s >= 0)) cond_type_error(tc, x, lisp_list(tc, 3, S(REAL), fx_make(0), S(STAR)));
    return s > 1e9 ? 1e9 : s;
}

struct timespec mt_deadline(ThContext *tc, LispObj seconds, const char *op) {
    (void)op;
    double s = seconds_of(tc, seconds);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    double whole = floor(s);
    long ns = now.tv_nsec + (long)((s - whole) * 1e9);
    return (struct timespec){now.tv_sec + (time_t)whole + ns / 1000000000L, ns % 1000000000L};
}

static LispObj kw(ThContext *tc, const char *name) { return pkg_intern_cstr(tc, name, pkg_keyword); }

/* ---- waits that interrupts reach ----
 * A blocked wait cannot run Lisp, so every wait is cut into slices of at
 * most WAIT_SLICE_NS; between slices a pending interrupt-thread or
 * destroy-thread runs (th_poll), with nothing held that its unwinding could
 * leak, and the wait goes on. */
enum { WAIT_SLICE_NS = 50 * 1000 * 1000 };

static bool interrupt_pending(ThContext *tc) {
    return (atomic_load_explicit(&tc->poll_request, memory_order_relaxed) & TH_POLL_INTERRUPT) != 0;
}

static bool before(const struct timespec *a, const struct timespec *b) {
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* The end of the next slice: now + WAIT_SLICE_NS, or the deadline if sooner. */
static struct timespec slice_end(const struct timespec *deadline) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_nsec += WAIT_SLICE_NS;
    if (t.tv_nsec >= 1000000000L) t.tv_sec++, t.tv_nsec -= 1000000000L;
    return deadline && before(deadline, &t) ? *deadline : t;
}

static bool past(const struct timespec *deadline) {
    if (!deadline) return false;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return !before(&now, deadline);
}

static LispObj optional_name(ThContext *tc, size_t nargs, LispObj *args) {
    if (nargs == 0 || args[0] == NIL) return NIL;
    return arg_string_designator(tc, args[0]);
}

/* ---- mutexes ---- */

static LispObj mutex_make(ThContext *tc, LispObj name, bool recursive) {
    LispObj x = obj_alloc(tc, KIND_MUTEX, MT_NWORDS(LispMutex));
    LispMutex *m = MTX(x);
    gc_init_store(&m->name, name);
    gc_init_store(&m->owner, NIL);
    pthread_mutex_init(&m->mutex, NULL);
    m->recursive = recursive;
    return x;
}

/* A mutex for the runtime's own use (synchronized hash tables): a recursive
 * pthread mutex, locked with th_mutex_lock, no owner bookkeeping. */
LispObj mt_make_internal_mutex(ThContext *tc, bool recursive) {
    LispObj x = mutex_make(tc, NIL, recursive);
    if (recursive) {
        pthread_mutexattr_t attr;
        pthread_mutexattr_init(&attr);
        pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
        pthread_mutex_init(&MTX(x)->mutex, &attr);
        pthread_mutexattr_destroy(&attr);
    }
    return x;
}

static LispObj mt_make_lock(ThContext *tc, size_t nargs, LispObj *args) {
    return mutex_make(tc, optional_name(tc, nargs, args), false);
}

static LispObj mt_make_recursive_lock(ThContext *tc, size_t nargs, LispObj *args) {
    return mutex_make(tc, optional_name(tc, nargs, args), true);
}

static LispObj mutex_arg(ThContext *tc, LispObj x) {
    if (!kind_p(x, KIND_MUTEX)) cond_type_error(tc, x, S(MT_MUTEX));
    return x;
}

/* The owner word is written only by the thread that holds (or just
 * acquired) the mutex, so "is it me?" needs no lock; the deadlock check
 * reads owners under graph_lock, and a thread's own owner store precedes
 * (in its program order) any wait it registers there, which is what the
 * check relies on. */
static LispObj owner_of(LispObj mutex) { return __atomic_load_n(&MTX(mutex)->owner, __ATOMIC_ACQUIRE); }

static void set_owner(LispObj mutex, LispObj thread) { obj_set(&MTX(mutex)->owner, thread); }

/* Under graph_lock: the cycle self would close by waiting for mutex, as
 * (threads . mutexes) lists in C arrays; 0 if none. */
static size_t find_cycle_locked(LispObj self, LispObj mutex, LispObj *threads, LispObj *mutexes, size_t cap) {
    size_t n = 0;
    for (LispObj m = mutex; m != NIL && n < cap; n++) {
        LispObj owner = owner_of(m);
        mutexes[n] = m;
        threads[n] = owner;
        if (owner == NIL) return 0;
        if (owner == self) return n + 1;
        m = waits_for_locked(owner);
    }
    return 0;
}

static _Noreturn void signal_deadlock(ThContext *tc, LispObj *threads, LispObj *mutexes, size_t n) {
    LispObj tl = lisp_list_from(tc, n, threads), ml = lisp_list_from(tc, n, mutexes);
    LispObj fn = sym_function(S(MT_DEADLOCK_FN));
    if (fn != LISP_UNBOUND) vm_funcall2(tc, fn, tl, ml);
    cond_error(tc, "deadlock: waiting for %v would never end (threads %v)", ml, tl);
}

/* Blocks until mutex is ours (true) or the deadline passes (false). */
/* Registers self as waiting for mutex, or signals DEADLOCK if that wait
 * would close a cycle. */
static void register_wait(ThContext *tc, LispObj self, LispObj mutex) {
    LispObj threads[64], mutexes[64];
    pthread_mutex_lock(&graph_lock);
    size_t n = find_cycle_locked(self, mutex, threads, mutexes, 64);
    if (n == 0 && graph_nwaits < MAX_WAITERS) {  /* past MAX_WAITERS a wait goes unchecked */
        graph_waits[graph_nwaits].thread = self;
        graph_waits[graph_nwaits++].mutex = mutex;
    }
    pthread_mutex_unlock(&graph_lock);
    if (n) signal_deadlock(tc, threads, mutexes, n);
}

static void unregister_wait(LispObj self) {
    pthread_mutex_lock(&graph_lock);
    remove_wait_locked(self);
    pthread_mutex_unlock(&graph_lock);
}

static bool wait_for_mutex(ThContext *tc, LispObj self, LispObj mutex, const struct timespec *deadline) {
    register_wait(tc, self, mutex);
    int rc;
    for (;;) {
        struct timespec slice = slice_end(deadline);
        th_enter_safe(tc);
        rc = pthread_mutex_timedlock(&MTX(mutex)->mutex, &slice);
        th_leave_safe(tc);
        if (rc != ETIMEDOUT || past(deadline)) break;
        if (interrupt_pending(tc)) {
            unregister_wait(self);
            th_poll(tc);  /* may unwind: nothing is held, no wait registered */
            register_wait(tc, self, mutex);
        }
    }
    if (rc == 0) set_owner(mutex, self);
    unregister_wait(self);
    return rc == 0;
}

static LispObj acquire(ThContext *tc, LispObj mutex, bool wait, LispObj timeout) {
    LispObj self = mt_current_thread(tc);
    LispMutex *m = MTX(mutex);
    if (owner_of(mutex) == self) {
        if (!m->recursive) cond_error(tc, "ACQUIRE-LOCK: %v is already held by this thread %v", mutex, self);
        m->depth++;
        return T;
    }
    if (pthread_mutex_trylock(&m->mutex) == 0) {
        set_owner(mutex, self);
        m->depth = 1;
        return T;
    }
    if (!wait) return NIL;
    struct timespec deadline;
    bool timed = timeout != NIL;
    if (timed) deadline = mt_deadline(tc, timeout, "ACQUIRE-LOCK");
    if (!wait_for_mutex(tc, self, mutex, timed ? &deadline : NULL)) return NIL;
    m->depth = 1;
    return T;
}

static LispObj mt_acquire_lock(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj mutex = mutex_arg(tc, args[0]);
    /* (acquire-lock lock &optional (wait-p t)) or with keywords :wait-p :timeout */
    LispObj wait = T, timeout = NIL;
    if (nargs == 2) {
        wait = args[1];
    } else if (nargs > 2) {
        LispObj keys[] = {kw(tc, "WAIT-P"), kw(tc, "TIMEOUT")}, vals[2];
        bi_parse_keys(tc, "ACQUIRE-LOCK", nargs, args, 1, keys, 2, vals);
        wait = bi_or(vals[0], T);
        timeout = bi_or(vals[1], NIL);
    }
    return acquire(tc, mutex, wait != NIL, timeout);
}

static void release(ThContext *tc, LispObj mutex) {
    LispObj self = mt_current_thread(tc);
    if (owner_of(mutex) != self)
        cond_error(tc, "RELEASE-LOCK: %v is not held by this thread %v", mutex, self);
    LispMutex *m = MTX(mutex);
    if (--m->depth > 0) return;
    set_owner(mutex, NIL);
    pthread_mutex_unlock(&m->mutex);
}

static LispObj mt_release_lock(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    release(tc, mutex_arg(tc, args[0]));
    return NIL;
}

static LispObj mt_lock_owner(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    return owner_of(mutex_arg(tc, args[0]));
}

LispObj mt_lock_owner_of(LispObj mutex) { return owner_of(mutex); }

static LispObj mt_lock_name(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    return MTX(mutex_arg(tc, args[0]))->name;
}

static LispObj mt_lockp(ThContext *tc, size_t nargs, LispObj *args) {
    (void)tc, (void)nargs;
    return kind_p(args[0], KIND_MUTEX) ? T : NIL;
}

/* ---- condition variables ---- */

static LispObj mt_make_condition_variable(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj name = NIL;
    if (nargs > 0) {
        LispObj keys[] = {kw(tc, "NAME")}, vals[1];
        bi_parse_keys(tc, "MAKE-CONDITION-VARIABLE", nargs, args, 0, keys, 1, vals);
        if (bi_supplied_p(vals[0]) && vals[0] != NIL) name = arg_string_designator(tc, vals[0]);
    }
    LispObj x = obj_alloc(tc, KIND_WAITQUEUE, MT_NWORDS(LispWaitqueue));
    gc_init_store(&WQ(x)->name, name);
    pthread_cond_init(&WQ(x)->cond, NULL);
    return x;
}

static LispObj waitqueue_arg(ThContext *tc, LispObj x) {
    if (!kind_p(x, KIND_WAITQUEUE)) cond_type_error(tc, x, S(MT_WAITQUEUE));
    return x;
}

/* (condition-wait cv lock &key timeout): the lock is released while waiting
 * and held again on return; NIL when the timeout passed. */
static LispObj mt_condition_wait(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj cv = waitqueue_arg(tc, args[0]), mutex = mutex_arg(tc, args[1]);
    LispObj keys[] = {kw(tc, "TIMEOUT")}, vals[1];
    bi_parse_keys(tc, "CONDITION-WAIT", nargs, args, 2, keys, 1, vals);
    LispObj self = mt_current_thread(tc);
    if (owner_of(mutex) != self) cond_error(tc, "CONDITION-WAIT: %v is not held by this thread", mutex);
    bool timed = bi_supplied_p(vals[0]) && vals[0] != NIL;
    struct timespec deadline = timed ? mt_deadline(tc, vals[0], "CONDITION-WAIT") : (struct timespec){0};
    LispMutex *m = MTX(mutex);
    int64_t depth = m->depth;
    int rc;
    for (;;) {
        struct timespec slice = slice_end(timed ? &deadline : NULL);
        set_owner(mutex, NIL);
        th_enter_safe(tc);
        rc = pthread_cond_timedwait(&WQ(cv)->cond, &m->mutex, &slice);
        th_leave_safe(tc);
        /* now: the mutex is held again */
        set_owner(mutex, self);
        m->depth = depth;
        if (rc != ETIMEDOUT || (timed && past(&deadline))) break;
        if (interrupt_pending(tc)) th_poll(tc);  /* holding the lock as the caller's code would */
    }
    return rc == ETIMEDOUT ? NIL : T;
}

static LispObj mt_condition_notify(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    pthread_cond_signal(&WQ(waitqueue_arg(tc, args[0]))->cond);
    return NIL;
}

static LispObj mt_condition_broadcast(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    pthread_cond_broadcast(&WQ(waitqueue_arg(tc, args[0]))->cond);
    return NIL;
}

/* ---- semaphores ---- */

static LispObj mt_make_semaphore(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj keys[] = {kw(tc, "NAME"), kw(tc, "COUNT")}, vals[2];
    bi_parse_keys(tc, "MAKE-SEMAPHORE", nargs, args, 0, keys, 2, vals);
    LispObj count = bi_or(vals[1], fx_make(0));
    if (!fx_p(count) || fx_value(count) < 0) cond_type_error(tc, count, S(UNSIGNED_BYTE));
    LispObj name = bi_supplied_p(vals[0]) && vals[0] != NIL ? arg_string_designator(tc, vals[0]) : NIL;
    LispObj x = obj_alloc(tc, KIND_SEMAPHORE, MT_NWORDS(LispSemaphore));
    LispSemaphore *s = SEM(x);
    gc_init_store(&s->name, name);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    s->count = fx_value(count);
    return x;
}

static LispObj semaphore_arg(ThContext *tc, LispObj x) {
    if (!kind_p(x, KIND_SEMAPHORE)) cond_type_error(tc, x, S(MT_SEMAPHORE));
    return x;
}

static LispObj mt_signal_semaphore(ThContext *tc, size_t nargs, LispObj *args) {
    LispSemaphore *s = SEM(semaphore_arg(tc, args[0]));
    LispObj n = nargs > 1 ? args[1] : fx_make(1);
    if (!fx_p(n) || fx_value(n) < 1) cond_type_error(tc, n, lisp_list(tc, 2, S(INTEGER), fx_make(1)));
    th_mutex_lock(tc, &s->lock);
    s->count += fx_value(n);
    if (fx_value(n) == 1) pthread_cond_signal(&s->cond);
    else pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    return NIL;
}

/* (wait-on-semaphore sem &key timeout): T once the count was decremented,
 * NIL if the timeout passed first. */
static LispObj mt_wait_on_semaphore(ThContext *tc, size_t nargs, LispObj *args) {
    LispSemaphore *s = SEM(semaphore_arg(tc, args[0]));
    LispObj keys[] = {kw(tc, "TIMEOUT")}, vals[1];
    bi_parse_keys(tc, "WAIT-ON-SEMAPHORE", nargs, args, 1, keys, 1, vals);
    bool timed = bi_supplied_p(vals[0]) && vals[0] != NIL;
    struct timespec deadline = timed ? mt_deadline(tc, vals[0], "WAIT-ON-SEMAPHORE") : (struct timespec){0};
    th_mutex_lock(tc, &s->lock);
    while (s->count == 0 && !(timed && past(&deadline))) {
        struct timespec slice = slice_end(timed ? &deadline : NULL);
        s->waiters++;
        th_enter_safe(tc);
        pthread_cond_timedwait(&s->cond, &s->lock, &slice);
        th_leave_safe(tc);
        s->waiters--;
        if (s->count == 0 && interrupt_pending(tc)) {
            pthread_mutex_unlock(&s->lock);  /* the interrupt may signal this semaphore, or unwind */
            th_poll(tc);
            th_mutex_lock(tc, &s->lock);
        }
    }
    bool got = s->count > 0;
    if (got) s->count--;
    pthread_mutex_unlock(&s->lock);
    return got ? T : NIL;
}

int64_t mt_semaphore_count_of(ThContext *tc, LispObj semaphore) {
    LispSemaphore *s = SEM(semaphore);
    th_mutex_lock(tc, &s->lock);
    int64_t n = s->count;
    pthread_mutex_unlock(&s->lock);
    return n;
}

static LispObj mt_semaphore_count(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    return fx_make(mt_semaphore_count_of(tc, semaphore_arg(tc, args[0])));
}

/* ---- atomic operations on heap slots ---- */

/* The word a (place-kind object index) triple names; type-checked. */
static GcWord *atomic_slot(ThContext *tc, LispObj kind, LispObj object, LispObj index) {
    if (kind == S(CAR) || kind == S(CDR)) {
        if (!cons_p(object)) cond_type_error(tc, object, S(CONS));
        return kind == S(CAR) ? &cons_ptr(object)->car : &cons_ptr(object)->cdr;
    }
    if (kind == S(MT_SVREF)) {
        if (!vector_p(object)) cond_type_error(tc, object, S(SIMPLE_VECTOR));
        return &VEC(object)->items[arg_index(tc, index, vec_length(object))];
    }
    if (kind == S(MT_SYMBOL_VALUE)) {
        if (!symbol_p(object)) cond_type_error(tc, object, S(SYMBOL));
        return sym_value_slot(tc, object);
    }
    if (kind == S(MT_STRUCTURE_SLOT)) {
        if (!kind_p(object, KIND_INSTANCE) || condition_p(object)) cond_type_error(tc, object, S(TY_STRUCTURE_OBJECT));
        return &obj_words(object)[2 + arg_index(tc, index, lisp_structure_slot_count(object))];  /* [layout][slots] */
    }
    cond_error(tc, "COMPARE-AND-SWAP: %v is not a place kind (CAR CDR SVREF SYMBOL-VALUE or a structure slot)", kind);
}

/* (%cas kind object index old new) → the value that was there (old on success). */
static LispObj sys_cas(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    GcWord *slot = atomic_slot(tc, args[0], args[1], args[2]);
    GcWord expected = args[3];
    gc_cas(slot, &expected, args[4]);
    return (LispObj)expected;
}

/* (%atomic-read kind object index): the place's value, read atomically. */
static LispObj sys_atomic_read(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    return __atomic_load_n(atomic_slot(tc, args[0], args[1], args[2]), __ATOMIC_ACQUIRE);
}

/* (%atomic-add kind object index delta) → the old value; the place must
 * hold a fixnum and the sum must be one. */
static LispObj sys_atomic_add(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    GcWord *slot = atomic_slot(tc, args[0], args[1], args[2]);
    LispObj delta = args[3];
    if (!fx_p(delta)) cond_type_error(tc, delta, S(FIXNUM));
    GcWord old = __atomic_load_n(slot, __ATOMIC_RELAXED);
    for (;;) {
        if (!fx_p(old)) cond_type_error(tc, old, S(FIXNUM));
        int64_t sum;
        if (__builtin_add_overflow(fx_value(old), fx_value(delta), &sum) || !fx_in_range(sum))
            cond_error_of_type(tc, S(ARITHMETIC_ERROR), "ATOMIC-INCF: %v + %v is not a fixnum", old, delta);
        if (gc_cas(slot, &old, fx_make(sum))) return old;
    }
}

const BuiltinSpec builtins_sync[] = {
    {"MAKE-LOCK", "THR", mt_make_lock, 0, 1, "&optional name", "A new mutex (not recursive)."},
    {"MAKE-RECURSIVE-LOCK", "THR", mt_make_recursive_lock, 0, 1, "&optional name",
     "A new mutex the owning thread may acquire again."},
    {"ACQUIRE-LOCK", "THR", mt_acquire_lock, 1, BUILTIN_REST, "lock &optional (wait-p t) | &key wait-p timeout",
     "Acquires LOCK, waiting unless WAIT-P is false; NIL if not acquired (no wait, or TIMEOUT seconds "
     "passed).  A wait that would never end (a cycle of threads waiting for each other's locks) "
     "signals DEADLOCK instead."},
    {"RELEASE-LOCK", "THR", mt_release_lock, 1, 1, "lock", "Releases LOCK, which this thread holds."},
    {"LOCK-OWNER", "THR", mt_lock_owner, 1, 1, "lock", "The thread holding LOCK, or NIL."},
    {"LOCK-NAME", "THR", mt_lock_name, 1, 1, "lock", "LOCK's name, or NIL."},
    {"LOCKP", "THR", mt_lockp, 1, 1, "object", "True if OBJECT is a lock."},
    {"MAKE-CONDITION-VARIABLE", "THR", mt_make_condition_variable, 0, 2, "&key name",
     "A new condition variable."},
    {"CONDITION-WAIT", "THR", mt_condition_wait, 2, BUILTIN_REST, "condition-variable lock &key timeout",
     "Releases LOCK, waits for a notification (or TIMEOUT seconds: then NIL) and reacquires LOCK."},
    {"CONDITION-NOTIFY", "THR", mt_condition_notify, 1, 1, "condition-variable",
     "Wakes one thread waiting on CONDITION-VARIABLE."},
    {"CONDITION-BROADCAST", "THR", mt_condition_broadcast, 1, 1, "condition-variable",
     "Wakes every thread waiting on CONDITION-VARIABLE."},
    {"MAKE-SEMAPHORE", "THR", mt_make_semaphore, 0, 4, "&key name (count 0)", "A new counting semaphore."},
    {"SIGNAL-SEMAPHORE", "THR", mt_signal_semaphore, 1, 2, "semaphore &optional (n 1)",
     "Adds N to the count, waking waiters."},
    {"WAIT-ON-SEMAPHORE", "THR", mt_wait_on_semaphore, 1, 3, "semaphore &key timeout",
     "Waits until the count is positive and decrements it: T; NIL if TIMEOUT seconds passed first."},
    {"SEMAPHORE-COUNT", "THR", mt_semaphore_count, 1, 1, "semaphore", "The current count."},
    {"%CAS", "SYS", sys_cas, 5, 5, "kind object index old new", "Atomic compare-and-swap of a place."},
    {"%ATOMIC-READ", "SYS", sys_atomic_read, 3, 3, "kind object index", "A place's value, read atomically."},
    {"%ATOMIC-ADD", "SYS", sys_atomic_add, 4, 4, "kind object index delta",
     "Atomically adds DELTA to the fixnum in a place; returns the old value."},
    {0},
};
