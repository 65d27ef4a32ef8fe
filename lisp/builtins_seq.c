/* lisp/builtins_seq.c — SORT and STABLE-SORT (CLHS 17.3) over lists,
 * every kind of vector.  The rest of chapter 17's dictionary that is
 * not in builtins_vector.c lives in src/sequences.lisp; sorting is here
 * because it runs the predicate O(n log n) times and the loop around it
 * should cost nothing.
 *
 * Both operators are one stable merge sort, so SORT is stable too:
 *  - a list is sorted by relinking its conses (top-down, depth log2 n); the
 *    CARs never change, as CLHS permits either and relinking allocates
 *    nothing;
 *  - a vector or string is copied into a scratch simple vector, merged
 *    bottom-up between two scratch vectors, and written back, so the
 *    argument is sorted in place and is the value returned.
 * Stability: on equal keys the merge takes from the left run, i.e. an
 * element of the right run goes first only if (predicate right left).
 *
 * Invariants: the predicate and key may run arbitrary Lisp (and a
 * collection), so every detached cons chain and both scratch vectors are
 * held in C locals, which the collector scans conservatively; the
 * collector does not move objects, so no pointer goes stale.  Stores into
 * the scratch vectors and conses go through obj_set / cons_set_cdr.  A
 * non-local exit from the predicate leaves a list argument in some
 * permutation of partial chains, as CLHS allows ("the consequences are
 * undefined"), and a vector argument untouched.
 * No state of its own. */
#include "lisp/lisp.h"
#include "lisp/builtins_impl.h"
#include "lisp/array_impl.h"

typedef struct Sorter {
    LispObj pred; /* function designator: (pred a b) true means a goes first */
    LispObj key;  /* function designator or NIL (identity) */
} Sorter;

/* True if x must precede y: (pred (key x) (key y)). */
static bool before(ThContext *tc, const Sorter *s, LispObj x, LispObj y) {
    if (s->key != NIL) {
        x = vm_funcall1(tc, s->key, x);
        y = vm_funcall1(tc, s->key, y);
    }
    return vm_funcall2(tc, s->pred, x, y) != NIL;
}

/* ---------------------------------------------------------------- lists */

/* Merges two NIL-terminated sorted chains by relinking; a wins ties. */
static LispObj merge_chains(ThContext *tc, const Sorter *s, LispObj a, LispObj b) {
    LispObj head = NIL, tail = NIL;
    while (a != NIL && b != NIL) {
        LispObj take;
        if (before(tc, s, CAR(b), CAR(a))) {
            take = b;
            b = CDR(b);
        } else {
            take = a;
            a = CDR(a);
        }
        if (tail == NIL) head = take;
        else cons_set_cdr(tail, take);
        tail = take;
    }
    LispObj rest = a != NIL ? a : b;
    if (tail == NIL) return rest;
    cons_set_cdr(tail, rest);
    return head;
}

/* Sorts the n (>= 1) conses from *cursor on, leaving *cursor at the cons
 * after them; returns the sorted chain, NIL-terminated. */
static LispObj sort_chain(ThContext *tc, const Sorter *s, LispObj *cursor, size_t n) {
    if (n == 1) {
        LispObj c = *cursor;
        *cursor = CDR(c);
        cons_set_cdr(c, NIL);
        return c;
    }
    LispObj a = sort_chain(tc, s, cursor, n / 2);
    LispObj b = sort_chain(tc, s, cursor, n - n / 2);
    return merge_chains(tc, s, a, b);
}

/* ---------------------------------------------------------------- vectors */

/* Merges src[lo,mid) and src[mid,hi) into dst[lo,hi); the left run wins ties. */
static void merge_runs(ThContext *tc, const Sorter *s, LispObj src, LispObj dst, size_t lo,
                       size_t mid, size_t hi) {
    size_t i = lo, j = mid, k = lo;
    while (i < mid && j < hi) {
        LispObj x = VEC(src)->items[i], y = VEC(src)->items[j];
        if (before(tc, s, y, x)) {
            obj_set(&VEC(dst)->items[k++], y);
            j++;
        } else {
            obj_set(&VEC(dst)->items[k++], x);
            i++;
        }
    }
    while (i < mid) obj_set(&VEC(dst)->items[k++], VEC(src)->items[i++]);
    while (j < hi) obj_set(&VEC(dst)->items[k++], VEC(src)->items[j++]);
}

/* Sorts the n elements of scratch vector a, using scratch b; returns
 * whichever of the two holds the result. */
static LispObj sort_scratch(ThContext *tc, const Sorter *s, LispObj a, LispObj b, size_t n) {
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = mid + width < n ? mid + width : n;
            merge_runs(tc, s, a, b, lo, mid, hi);
        }
        LispObj t = a;
        a = b;
        b = t;
    }
    return a;
}

/* Sorts the n active elements of any vector in place. */
static void sort_vector(ThContext *tc, const Sorter *s, LispObj seq, size_t n) {
    LispObj a = vec_make(tc, n, NIL);
    LispObj b = vec_make(tc, n, NIL);
    for (size_t i = 0; i < n; i++) obj_set(&VEC(a)->items[i], arr_row_ref(tc, seq, i));
    LispObj r = sort_scratch(tc, s, a, b, n);
    for (size_t i = 0; i < n; i++) arr_row_set(tc, seq, i, VEC(r)->items[i]);
}

/* ---------------------------------------------------------------- SORT, STABLE-SORT */

static LispObj sort_common(ThContext *tc, const char *op, size_t nargs, LispObj *args) {
    LispObj seq = args[0];
    LispObj keys[1] = {S(KEY_KW)}, v[1];
    bi_parse_keys(tc, op, nargs, args, 2, keys, 1, v);
    Sorter s = {args[1], bi_or(v[0], NIL)};
    size_t n = bi_seq_length(tc, seq); /* type-error for non-sequences and dotted lists */
    if (n < 2) return seq;
    if (list_p(seq)) {
        LispObj cursor = seq;
        return sort_chain(tc, &s, &cursor, n);
    }
    sort_vector(tc, &s, seq, n);
    return seq;
}

static LispObj cl_sort(ThContext *tc, size_t nargs, LispObj *args) {
    return sort_common(tc, "SORT", nargs, args);
}

static LispObj cl_stable_sort(ThContext *tc, size_t nargs, LispObj *args) {
    return sort_common(tc, "STABLE-SORT", nargs, args);
}

extern const BuiltinSpec builtins_seq[]; /* registered by builtins_vm.c's TABLES */
const BuiltinSpec builtins_seq[] = {
    {"SORT", "CL", cl_sort, 2, BUILTIN_REST, "sequence predicate &key key",
     "SEQUENCE sorted by PREDICATE on the KEY of each element (destructively; stable here)."},
    {"STABLE-SORT", "CL", cl_stable_sort, 2, BUILTIN_REST, "sequence predicate &key key",
     "SEQUENCE sorted stably by PREDICATE on the KEY of each element (destructively)."},
    {0},
};
