/* lisp/builtins_threads.c — PETREL-THREADS: Lisp threads, one per OS thread
 * (DESIGN "Threads"): make-thread, join-thread, current-thread, all-threads,
 * thread-name, thread-alive-p, interrupt-thread, destroy-thread,
 * thread-yield.
 *
 * A thread object (LispThread, mt_impl.h) lives as long as someone refers to
 * it; while its thread runs, the thread's context refers to it
 * (ThContext.lisp_thread, a root).  Its status, values and error are written
 * by the thread under done_lock and read by joiners under done_lock.
 * The creator waits until the new thread has attached (and so made its
 * object a root) before it returns, so the object cannot be collected in
 * between.
 * A thread runs its function inside a catch of the top-level tag: the ABORT
 * restart and an unhandled error (the debugger is not interactive outside
 * the main thread's REPL) end it; the error is kept for JOIN-THREAD, which
 * signals JOIN-THREAD-ERROR.  QUIT in any thread exits the process. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1  /* pthread_getattr_np */
#endif
#include "lisp/mt_impl.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lisp/builtins_impl.h"
#include "threads/safepoint.h"

/* ---- thread objects ---- */

static LispObj thread_make(ThContext *tc, LispObj name, LispObj function, LispObj bindings) {
    LispObj x = obj_alloc(tc, KIND_THREAD, MT_NWORDS(LispThread));
    LispThread *t = THR(x);
    gc_init_store(&t->name, name);
    gc_init_store(&t->function, function);
    gc_init_store(&t->values, NIL);
    gc_init_store(&t->error, NIL);
    gc_init_store(&t->status, fx_make(MT_CREATED));
    gc_init_store(&t->bindings, bindings);
    pthread_mutex_init(&t->done_lock, NULL);
    pthread_cond_init(&t->done_cv, NULL);
    return x;
}

LispObj mt_current_thread(ThContext *tc) { return (LispObj)tc->lisp_thread; }

/* The main thread's object, made at startup (not saved in cores). */
void mt_init_main_thread(ThContext *tc) {
    LispObj t = thread_make(tc, str_from_cstr(tc, "main thread"), NIL, NIL);
    gc_init_store(&THR(t)->status, fx_make(MT_RUNNING));
    tc->lisp_thread = t;
}

static LispObj thread_arg(ThContext *tc, LispObj x) {
    if (!kind_p(x, KIND_THREAD)) cond_type_error(tc, x, S(MT_THREAD));
    return x;
}

static int64_t status_of(LispObj t) {
    pthread_mutex_lock(&THR(t)->done_lock);
    int64_t s = fx_value(THR(t)->status);
    pthread_mutex_unlock(&THR(t)->done_lock);
    return s;
}

/* ---- the new thread ---- */

typedef struct StartInfo {
    LispObj thread;          /* kept alive by the creator until attached */
    pthread_mutex_t lock;
    pthread_cond_t cv;
    bool attached;           /* guarded by lock */
    char name[64];
} StartInfo;

static LispObj run_function(ThContext *tc, void *data) {
    LispObj t = (LispObj)(uintptr_t)data;
    for (LispObj l = THR(t)->bindings; cons_p(l); l = CDR(l))
        if (cons_p(CAR(l)) && symbol_p(CAR(CAR(l)))) sym_bind(tc, CAR(CAR(l)), CDR(CAR(l)));
    size_t nargs = 0;
    LispObj argv[64];
    for (LispObj l = THR(t)->values; cons_p(l) && nargs < 64; l = CDR(l)) argv[nargs++] = CAR(l);
    LispObj primary = vm_funcall(tc, THR(t)->function, nargs, argv);
    size_t n = vm_nvalues(tc);
    if (n == 1) return lisp_cons(tc, primary, NIL);
    LispObj values = NIL;
    for (size_t i = n; i-- > 0;) values = lisp_cons(tc, vm_value(tc, i), values);
    return values;
}

static void report_death(ThContext *tc, LispObj t, LispObj condition) {
    char name[128], msg[2048], trace[4096];
    str_to_utf8(THR(t)->name, name, sizeof name);
    str_to_utf8(cond_report_string(tc, condition), msg, sizeof msg);
    LispObj bt = tc->vm->last_backtrace;
    if (string_p(bt)) str_to_utf8(bt, trace, sizeof trace);
    else trace[0] = 0;
    fprintf(stderr, "petrel: thread \"%s\" died of an unhandled %s: %s\n%s", name,
            symbol_p(CND(condition)->type) ? "error" : "condition", msg, trace);
    fflush(stderr);
}

static LispObj run_toplevel(ThContext *tc, void *data) {
    LispObj t = (LispObj)(uintptr_t)data;
    bool thrown;
    LispObj result = vm_catch_call(tc, S(TOPLEVEL_TAG), run_function, data, &thrown);
    int64_t status = MT_FINISHED;
    LispObj error = NIL;
    if (thrown && condition_p(result)) {
        status = MT_DIED;
        error = result;
        report_death(tc, t, result);
    } else if (thrown) {
        status = MT_ABORTED;
    }
    pthread_mutex_lock(&THR(t)->done_lock);
    obj_set(&THR(t)->values, thrown ? NIL : result);
    obj_set(&THR(t)->error, error);
    obj_set(&THR(t)->status, fx_make(status));
    pthread_cond_broadcast(&THR(t)->done_cv);
    pthread_mutex_unlock(&THR(t)->done_lock);
    return NIL;
}

static void *thread_main(void *arg) {
    StartInfo *si = arg;
    int stack_marker;
    char *name = strdup(si->name);  /* si lives on the creator's stack only until attached */
    ThContext *tc = th_attach_current(&stack_marker, name ? name : "thread");
    LispObj t = si->thread;
    tc->lisp_thread = t;
    pthread_mutex_lock(&si->lock);
    si->attached = true;
    pthread_cond_signal(&si->cv);
    pthread_mutex_unlock(&si->lock);
    /* now: t is a root of this context; si belongs to the creator */
    vm_init_thread(tc, THR(t)->stack_bytes);
    tc->vm->c_stack_limit = (char *)&stack_marker - (THR(t)->stack_bytes - THR(t)->stack_bytes / 8);
    bool quit;
    LispObj code = vm_catch_call(tc, S(QUIT_TAG), run_toplevel, (void *)(uintptr_t)t, &quit);
    if (quit) {
        fflush(stdout);
        fflush(stderr);
        exit(fx_p(code) ? (int)fx_value(code) : 0);
    }
    vm_free_thread(tc);
    th_detach_current();
    free(name);
    return NULL;
}

static LispObj kw(ThContext *tc, const char *name) { return pkg_intern_cstr(tc, name, pkg_keyword); }

static LispObj mt_make_thread(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj function = arg_function_designator(tc, args[0]);
    LispObj keys[] = {kw(tc, "NAME"), kw(tc, "INITIAL-BINDINGS"), kw(tc, "ARGUMENTS")}, vals[3];
    bi_parse_keys(tc, "MAKE-THREAD", nargs, args, 1, keys, 3, vals);
    LispObj name = bi_or(vals[0], NIL);
    if (name == NIL) name = str_from_cstr(tc, "anonymous");
    else name = arg_string_designator(tc, name);
    LispObj bindings = bi_or(vals[1], NIL);
    for (LispObj l = bindings; l != NIL; l = CDR(l))
        if (!cons_p(l) || !cons_p(CAR(l)) || !symbol_p(CAR(CAR(l))))
            cond_type_error(tc, bindings, S(LIST));
    LispObj arguments = bi_or(vals[2], NIL);
    if (!list_p(arguments)) cond_type_error(tc, arguments, S(LIST));
    if (arguments != NIL) lisp_list_length(tc, arguments);  /* a proper list, or an error now */
    LispObj t = thread_make(tc, name, function, bindings);
    gc_init_store(&THR(t)->values, arguments);  /* the arguments until it finishes (run_function) */
    THR(t)->stack_bytes = tc->vm->stack_end - tc->vm->stack < (1 << 20) ? (16u << 20)
                         : (size_t)(tc->vm->stack_end - tc->vm->stack) * sizeof(LispObj);
    StartInfo si = {.thread = t, .attached = false};
    str_to_utf8(name, si.name, sizeof si.name);
    pthread_mutex_init(&si.lock, NULL);
    pthread_cond_init(&si.cv, NULL);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, THR(t)->stack_bytes);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_mutex_lock(&THR(t)->done_lock);
    obj_set(&THR(t)->status, fx_make(MT_RUNNING));
    pthread_mutex_unlock(&THR(t)->done_lock);
    int rc = pthread_create(&THR(t)->handle, &attr, thread_main, &si);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        obj_set(&THR(t)->status, fx_make(MT_CREATED));
        cond_error(tc, "MAKE-THREAD: cannot create a thread: %s", strerror(rc));
    }
    /* t is on this C stack (a root) until the new thread has attached */
    th_enter_safe(tc);
    pthread_mutex_lock(&si.lock);
    while (!si.attached) pthread_cond_wait(&si.cv, &si.lock);
    pthread_mutex_unlock(&si.lock);
    th_leave_safe(tc);
    pthread_mutex_destroy(&si.lock);
    pthread_cond_destroy(&si.cv);
    return t;
}

/* ---- joining ---- */

static LispObj signal_join_error(ThContext *tc, LispObj t, LispObj reason) {
    LispObj fn = sym_function(S(MT_JOIN_ERROR_FN));
    if (fn == LISP_UNBOUND) cond_error(tc, "JOIN-THREAD: the thread %v did not finish normally", t);
    return vm_funcall2(tc, fn, t, reason);
}

static LispObj mt_join_thread(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj t = thread_arg(tc, args[0]);
    LispObj keys[] = {kw(tc, "DEFAULT"), kw(tc, "TIMEOUT")}, vals[2];
    bi_parse_keys(tc, "JOIN-THREAD", nargs, args, 1, keys, 2, vals);
    if (t == mt_current_thread(tc)) cond_error(tc, "JOIN-THREAD: a thread cannot join itself");
    bool timed = bi_supplied_p(vals[1]) && vals[1] != NIL;
    struct timespec deadline = timed ? mt_deadline(tc, vals[1], "JOIN-THREAD") : (struct timespec){0};
    LispThread *p = THR(t);
    bool timed_out = false;
    th_enter_safe(tc);
    pthread_mutex_lock(&p->done_lock);
    while (fx_value(p->status) == MT_RUNNING && !timed_out)
        timed_out = timed ? pthread_cond_timedwait(&p->done_cv, &p->done_lock, &deadline) == ETIMEDOUT
                          : (pthread_cond_wait(&p->done_cv, &p->done_lock), false);
    int64_t status = fx_value(p->status);
    pthread_mutex_unlock(&p->done_lock);
    th_leave_safe(tc);
    if (status == MT_FINISHED) {
        size_t n = 0;
        LispObj vals_out[64];
        for (LispObj l = p->values; cons_p(l) && n < 64; l = CDR(l)) vals_out[n++] = CAR(l);
        return vm_values(tc, n, vals_out);
    }
    if (bi_supplied_p(vals[0])) return vals[0];
    if (status == MT_CREATED) return signal_join_error(tc, t, kw(tc, "NOT-STARTED"));
    if (status == MT_RUNNING) return signal_join_error(tc, t, kw(tc, "TIMEOUT"));
    return signal_join_error(tc, t, status == MT_DIED ? p->error : kw(tc, "ABORTED"));
}

/* ---- queries ---- */

static LispObj mt_current_thread_fn(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs, (void)args;
    return mt_current_thread(tc);
}

typedef struct Collect { LispObj *items; size_t n, cap; } Collect;

/* A thread whose function has returned is not listed any more, although its
 * context stays attached a moment longer (JOIN-THREAD may have returned). */
static void collect_thread(ThContext *other, void *data) {
    Collect *c = data;
    LispObj t = (LispObj)other->lisp_thread;
    if (t && c->n < c->cap && __atomic_load_n(&THR(t)->status, __ATOMIC_ACQUIRE) == fx_make(MT_RUNNING))
        c->items[c->n++] = t;
}

static LispObj mt_all_threads(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs, (void)args;
    LispObj items[4096];
    Collect c = {items, 0, 4096};
    th_each_context(collect_thread, &c);  /* no allocation inside: the list is made after */
    LispObj list = NIL;
    for (size_t i = 0; i < c.n; i++) list = lisp_cons(tc, items[i], list);
    return list;
}

static LispObj mt_thread_name(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    return THR(thread_arg(tc, args[0]))->name;
}

static LispObj mt_thread_alive_p(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    return status_of(thread_arg(tc, args[0])) == MT_RUNNING ? T : NIL;
}

static LispObj mt_threadp(ThContext *tc, size_t nargs, LispObj *args) {
    (void)tc, (void)nargs;
    return kind_p(args[0], KIND_THREAD) ? T : NIL;
}

/* :created :running :finished :aborted :died */
static LispObj mt_thread_status(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    static const char *const names[] = {"CREATED", "RUNNING", "FINISHED", "ABORTED", "DIED"};
    return kw(tc, names[status_of(thread_arg(tc, args[0]))]);
}

static LispObj mt_thread_error(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    LispObj t = thread_arg(tc, args[0]);
    pthread_mutex_lock(&THR(t)->done_lock);
    LispObj e = THR(t)->error;
    pthread_mutex_unlock(&THR(t)->done_lock);
    return e;
}

static LispObj mt_thread_yield(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs, (void)args;
    th_poll(tc);
    sched_yield();
    return NIL;
}

/* CLHS sleep: in a safe region, so a sleeping thread never delays a pause;
 * an interrupt (interrupt-thread, destroy-thread) wakes it to run, then it
 * sleeps on until the deadline. */
static LispObj cl_sleep(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    struct timespec until = mt_deadline(tc, args[0], "SLEEP");
    while (th_sleep_until(tc, &until)) th_poll(tc);
    return NIL;
}

/* ---- backtraces of every thread ---- */

/* A snapshot taken with the world stopped goes into a vector allocated
 * before: per thread [thread state nframes] then per frame [function nargs
 * arg0..arg7]; frames innermost first, at most SNAP_FRAMES per thread. */
enum { SNAP_FRAMES = 40, SNAP_ARGS = 8, SNAP_FRAME_WORDS = 2 + SNAP_ARGS };

typedef struct Snapshot { LispObj vec; size_t pos, cap; } Snapshot;

static void snap_put(Snapshot *s, LispObj x) {
    if (s->pos < s->cap) obj_set(&VEC(s->vec)->items[s->pos], x);
    s->pos++;
}

static void snap_thread(ThContext *other, void *data) {
    Snapshot *s = data;
    VmState *vs = other->vm;
    if (!other->lisp_thread || !vs) return;
    size_t n = vs->nframes < SNAP_FRAMES ? vs->nframes : SNAP_FRAMES;
    if (s->pos + 3 + n * SNAP_FRAME_WORDS > s->cap) return;
    snap_put(s, (LispObj)other->lisp_thread);
    snap_put(s, fx_make(other->state));
    snap_put(s, fx_make((int64_t)n));
    for (size_t i = vs->nframes; i-- > vs->nframes - n;) {
        VmFrame *f = &vs->frames[i];
        snap_put(s, f->closure);
        snap_put(s, fx_make(f->nargs));
        for (size_t a = 0; a < SNAP_ARGS; a++) {
            LispObj v = a < f->nargs ? f->args[a] : NIL;
            if (kind_p(v, KIND_CELL)) v = ((LispCell *)obj_words(v))->value; /* a captured parameter */
            snap_put(s, marker_p(v) ? NIL : v);
        }
    }
}

static void snap_all(void *data) { th_each_context(snap_thread, data); }

static void count_context(ThContext *other, void *data) { (void)other, ++*(size_t *)data; }

/* (%thread-backtraces) → list of (thread state (name arg...) ...), every
 * thread's VM frames as they were at one instant, innermost first. */
static LispObj sys_thread_backtraces(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs, (void)args;
    size_t nthreads = 0;
    th_each_context(count_context, &nthreads);
    size_t cap = (nthreads + 8) * (3 + SNAP_FRAMES * SNAP_FRAME_WORDS);
    Snapshot s = {vec_make(tc, cap, NIL), 0, cap};
    gc_with_world_stopped(&tc->gc, snap_all, &s);
    static const char *const states[] = {"RUNNING", "SAFE", "PARKED"};
    LispObj result = NIL;
    for (size_t i = 0; i + 3 <= s.pos && i < cap;) {
        LispObj *w = &VEC(s.vec)->items[i];
        size_t n = (size_t)fx_value(w[2]);
        LispObj frames = NIL;
        for (size_t k = n; k-- > 0;) {
            LispObj *f = &w[3 + k * SNAP_FRAME_WORDS];
            size_t na = (size_t)fx_value(f[1]) < SNAP_ARGS ? (size_t)fx_value(f[1]) : SNAP_ARGS;
            LispObj call = lisp_list_from(tc, na, &f[2]);
            LispObj name = vm_function_name(f[0]);
            frames = lisp_cons(tc, lisp_cons(tc, name == NIL ? S(LAMBDA) : name, call), frames);
        }
        int64_t st = fx_value(w[1]);
        LispObj state = pkg_intern_cstr(tc, st >= 0 && st <= 2 ? states[st] : "?", pkg_keyword);
        result = lisp_cons(tc, lisp_cons(tc, w[0], lisp_cons(tc, state, frames)), result);
        i += 3 + n * SNAP_FRAME_WORDS;
    }
    return lisp_nreverse(result);
}

/* ---- printing ---- */

static void quoted_name(LispObj name, char *buf, size_t cap) {
    char raw[200];
    if (string_p(name)) str_to_utf8(name, raw, sizeof raw);
    snprintf(buf, cap, string_p(name) ? "\"%s\"" : "%s", string_p(name) ? raw : "(unnamed)");
}

LispObj mt_print_detail(ThContext *tc, LispObj x) {
    static const char *const states[] = {"CREATED", "RUNNING", "FINISHED", "ABORTED", "DIED"};
    char name[256], owner[256], out[600];
    switch (obj_kind(x)) {
    case KIND_THREAD:
        quoted_name(THR(x)->name, name, sizeof name);
        snprintf(out, sizeof out, "%s %s", name, states[status_of(x)]);
        break;
    case KIND_MUTEX: {
        LispObj o = mt_lock_owner_of(x);
        quoted_name(MTX(x)->name, name, sizeof name);
        if (o == NIL) snprintf(out, sizeof out, "%s free", name);
        else quoted_name(THR(o)->name, owner, sizeof owner), snprintf(out, sizeof out, "%s owner: %s", name, owner);
        break;
    }
    case KIND_WAITQUEUE: quoted_name(WQ(x)->name, out, sizeof out); break;
    case KIND_SEMAPHORE:
        quoted_name(SEM(x)->name, name, sizeof name);
        snprintf(out, sizeof out, "%s count: %lld", name, (long long)mt_semaphore_count_of(tc, x));
        break;
    default: return NIL;
    }
    return str_from_cstr(tc, out);
}

/* ---- interrupts ---- */

/* Runs in the interrupted thread at a safepoint, oldest request first. */
static void run_interrupts(ThContext *tc, GcWord functions) {
    LispObj list = lisp_nreverse((LispObj)functions);
    for (; cons_p(list); list = CDR(list)) vm_funcall0(tc, CAR(list));
}

void mt_init(void) { th_set_interrupt_runner(run_interrupts); }

static LispObj mt_interrupt_thread(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    LispObj t = thread_arg(tc, args[0]);
    LispObj fn = arg_function_designator(tc, args[1]);
    LispObj cell = lisp_cons(tc, fn, NIL);
    if (t == mt_current_thread(tc)) {
        vm_funcall0(tc, fn);
        return T;
    }
    if (!th_queue_interrupt(t, cell, NIL))
        cond_error(tc, "INTERRUPT-THREAD: the thread %v is not running", t);
    return T;
}

const BuiltinSpec builtins_threads[] = {
    {"MAKE-THREAD", "THR", mt_make_thread, 1, BUILTIN_REST, "function &key name initial-bindings arguments",
     "Runs FUNCTION (applied to ARGUMENTS, at most 64) in a new thread and returns the thread.  "
     "INITIAL-BINDINGS: an alist of (special-variable . value) bound in the new thread around FUNCTION."},
    {"JOIN-THREAD", "THR", mt_join_thread, 1, BUILTIN_REST, "thread &key default timeout",
     "Waits for THREAD to finish and returns its function's values.  If it did not finish normally "
     "(it died of an error, was aborted or destroyed, or TIMEOUT seconds passed), returns DEFAULT when "
     "given, else signals JOIN-THREAD-ERROR."},
    {"CURRENT-THREAD", "THR", mt_current_thread_fn, 0, 0, "", "The thread running this code."},
    {"ALL-THREADS", "THR", mt_all_threads, 0, 0, "", "A fresh list of the threads now running."},
    {"THREAD-NAME", "THR", mt_thread_name, 1, 1, "thread", "THREAD's name (a string)."},
    {"THREAD-ALIVE-P", "THR", mt_thread_alive_p, 1, 1, "thread", "True while THREAD runs."},
    {"THREADP", "THR", mt_threadp, 1, 1, "object", "True if OBJECT is a thread."},
    {"THREAD-STATUS", "THR", mt_thread_status, 1, 1, "thread",
     "One of :CREATED :RUNNING :FINISHED :ABORTED :DIED."},
    {"THREAD-ERROR", "THR", mt_thread_error, 1, 1, "thread",
     "The unhandled condition THREAD died of, or NIL."},
    {"SLEEP", "CL", cl_sleep, 1, 1, "seconds", "Waits SECONDS (a non-negative real) and returns NIL."},
    {"THREAD-YIELD", "THR", mt_thread_yield, 0, 0, "", "Lets other threads run."},
    {"%THREAD-BACKTRACES", "SYS", sys_thread_backtraces, 0, 0, "",
     "Every thread's frames at one instant: a list of (thread state frame...)."},
    {"INTERRUPT-THREAD", "THR", mt_interrupt_thread, 2, 2, "thread function",
     "Makes THREAD call FUNCTION (no arguments) at its next safepoint; THREAD then goes on."},
    {0},
};

/* ---- threads that C created (ffi/ callbacks) ---- */

/* The C stack below stack_base that Lisp may use: the thread's own stack
 * size from pthread, less a reserve for the C code above and the handlers. */
static char *foreign_stack_limit(void *stack_base) {
    pthread_attr_t attr;
    void *lo = NULL;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        pthread_attr_getstack(&attr, &lo, &size);
        pthread_attr_destroy(&attr);
    }
    if (!lo || size < (256u << 10)) return (char *)stack_base - (64u << 10);
    return (char *)lo + size / 8 + (32u << 10);
}

ThContext *lisp_attach_foreign_thread(void *stack_base) {
    ThContext *tc = th_attach_current(stack_base, "foreign thread");
    vm_init_thread(tc, 4u << 20);
    tc->vm->c_stack_limit = foreign_stack_limit(stack_base);
    LispObj t = thread_make(tc, str_from_cstr(tc, "foreign thread"), NIL, NIL);
    gc_init_store(&THR(t)->status, fx_make(MT_RUNNING));
    THR(t)->handle = pthread_self();
    tc->lisp_thread = t;
    return tc;
}

void lisp_detach_foreign_thread(ThContext *tc) {
    LispObj t = tc->lisp_thread;
    pthread_mutex_lock(&THR(t)->done_lock);
    obj_set(&THR(t)->status, fx_make(MT_FINISHED));
    pthread_cond_broadcast(&THR(t)->done_cv);
    pthread_mutex_unlock(&THR(t)->done_lock);
    vm_free_thread(tc);
    th_detach_current();
}
