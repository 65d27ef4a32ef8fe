/* threads/threads.h — the thread context.  All per-thread runtime state lives
 * in one ThContext; the only thread-local variable is the pointer to it.
 * In this issue only the main thread exists; the threads issue adds
 * make-thread, safepoints and stop-the-world over the same structure. */
#ifndef PETREL_THREADS_THREADS_H
#define PETREL_THREADS_THREADS_H

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

typedef struct ThContext {
    GcMutator gc;              /* allocation buffers and stack bounds (owner only) */
    GcWord *tls_values;        /* binding vector; owner only; scanned precisely */
    size_t tls_capacity;       /* slots in tls_values (grows; no fixed cap) */
    ThBinding *bind_stack;     /* owner only; old values scanned precisely */
    size_t bind_top, bind_capacity;
    struct VmState *vm;        /* the VM's per-thread state (lisp/) */
    const char *name;          /* for diagnostics */
} ThContext;

/* The calling thread's context (thread-local). */
ThContext *th_current(void);
void th_set_current(ThContext *tc);

/* Creates the context of the calling thread and registers it with the
 * collector.  stack_base: an address in the caller's outermost frame. */
ThContext *th_attach_current(void *stack_base, const char *name);
void th_detach_current(void);

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
