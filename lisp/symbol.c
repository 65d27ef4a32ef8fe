/* lisp/symbol.c — symbol values and dynamic binding (DESIGN "Threads").
 *
 * A symbol has a global value cell shared by all threads.  The first time it
 * is bound dynamically it gets a thread-local slot index (allocated once,
 * atomically, never reused); each thread's binding vector holds its current
 * binding or LISP_NO_BINDING, and the binding stack records old values so
 * unwinding restores them.  The binding vector grows: no fixed cap. */
#include "lisp/lisp.h"

#include <stdatomic.h>

void sym_set_flag(LispObj s, unsigned f) { __atomic_fetch_or(&SYM(s)->flags, fx_make(f), __ATOMIC_SEQ_CST); }

void sym_clear_flag(LispObj s, unsigned f) {
    __atomic_fetch_and(&SYM(s)->flags, ~fx_make(f), __ATOMIC_SEQ_CST);
}

bool sym_keyword_p(LispObj x) { return symbol_p(x) && SYM(x)->package == pkg_keyword; }

/* The slot holding x's current value in this thread: a binding or the global
 * cell.  tls_index and the global cell are shared: read atomically (relaxed;
 * a plain move on x86-64), since other threads may set them at any time. */
static inline LispObj *value_slot(ThContext *tc, LispObj s) {
    uint64_t i = (uint64_t)fx_value(__atomic_load_n(&SYM(s)->tls_index, __ATOMIC_RELAXED));
    if (i && i < tc->tls_capacity && tc->tls_values[i] != LISP_NO_BINDING) return &tc->tls_values[i];
    return &SYM(s)->value;
}

static inline LispObj read_slot(LispObj *slot) { return __atomic_load_n(slot, __ATOMIC_RELAXED); }

LispObj sym_value(ThContext *tc, LispObj s) { return read_slot(value_slot(tc, s)); }

LispObj *sym_value_slot(ThContext *tc, LispObj s) { return value_slot(tc, s); }

LispObj sym_value_checked(ThContext *tc, LispObj s) {
    LispObj v = read_slot(value_slot(tc, s));
    if (v == LISP_UNBOUND) v = cond_unbound_variable(tc, s);
    return v;
}

void sym_set_value(ThContext *tc, LispObj s, LispObj v) {
    LispObj *slot = value_slot(tc, s);
    if (slot == &SYM(s)->value) obj_set(slot, v);
    else *slot = v; /* the binding vector is not heap: scanned as a root */
}

/* Gives s a thread-local slot index the first time it is bound.  Two threads
 * racing here both try a CAS from 0; the loser uses the winner's index. */
static uint64_t tls_index_of(LispObj s) {
    _Atomic LispObj *cell = (_Atomic LispObj *)&SYM(s)->tls_index;
    LispObj cur = atomic_load_explicit(cell, memory_order_acquire);
    if (cur != fx_make(0)) return (uint64_t)fx_value(cur);
    LispObj fresh = fx_make((int64_t)th_new_tls_index());
    /* A fixnum store needs no barrier entry: fixnums are not references. */
    if (atomic_compare_exchange_strong_explicit(cell, &cur, fresh, memory_order_acq_rel,
                                                memory_order_acquire))
        return (uint64_t)fx_value(fresh);
    return (uint64_t)fx_value(cur);
}

void sym_bind(ThContext *tc, LispObj s, LispObj v) {
    uint64_t i = tls_index_of(s);
    th_ensure_tls(tc, i, LISP_NO_BINDING);
    th_push_binding(tc, i, tc->tls_values[i]);
    tc->tls_values[i] = v;
}

void sym_unbind_to(ThContext *tc, size_t top) {
    while (tc->bind_top > top) {
        ThBinding *b = &tc->bind_stack[--tc->bind_top];
        tc->tls_values[b->tls_index] = b->old_value;
    }
}

LispObj sym_gensym(ThContext *tc, const char *prefix) {
    LispObj counter = sym_value(tc, S(STAR_GENSYM_COUNTER));
    int64_t n = fx_p(counter) ? fx_value(counter) : 0;
    char buf[64];
    snprintf(buf, sizeof buf, "%s%ld", prefix, (long)n);
    sym_set_value(tc, S(STAR_GENSYM_COUNTER), fx_make(n + 1));
    return sym_make(tc, str_from_cstr(tc, buf));
}
