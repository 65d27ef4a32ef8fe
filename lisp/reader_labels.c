/* lisp/reader_labels.c — #n= and #n# (CLHS 2.4.8.15-16): labelled objects
 * and references to them, so circular and shared structure read back.
 *
 * The labels of one outermost read live in RdState.labels, an alist
 * (n . value).  While #n= reads its object, the label's value is a unique
 * placeholder; references read inside get the placeholder, and once the
 * object is complete every placeholder inside it is replaced by the object
 * (in conses and simple vectors).  The walk keeps a set of visited objects,
 * because an inner labelled object may already be circular; it allocates no
 * Lisp objects, so nothing can signal (and longjmp past the C memory) while
 * it runs. */
#include "lisp/reader_impl.h"

#include <stdlib.h>

typedef struct AddrSet { uintptr_t *slots; size_t cap, count; } AddrSet;

static bool addr_set_add(AddrSet *s, uintptr_t a) {  /* false if present */
    if (s->count * 2 >= s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        uintptr_t *old = s->slots, *slots = calloc(cap, sizeof *slots);
        if (!slots) pt_fatal("out of memory reading #n= labels");
        for (size_t i = 0; i < s->cap; i++) {
            if (!old[i]) continue;
            size_t j = (old[i] >> 4) & (cap - 1);
            while (slots[j]) j = (j + 1) & (cap - 1);
            slots[j] = old[i];
        }
        free(old);
        s->slots = slots;
        s->cap = cap;
    }
    size_t j = (a >> 4) & (s->cap - 1);
    for (; s->slots[j]; j = (j + 1) & (s->cap - 1))
        if (s->slots[j] == a) return false;
    s->slots[j] = a;
    s->count++;
    return true;
}

typedef struct Walk { AddrSet seen; LispObj *stack; size_t top, cap; } Walk;

static void walk_push(Walk *w, LispObj x) {
    if (!(cons_p(x) || vector_p(x)) || !addr_set_add(&w->seen, (uintptr_t)x)) return;
    if (w->top == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 256;
        LispObj *s = realloc(w->stack, w->cap * sizeof *s);
        if (!s) pt_fatal("out of memory reading #n= labels");
        w->stack = s;
    }
    w->stack[w->top++] = x;
}

/* Replaces every placeholder inside value by value. */
static void substitute(LispObj value, LispObj placeholder) {
    Walk w = {{NULL, 0, 0}, NULL, 0, 0};
    walk_push(&w, value);
    while (w.top > 0) {
        LispObj x = w.stack[--w.top];
        if (cons_p(x)) {
            if (CAR(x) == placeholder) cons_set_car(x, value); else walk_push(&w, CAR(x));
            if (CDR(x) == placeholder) cons_set_cdr(x, value); else walk_push(&w, CDR(x));
        } else {
            for (size_t i = 0; i < vec_length(x); i++) {
                if (VEC(x)->items[i] == placeholder) obj_set(&VEC(x)->items[i], value);
                else walk_push(&w, VEC(x)->items[i]);
            }
        }
    }
    free(w.seen.slots);
    free(w.stack);
}

static LispObj label_entry(RdState *st, int64_t n) {
    for (LispObj l = st->labels; cons_p(l); l = CDR(l))
        if (CAR(CAR(l)) == fx_make(n)) return CAR(l);
    return NIL;
}

LispObj rd_sharp_equal(RdState *st, int32_t sub, int64_t arg) {
    if (rd_suppress_p(st)) return rd_read_required(st);
    if (arg < 0 || arg > FIXNUM_MAX) RD_ERROR(st, "#= needs a label number, as in #1=");
    if (label_entry(st, arg) != NIL) RD_ERROR(st, "the label #%ld= is defined twice", (long)arg);
    LispObj placeholder = lisp_cons(st->tc, S(QUOTE), NIL);  /* unique; never escapes */
    LispObj entry = lisp_cons(st->tc, fx_make(arg), placeholder);
    st->labels = lisp_cons(st->tc, entry, st->labels);
    LispObj value = rd_read_required(st);
    if (value == placeholder) RD_ERROR(st, "#%ld= labels only a reference to itself", (long)arg);
    cons_set_cdr(entry, value);
    substitute(value, placeholder);
    return value;
}

LispObj rd_sharp_sharp(RdState *st, int32_t sub, int64_t arg) {
    if (rd_suppress_p(st)) return NIL;
    if (arg < 0 || arg > FIXNUM_MAX) RD_ERROR(st, "## needs a label number, as in #1#");
    LispObj entry = label_entry(st, arg);
    if (entry == NIL) RD_ERROR(st, "#%ld# refers to a label not defined before it", (long)arg);
    return CDR(entry);
}
