/* threads/threads.h — the thread context and the stop-the-world protocol.
 * All per-thread runtime state lives in one ThContext; the only thread-local
 * variable is the pointer to it.  One Lisp thread per OS thread (DESIGN).
 *
 * Stop-the-world by safepoints (threads/world.c): a collecting thread asks
 * every other thread to stop; each one, at its next safepoint (th_poll: VM
 * calls and jumps, allocation slow paths), parks until the pause ends.  A
 * thread about to block (lock or condition wait, sleep, join, I/O, foreign
 * code) first enters a *safe* region: the collector does not wait for it and
 * scans its stack as it was on entry; leaving the region waits out a pause. */
#ifndef PETREL_THREADS_THREADS_H
#define PETREL_THREADS_THREADS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gc/gc.h"

struct VmState;  /* owned by lisp/: value stack, frames, multiple values */

/* Special bindings (DESIGN: per-thread binding vector indexed by the symbol's
 * thread-local slot index, and a binding stack to undo them). */
typedef struct ThBinding {
    uint64_t tls_index;  /* which slot */
    GcWord old_value;    /* value the slot had before (may be the no-binding marker) */
} ThBinding;

/* Where a thread is, for the stop-the-world protocol.  Guarded by the world
 * lock (world.c); each state says what the collector may assume:
 *   RUNNING  runs Lisp or runtime code: may touch the heap at any moment;
 *   SAFE     in a blocking call: touches no Lisp value until it leaves;
 *            stack scanned from gc.stopped_sp, registers from gc.saved_regs;
 *   PARKED   stopped at a safepoint for a pause: same scanning as SAFE. */
#define TH_STATE_LIST(X) X(RUNNING, "running") X(SAFE, "safe") X(PARKED, "parked")
typedef enum ThState {
#define TH_STATE_ENUM(e, s) TH_##e,
    TH_STATE_LIST(TH_STATE_ENUM)
#undef TH_STATE_ENUM
} ThState;
const char *th_state_name(int state);

/* Bits of ThContext.poll_request. */
enum { TH_POLL_STOP = 1, TH_POLL_INTERRUPT = 2 };

typedef struct ThContext {
    GcMutator gc;              /* first: allocation buffers, stack bounds (owner; collector in a pause) */
    GcWord *tls_values;        /* binding vector; owner only; scanned precisely in a pause */
    size_t tls_capacity;       /* slots in tls_values (grows; no fixed cap) */
    ThBinding *bind_stack;     /* owner only; old values scanned precisely */
    size_t bind_top, bind_capacity;
    struct VmState *vm;        /* the VM's per-thread state (lisp/); owner only */
    const char *name;          /* for diagnostics; set at attach, then read only */
    _Atomic int poll_request;  /* TH_POLL_* bits; set by other threads, cleared by the owner
                                  (relaxed: the world lock orders what follows) */
    int state;                 /* ThState; guarded by the world lock */
    GcWord lisp_thread;        /* the Lisp thread object or 0; written at attach (owner,
                                  before the thread runs Lisp); a root */
    GcWord interrupts;         /* Lisp list of functions to run at the next safepoint,
                                  oldest last; guarded by the world lock; a root */
    uint64_t serial;           /* 1, 2, ... in attach order; read only after attach */
    void *ffi_call;            /* ffi/: the innermost foreign call in progress (its FfiCall, on
                                  this thread's C stack), NULL outside one; owner only */
} ThContext;

/* The calling thread's context (thread-local). */
ThContext *th_current(void);
void th_set_current(ThContext *tc);

/* Creates the context of the calling thread and registers it with the
 * collector.  stack_base: an address in the caller's outermost frame.  The
 * context starts RUNNING (it waits out a pause in progress first). */
ThContext *th_attach_current(void *stack_base, const char *name);
/* Unregisters and frees the calling thread's context (its Lisp values are
 * no longer roots).  The thread must not touch the heap afterwards. */
void th_detach_current(void);

/* ---- stop-the-world (world.c) ---- */

/* Saves the callee-saved registers and the stack pointer into tc->gc, in
 * the caller's frame, so that everything the caller holds is scanned while
 * it is safe or parked.  Only through th_enter_safe and the poll slow path. */
#if defined(__x86_64__)
#define TH_SAVE_REGISTERS(m)                                                           \
    __asm__ volatile("movq %%rbx, 0(%0)\n\tmovq %%rbp, 8(%0)\n\tmovq %%r12, 16(%0)\n\t" \
                     "movq %%r13, 24(%0)\n\tmovq %%r14, 32(%0)\n\tmovq %%r15, 40(%0)\n\t" \
                     "leaq -128(%%rsp), %%rax\n\tmovq %%rax, 48(%0)"                   \
                     : : "r"((m)->saved_regs) : "rax", "memory")
#elif defined(__aarch64__)
#define TH_SAVE_REGISTERS(m)                                                             \
    __asm__ volatile("stp x19, x20, [%0, #0]\n\tstp x21, x22, [%0, #16]\n\t"            \
                     "stp x23, x24, [%0, #32]\n\tstp x25, x26, [%0, #48]\n\t"           \
                     "stp x27, x28, [%0, #64]\n\tstr x29, [%0, #80]\n\tmov x9, sp\n\t" \
                     "str x9, [%0, #88]"                                                 \
                     : : "r"((m)->saved_regs) : "x9", "memory")
#else
#error "TH_SAVE_REGISTERS: add the callee-saved registers of this architecture"
#endif

/* The saved stack pointer (last word TH_SAVE_REGISTERS wrote). */
static inline void *th_saved_sp(const GcMutator *m) {
#if defined(__x86_64__)
    return (void *)(uintptr_t)m->saved_regs[6];
#else
    return (void *)(uintptr_t)m->saved_regs[11];
#endif
}

void th_publish_safe(ThContext *tc);
/* Enter before a call that may block; touch no Lisp value until leaving.
 * Leaving waits while a pause is in progress.  Regions do not nest. */
static inline __attribute__((always_inline)) void th_enter_safe(ThContext *tc) {
    TH_SAVE_REGISTERS(&tc->gc);
    th_publish_safe(tc);
}
void th_leave_safe(ThContext *tc);

/* Locks m, which another thread may hold while it allocates or waits: if
 * m is busy, waits in a safe region so that a pause never waits for us. */
void th_mutex_lock(ThContext *tc, pthread_mutex_t *m);

/* Sleeps in a safe region until the CLOCK_REALTIME deadline, or until an
 * interrupt is queued for tc (true: the caller polls, then sleeps on). */
struct timespec;
bool th_sleep_until(ThContext *tc, const struct timespec *deadline);

/* The poll's slow path: parks for a pause, runs interrupts (th_poll). */
void th_poll_slow(ThContext *tc);

/* What lisp/ does at a safepoint for interrupt-thread: runs the functions
 * (a Lisp list) in the owner thread.  Registered once at startup. */
typedef void (*ThInterruptRunner)(ThContext *tc, GcWord functions);
void th_set_interrupt_runner(ThInterruptRunner fn);
/* Queues an interrupt for the thread whose lisp_thread is given: fresh_cons
 * is an unpublished cons whose car is the function; its cdr becomes the
 * pending list (empty: the list terminator lisp/ passes).  False if that
 * thread is not attached (any more). */
bool th_queue_interrupt(GcWord lisp_thread, GcWord fresh_cons, GcWord empty);

/* Precise roots of each context that lisp/ owns (the VM stacks). */
typedef void (*ThRootScanner)(GcMarker *mk, ThContext *tc);
void th_set_vm_root_scanner(ThRootScanner fn);

/* Calls fn(tc, data) for every attached context, holding the contexts lock
 * (fn must not allocate, block or attach/detach). */
void th_each_context(void (*fn)(ThContext *tc, void *data), void *data);

/* Grows tls_values to hold index (new slots get the no-binding marker). */
void th_ensure_tls(ThContext *tc, uint64_t index, GcWord no_binding);
/* Pushes/pops the binding stack (grows as needed). */
void th_push_binding(ThContext *tc, uint64_t index, GcWord old_value);

/* Global index allocation for thread-local slots: atomic counter. */
uint64_t th_new_tls_index(void);
/* Core images: the counter's value, and restoring it (before any thread). */
uint64_t th_tls_index_counter(void);
void th_tls_index_restore(uint64_t next);

/* Registers ThContext roots (binding vector and stack) with the collector. */
void th_init(void);

#endif
