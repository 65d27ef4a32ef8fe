/* lisp/builtins_vector.c — one-dimensional arrays (CLHS chapter 15: simple
 * vectors of T, and strings through MAKE-ARRAY :element-type character) and
 * the basic sequence functions of chapter 17 over lists, strings and simple
 * vectors: ELT, FILL, COPY-SEQ, FIND/POSITION/COUNT and REMOVE/DELETE with
 * their -IF and -IF-NOT forms.
 *
 * Vectors of every kind (lisp/array_impl.h) are read and written through
 * the array layer; a fill pointer bounds the sequence.  MAKE-ARRAY, AREF
 * and the rest of chapter 15 are in builtins_array.c.
 * Invariants: indices are checked before access (type-error (INTEGER 0 (n)));
 * stores into vectors go through obj_set; a :test function may run
 * arbitrary Lisp, so nothing here holds a raw pointer into a heap object
 * across a call (the collector does not move objects, and every object in
 * use is referenced from a C local, which the collector scans).
 * No state of its own. */
#include "lisp/lisp.h"
#include "lisp/builtins_impl.h"
#include "lisp/array_impl.h"

/* ---------------------------------------------------------------- helpers */

/* Element i (< length) of a vector or proper list. */
static LispObj seq_ref(ThContext *tc, LispObj seq, size_t i) {
    if (vector_p(seq)) return VEC(seq)->items[i];
    if (!list_p(seq)) return arr_row_ref(tc, seq, i);
    while (i-- > 0) seq = CDR(seq);
    return CAR(seq);
}

/* Stores x at i (< length) of a vector or list (type-checked for vectors). */
static void seq_set(ThContext *tc, LispObj seq, size_t i, LispObj x) {
    if (!list_p(seq)) {
        arr_row_set(tc, seq, i, x);
        return;
    }
    while (i-- > 0) seq = CDR(seq);
    cons_set_car(seq, x);
}

static size_t index_arg(ThContext *tc, LispObj index, size_t len) {
    if (!fx_p(index) || fx_value(index) < 0 || (uint64_t)fx_value(index) >= len)
        bi_index_error(tc, index, len);
    return (size_t)fx_value(index);
}

/* ---------------------------------------------------------------- ELT */

static LispObj cl_elt(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj seq = args[0];
    return seq_ref(tc, seq, index_arg(tc, args[1], bi_seq_length(tc, seq)));
}

static LispObj sys_setelt(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj seq = args[0];
    seq_set(tc, seq, index_arg(tc, args[1], bi_seq_length(tc, seq)), args[2]);
    return args[2];
}

/* ---------------------------------------------------------------- FILL, COPY-SEQ */

static LispObj cl_fill(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj seq = args[0], item = args[1];
    LispObj keys[2] = {S(START_KW), S(END_KW)}, v[2];
    bi_parse_keys(tc, "FILL", nargs, args, 2, keys, 2, v);
    size_t s, e;
    bi_bounds(tc, v[0], v[1], bi_seq_length(tc, seq), &s, &e);
    if (vector_p(seq)) {
        for (size_t i = s; i < e; i++) obj_set(&VEC(seq)->items[i], item);
    } else if (!list_p(seq)) {
        for (size_t i = s; i < e; i++) arr_row_set(tc, seq, i, item);
    } else {
        LispObj l = seq;
        for (size_t i = 0; i < s; i++) l = CDR(l);
        for (size_t i = s; i < e; i++, l = CDR(l)) cons_set_car(l, item);
    }
    return seq;
}

static LispObj cl_copy_seq(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj seq = args[0];
    size_t n = bi_seq_length(tc, seq);
    if (!list_p(seq)) return arr_subseq(tc, seq, 0, n);
    LispObj head = NIL, tail = NIL;
    for (LispObj l = seq; cons_p(l); l = CDR(l)) {
        LispObj cell = lisp_cons(tc, CAR(l), NIL);
        if (tail == NIL) head = cell;
        else cons_set_cdr(tail, cell);
        tail = cell;
    }
    return head;
}

/* ---------------------------------------------------------------- searching */

enum SearchMode { BY_ITEM, BY_IF, BY_IF_NOT };
enum SearchWant { WANT_FIND, WANT_POSITION, WANT_COUNT };

/* Parsed arguments of FIND/POSITION/COUNT/REMOVE and their -IF forms. */
typedef struct SearchArgs {
    LispObj item;     /* BY_ITEM only */
    LispObj seq;
    BiTest bt;
    bool from_end;
    size_t start, end, len;
    LispObj count;    /* REMOVE's :count: NIL or an integer */
} SearchArgs;

static void parse_search(ThContext *tc, const char *op, size_t nargs, LispObj *args,
                         enum SearchMode mode, bool with_count, SearchArgs *sa) {
    /* v[k] for: 0 :from-end 1 :start 2 :end 3 :key 4 :count 5 :test 6 :test-not;
     * only the keys this function accepts are parsed. */
    const LispObj all[7] = {S(FROM_END_KW), S(START_KW), S(END_KW), S(KEY_KW), S(COUNT_KW),
                            S(TEST_KW), S(TEST_NOT_KW)};
    LispObj keys[7], got[7], v[7];
    size_t slot[7], nk = 0;
    for (size_t k = 0; k < 7; k++) {
        v[k] = LISP_UNSUPPLIED;
        if ((k == 4 && !with_count) || (k >= 5 && mode != BY_ITEM)) continue;
        keys[nk] = all[k];
        slot[nk++] = k;
    }
    bi_parse_keys(tc, op, nargs, args, 2, keys, nk, got);
    for (size_t j = 0; j < nk; j++) v[slot[j]] = got[j];
    sa->item = args[0];
    sa->seq = args[1];
    sa->len = bi_seq_length(tc, sa->seq);
    bi_bounds(tc, v[1], v[2], sa->len, &sa->start, &sa->end);
    sa->from_end = bi_or(v[0], NIL) != NIL;
    sa->count = bi_or(v[4], NIL);
    if (sa->count != NIL && !fx_p(sa->count)) cond_type_error(tc, sa->count, S(INTEGER));
    if (mode == BY_ITEM) bi_test_setup(tc, &sa->bt, op, v[5], v[6], v[3]);
    else bi_pred_setup(tc, &sa->bt, args[0], v[3], mode == BY_IF_NOT);
}

static LispObj search_common(ThContext *tc, const char *op, size_t nargs, LispObj *args,
                             enum SearchMode mode, enum SearchWant want) {
    SearchArgs sa;
    parse_search(tc, op, nargs, args, mode, false, &sa);
    LispObj cursor = sa.seq, found = NIL;
    int64_t pos = -1, count = 0;
    for (size_t i = 0; i < sa.start && list_p(sa.seq); i++) cursor = CDR(cursor);
    for (size_t i = sa.start; i < sa.end; i++) {
        LispObj x;
        if (list_p(sa.seq)) { x = CAR(cursor); cursor = CDR(cursor); }
        else x = seq_ref(tc, sa.seq, i);
        if (!bi_test_match(tc, &sa.bt, sa.item, x)) continue;
        count++;
        found = x;
        pos = (int64_t)i;
        if (!sa.from_end && want != WANT_COUNT) break;
    }
    if (want == WANT_COUNT) return fx_make(count);
    if (want == WANT_POSITION) return pos < 0 ? NIL : fx_make(pos);
    return found;
}

#define SEARCH_FUNCTIONS(X)                                                                 \
    X(find, "FIND", BY_ITEM, WANT_FIND, "item sequence &key from-end test test-not start end key", \
      "The first element of SEQUENCE satisfying the test with ITEM, or NIL.")              \
    X(find_if, "FIND-IF", BY_IF, WANT_FIND, "predicate sequence &key from-end start end key", \
      "The first element of SEQUENCE satisfying PREDICATE, or NIL.")                       \
    X(find_if_not, "FIND-IF-NOT", BY_IF_NOT, WANT_FIND, "predicate sequence &key from-end start end key", \
      "The first element of SEQUENCE not satisfying PREDICATE, or NIL.")                   \
    X(position, "POSITION", BY_ITEM, WANT_POSITION,                                         \
      "item sequence &key from-end test test-not start end key",                            \
      "The index of the first element of SEQUENCE satisfying the test with ITEM, or NIL.") \
    X(position_if, "POSITION-IF", BY_IF, WANT_POSITION, "predicate sequence &key from-end start end key", \
      "The index of the first element of SEQUENCE satisfying PREDICATE, or NIL.")          \
    X(position_if_not, "POSITION-IF-NOT", BY_IF_NOT, WANT_POSITION,                         \
      "predicate sequence &key from-end start end key",                                     \
      "The index of the first element of SEQUENCE not satisfying PREDICATE, or NIL.")      \
    X(count, "COUNT", BY_ITEM, WANT_COUNT, "item sequence &key from-end test test-not start end key", \
      "The number of elements of SEQUENCE satisfying the test with ITEM.")                 \
    X(count_if, "COUNT-IF", BY_IF, WANT_COUNT, "predicate sequence &key from-end start end key", \
      "The number of elements of SEQUENCE satisfying PREDICATE.")                          \
    X(count_if_not, "COUNT-IF-NOT", BY_IF_NOT, WANT_COUNT, "predicate sequence &key from-end start end key", \
      "The number of elements of SEQUENCE not satisfying PREDICATE.")

#define X(cname, lname, mode, want, ll, doc)                                  \
    static LispObj cl_##cname(ThContext *tc, size_t nargs, LispObj *args) {  \
        return search_common(tc, lname, nargs, args, mode, want);             \
    }
SEARCH_FUNCTIONS(X)
#undef X

/* ---------------------------------------------------------------- REMOVE, DELETE */

/* A fresh sequence of seq's kind holding the elements of elts (a vector)
 * whose flag in mask is 0. */
static LispObj rebuild(ThContext *tc, LispObj seq, LispObj elts, LispObj mask, size_t kept) {
    size_t n = vec_length(elts), k = 0;
    const uint8_t *m = ((LispBytes *)obj_words(mask))->bytes;
    if (list_p(seq)) {
        LispObj r = NIL;
        for (size_t i = n; i-- > 0;)
            if (!m[i]) r = lisp_cons(tc, VEC(elts)->items[i], r);
        return r;
    }
    LispObj r = arr_make_like(tc, seq, kept);
    for (size_t i = 0; i < n; i++) {
        if (m[i]) continue;
        arr_storage_set(tc, r, k++, VEC(elts)->items[i]);
    }
    return r;
}

static LispObj remove_common(ThContext *tc, const char *op, size_t nargs, LispObj *args,
                             enum SearchMode mode) {
    SearchArgs sa;
    parse_search(tc, op, nargs, args, mode, true, &sa);
    size_t n = sa.len;
    int64_t limit = sa.count == NIL ? INT64_MAX : fx_value(sa.count);
    LispObj elts = vec_make(tc, n, NIL), mask = bytes_make(tc, n);
    memset(((LispBytes *)obj_words(mask))->bytes, 0, n);
    LispObj cursor = sa.seq;
    for (size_t i = 0; i < n; i++) {
        LispObj x;
        if (list_p(sa.seq)) { x = CAR(cursor); cursor = CDR(cursor); }
        else x = seq_ref(tc, sa.seq, i);
        obj_set(&VEC(elts)->items[i], x);
    }
    int64_t removed = 0;
    for (size_t k = 0; k < sa.end - sa.start && removed < limit; k++) {
        size_t i = sa.from_end ? sa.end - 1 - k : sa.start + k;
        if (bi_test_match(tc, &sa.bt, sa.item, VEC(elts)->items[i])) {
            ((LispBytes *)obj_words(mask))->bytes[i] = 1;
            removed++;
        }
    }
    if (removed == 0) return sa.seq;
    return rebuild(tc, sa.seq, elts, mask, n - (size_t)removed);
}

#define REMOVE_FUNCTIONS(X)                                                                 \
    X(remove, "REMOVE", BY_ITEM, "item sequence &key from-end test test-not start end count key", \
      "A sequence like SEQUENCE without the elements satisfying the test with ITEM.")      \
    X(remove_if, "REMOVE-IF", BY_IF, "predicate sequence &key from-end start end count key", \
      "A sequence like SEQUENCE without the elements satisfying PREDICATE.")               \
    X(remove_if_not, "REMOVE-IF-NOT", BY_IF_NOT, "predicate sequence &key from-end start end count key", \
      "A sequence like SEQUENCE without the elements not satisfying PREDICATE.")           \
    X(delete, "DELETE", BY_ITEM, "item sequence &key from-end test test-not start end count key", \
      "Like REMOVE; SEQUENCE may be destroyed.")                                           \
    X(delete_if, "DELETE-IF", BY_IF, "predicate sequence &key from-end start end count key", \
      "Like REMOVE-IF; SEQUENCE may be destroyed.")                                        \
    X(delete_if_not, "DELETE-IF-NOT", BY_IF_NOT, "predicate sequence &key from-end start end count key", \
      "Like REMOVE-IF-NOT; SEQUENCE may be destroyed.")

#define X(cname, lname, mode, ll, doc)                                        \
    static LispObj cl_##cname(ThContext *tc, size_t nargs, LispObj *args) {  \
        return remove_common(tc, lname, nargs, args, mode);                   \
    }
REMOVE_FUNCTIONS(X)
#undef X

/* ---------------------------------------------------------------- table */

#define SEARCH_SPEC(cname, lname, mode, want, ll, doc) \
    {lname, "CL", cl_##cname, 2, BUILTIN_REST, ll, doc},
#define REMOVE_SPEC(cname, lname, mode, ll, doc) \
    {lname, "CL", cl_##cname, 2, BUILTIN_REST, ll, doc},

const BuiltinSpec builtins_vector[] = {
    {"ELT", "CL", cl_elt, 2, 2, "sequence index", "The element of SEQUENCE at INDEX."},
    {"%SETELT", "SYS", sys_setelt, 3, 3, "sequence index value",
     "Stores VALUE at INDEX of SEQUENCE; returns VALUE (setf of ELT)."},
    {"FILL", "CL", cl_fill, 2, BUILTIN_REST, "sequence item &key start end",
     "Stores ITEM in the elements of SEQUENCE from START below END; returns SEQUENCE."},
    {"COPY-SEQ", "CL", cl_copy_seq, 1, 1, "sequence", "A fresh copy of SEQUENCE."},
    SEARCH_FUNCTIONS(SEARCH_SPEC)
    REMOVE_FUNCTIONS(REMOVE_SPEC)
    {0},
};
