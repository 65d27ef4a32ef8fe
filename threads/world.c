/* threads/world.c — stop-the-world by safepoints, and safe regions.
 *
 * The protocol (states in threads.h):
 *   collector  gc_collect → may_block: SAFE; takes collect_lock; stop: sets
 *              pause_in_progress and every RUNNING thread's TH_POLL_STOP,
 *              then waits on world_changed until no other thread is RUNNING.
 *              now: every other thread is PARKED or SAFE, its stopped_sp
 *              and saved_regs describe everything it holds.  resume clears
 *              the flag and broadcasts; unblocked leaves the safe region.
 *   mutator    th_poll sees TH_POLL_STOP → th_poll_slow saves its registers,
 *              parks (PARKED) until the pause is over, then RUNNING.
 *              th_enter_safe saves registers, becomes SAFE; th_leave_safe
 *              waits out a pause, then RUNNING.
 * Invariant: while pause_in_progress, no thread other than the collector is
 * RUNNING after the collector's wait returns, and no thread becomes RUNNING
 * (leaving a region or a park waits for the flag to clear).
 * All of it under th_world_lock; the only lock-free part is the poll's
 * relaxed load of poll_request (a stale read delays a park to the next poll,
 * and the collector waits for that). */
#include "threads/threads_impl.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "gc/fatal.h"
#include "threads/safepoint.h"

static bool pause_in_progress;       /* guarded by th_world_lock */
static ThContext *pause_collector;   /* guarded by th_world_lock */
static ThInterruptRunner interrupt_runner;  /* written once at startup */

static const char *const state_names[] = {
#define TH_STATE_NAME(e, s) s,
    TH_STATE_LIST(TH_STATE_NAME)
#undef TH_STATE_NAME
};

const char *th_state_name(int state) {
    if (state < 0 || (size_t)state >= sizeof state_names / sizeof state_names[0]) return "?";
    return state_names[state];
}

static ThContext *context_of(GcMutator *m) { return (ThContext *)m; }  /* gc is the first member */

static bool others_running_locked(const ThContext *self) {
    for (ThLink *l = th_contexts; l; l = l->next)
        if (l->tc != self && l->tc->state == TH_RUNNING) return true;
    return false;
}

/* The watchdog (DESIGN "a watchdog can name a thread that holds up a
 * pause"): after PAUSE_WARN_NS it names the threads still running, once per
 * pause, on stderr; a long C loop without a safepoint is a bug to report. */
enum { PAUSE_WARN_NS = 1000000000 };

static void name_laggards_locked(const ThContext *self) {
    for (ThLink *l = th_contexts; l; l = l->next)
        if (l->tc != self && l->tc->state == TH_RUNNING)
            fprintf(stderr, "petrel: a collection has waited 1 s for thread \"%s\" to reach a safepoint\n",
                    l->tc->name ? l->tc->name : "?");
}

static void wait_for_others_locked(const ThContext *self) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += PAUSE_WARN_NS / 1000000000;
    bool warned = false;
    while (others_running_locked(self)) {
        if (warned) {
            pthread_cond_wait(&th_world_changed, &th_world_lock);
        } else if (pthread_cond_timedwait(&th_world_changed, &th_world_lock, &deadline) == ETIMEDOUT) {
            warned = true;
            name_laggards_locked(self);
        }
    }
}

static void stop_world(GcMutator *m) {
    ThContext *self = context_of(m);
    pthread_mutex_lock(&th_world_lock);
    PT_CHECK(!pause_in_progress, "a pause started while another is in progress");
    pause_in_progress = true;
    pause_collector = self;
    for (ThLink *l = th_contexts; l; l = l->next)
        if (l->tc != self) atomic_fetch_or_explicit(&l->tc->poll_request, TH_POLL_STOP, memory_order_relaxed);
    wait_for_others_locked(self);
    /* now: every other thread is PARKED or SAFE and stays so until resume */
    pthread_mutex_unlock(&th_world_lock);
}

static void resume_world(GcMutator *m) {
    (void)m;
    pthread_mutex_lock(&th_world_lock);
    pause_in_progress = false;
    pause_collector = NULL;
    for (ThLink *l = th_contexts; l; l = l->next)
        atomic_fetch_and_explicit(&l->tc->poll_request, ~TH_POLL_STOP, memory_order_relaxed);
    pthread_cond_broadcast(&th_world_changed);
    pthread_mutex_unlock(&th_world_lock);
}

void th_publish_safe(ThContext *tc) {
    pthread_mutex_lock(&th_world_lock);
    PT_ASSERT(tc->state == TH_RUNNING);
    tc->gc.stopped_sp = th_saved_sp(&tc->gc);
    tc->state = TH_SAFE;
    pthread_cond_broadcast(&th_world_changed);
    pthread_mutex_unlock(&th_world_lock);
}

void th_leave_safe(ThContext *tc) {
    pthread_mutex_lock(&th_world_lock);
    PT_ASSERT(tc->state == TH_SAFE);
    while (pause_in_progress && pause_collector != tc) pthread_cond_wait(&th_world_changed, &th_world_lock);
    tc->state = TH_RUNNING;
    tc->gc.stopped_sp = NULL;
    pthread_mutex_unlock(&th_world_lock);
}

/* Parks while a pause is in progress (the registers are saved by the caller). */
static void park_locked(ThContext *tc) {
    tc->gc.stopped_sp = th_saved_sp(&tc->gc);
    tc->state = TH_PARKED;
    pthread_cond_broadcast(&th_world_changed);
    while (pause_in_progress) pthread_cond_wait(&th_world_changed, &th_world_lock);
    tc->state = TH_RUNNING;
    tc->gc.stopped_sp = NULL;
}

__attribute__((noinline)) void th_poll_slow(ThContext *tc) {
    TH_SAVE_REGISTERS(&tc->gc);
    atomic_store_explicit(&tc->poll_request, 0, memory_order_relaxed);
    pthread_mutex_lock(&th_world_lock);
    if (pause_in_progress && pause_collector != tc) park_locked(tc);
    GcWord functions = tc->interrupts;
    tc->interrupts = 0;
    pthread_mutex_unlock(&th_world_lock);
    if (functions && interrupt_runner) interrupt_runner(tc, functions);
}

void th_set_interrupt_runner(ThInterruptRunner fn) { interrupt_runner = fn; }

bool th_sleep_until(ThContext *tc, const struct timespec *deadline) {
    th_enter_safe(tc);
    pthread_mutex_lock(&th_world_lock);
    bool interrupted = false;
    for (;;) {
        interrupted = tc->interrupts != 0;
        if (interrupted) break;
        if (pthread_cond_timedwait(&th_world_changed, &th_world_lock, deadline) == ETIMEDOUT) break;
    }
    pthread_mutex_unlock(&th_world_lock);
    th_leave_safe(tc);
    return interrupted;
}

bool th_queue_interrupt(GcWord lisp_thread, GcWord fresh_cons, GcWord empty) {
    pthread_mutex_lock(&th_world_lock);
    ThContext *target = NULL;
    for (ThLink *l = th_contexts; l && !target; l = l->next)
        if (l->tc->lisp_thread == lisp_thread) target = l->tc;
    if (target) {
        /* fresh_cons is unpublished: setting its cdr needs no barrier */
        ((GcWord *)(fresh_cons - GC_TAG_CONS))[1] = target->interrupts ? target->interrupts : empty;
        target->interrupts = fresh_cons;
        atomic_fetch_or_explicit(&target->poll_request, TH_POLL_INTERRUPT, memory_order_relaxed);
        pthread_cond_broadcast(&th_world_changed);  /* wakes it if it sleeps (th_sleep_until) */
    }
    pthread_mutex_unlock(&th_world_lock);
    return target != NULL;
}

void th_mutex_lock(ThContext *tc, pthread_mutex_t *m) {
    if (pthread_mutex_trylock(m) == 0) return;
    th_enter_safe(tc);
    pthread_mutex_lock(m);
    th_leave_safe(tc);
}

static GcMutator *current_mutator(void) { return &th_current()->gc; }
static void may_block(GcMutator *m) { th_enter_safe(context_of(m)); }
static void unblocked(GcMutator *m) { th_leave_safe(context_of(m)); }
static void poll(GcMutator *m) { th_poll(context_of(m)); }

void th_world_init(void) {
    static const GcWorldHooks hooks = {current_mutator, may_block, stop_world, resume_world, unblocked, poll};
    gc_set_world_hooks(&hooks);
}
