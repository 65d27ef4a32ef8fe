/* lisp/builtins_hash.c — the hash-table dictionary (CLHS 18.2): argument
 * checking and the Lisp entry points over lisp/hashtable.c.  (SETF GETHASH)
 * and WITH-HASH-TABLE-ITERATOR are completed in lisp/src/hashtables.lisp from
 * the SYS builtins here; HASH-TABLE-P is with the type predicates.
 *
 * Invariants: every table argument is checked (type-error HASH-TABLE) before
 * it is touched; MAPHASH and the iterator re-read the entries vector at each
 * step, so a table rebuilt by an insertion during the traversal (which the
 * spec leaves unspecified) costs entries, never memory safety.  No state of
 * its own. */
#include "lisp/builtins_impl.h"
#include "lisp/hashtable_impl.h"
#include "lisp/vm_impl.h"

static LispObj table_arg(ThContext *tc, LispObj x) {
    if (!ht_p(x)) cond_type_error(tc, x, S(HASH_TABLE));
    return x;
}

/* ---------------------------------------------------------------- MAKE-HASH-TABLE */

/* :test is a designator for EQ, EQL, EQUAL or EQUALP: the symbol or its function. */
static LispObj test_arg(ThContext *tc, LispObj d) {
    const LispObj tests[] = {S(EQ), S(EQL), S(EQUAL), S(EQUALP)};
    for (size_t i = 0; i < 4; i++)
        if (d == tests[i] || (function_p(d) && sym_function(tests[i]) == d)) return tests[i];
    cond_type_error(tc, d, lisp_list(tc, 5, S(MEMBER), S(EQ), S(EQL), S(EQUAL), S(EQUALP)));
}

/* (or (integer 1 *) (float (1.0) *)) */
static LispObj rehash_size_arg(ThContext *tc, LispObj x) {
    if ((fx_p(x) && fx_value(x) >= 1) || (float_p(x) && num_compare(x, fx_make(1)) == 1)) return x;
    LispObj ints = lisp_list(tc, 3, S(INTEGER), fx_make(1), S(STAR));
    LispObj floats = lisp_list(tc, 3, S(FLOAT), lisp_list(tc, 1, single_float_make(1.0f)), S(STAR));
    cond_type_error(tc, x, lisp_list(tc, 3, S(OR), ints, floats));
}

/* (real 0 1) */
static LispObj rehash_threshold_arg(ThContext *tc, LispObj x) {
    if (num_real_supported_p(x)) {
        int lo = num_compare(x, fx_make(0)), hi = num_compare(x, fx_make(1)); /* 2: NaN */
        if ((lo == 0 || lo == 1) && (hi == 0 || hi == -1)) return x;
    }
    cond_type_error(tc, x, lisp_list(tc, 3, S(REAL), fx_make(0), fx_make(1)));
}

static LispObj kw_named(ThContext *tc, const char *name) { return pkg_intern_cstr(tc, name, pkg_keyword); }

static LispObj cl_make_hash_table(ThContext *tc, size_t nargs, LispObj *args) {
    enum { K_TEST, K_SIZE, K_RSIZE, K_RTHRESHOLD, K_SYNC, K_WEAK, NKEYS };
    const LispObj keys[NKEYS] = {S(TEST_KW), S(HT_SIZE_KW), S(HT_REHASH_SIZE_KW), S(HT_REHASH_THRESHOLD_KW),
                                 S(HT_SYNCHRONIZED_KW), S(HT_WEAKNESS_KW)};
    LispObj v[NKEYS];
    bi_parse_keys(tc, "MAKE-HASH-TABLE", nargs, args, 0, keys, NKEYS, v);
    LispObj test = test_arg(tc, bi_or(v[K_TEST], S(EQL)));
    size_t size = bi_supplied_p(v[K_SIZE]) ? bi_nonneg(tc, v[K_SIZE]) : 16;
    LispObj rsize = rehash_size_arg(tc, bi_or(v[K_RSIZE], single_float_make(1.5f)));
    LispObj rthreshold = rehash_threshold_arg(tc, bi_or(v[K_RTHRESHOLD], single_float_make(1.0f)));
    LispObj weakness = bi_or(v[K_WEAK], NIL);
    if (ht_weakness_code(weakness) < 0)
        cond_type_error(tc, weakness, lisp_list(tc, 6, S(MEMBER), NIL, kw_named(tc, "KEY"), kw_named(tc, "VALUE"),
                                                kw_named(tc, "KEY-AND-VALUE"), kw_named(tc, "KEY-OR-VALUE")));
    return ht_make(tc, test, size, rsize, rthreshold, bi_or(v[K_SYNC], NIL) != NIL, weakness);
}

/* ---------------------------------------------------------------- access */

static LispObj cl_gethash(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj v = ht_get(tc, table_arg(tc, args[1]), args[0]);
    LispObj vals[2] = {v, T};
    if (v == LISP_UNBOUND) {
        vals[0] = nargs > 2 ? args[2] : NIL;
        vals[1] = NIL;
    }
    return vm_values(tc, 2, vals);
}

/* #'(setf gethash): (new-value key table &optional default), as the setf
 * expansion of (gethash key table default) calls it; default is unused. */
static LispObj sys_setf_gethash(ThContext *tc, size_t nargs, LispObj *args) {
    ht_put(tc, table_arg(tc, args[2]), args[1], args[0]);
    return args[0];
}

static LispObj cl_remhash(ThContext *tc, size_t nargs, LispObj *args) {
    return ht_remove(tc, table_arg(tc, args[1]), args[0]) ? T : NIL;
}

static LispObj cl_clrhash(ThContext *tc, size_t nargs, LispObj *args) {
    ht_clear(tc, table_arg(tc, args[0]));
    return args[0];
}

/* ---------------------------------------------------------------- traversal */

typedef struct MapState { LispObj fn, table; } MapState;

static LispObj map_entries(ThContext *tc, void *data) {
    MapState *m = data;
    size_t pos = 0;
    LispObj key, value;
    while (ht_next(m->table, &pos, &key, &value)) vm_funcall2(tc, m->fn, key, value);
    return NIL;
}

static void unlock_table(ThContext *tc, void *data) {
    (void)tc;
    ht_unlock(((MapState *)data)->table);
}

/* A synchronized table stays locked for the whole traversal (the function
 * may use the table itself: the lock is recursive). */
static LispObj cl_maphash(ThContext *tc, size_t nargs, LispObj *args) {
    MapState m = {arg_function_designator(tc, args[0]), table_arg(tc, args[1])};
    if (HT(m.table)->synchronized == NIL) return map_entries(tc, &m);
    ht_lock(tc, m.table);
    return vm_protect_call(tc, map_entries, &m, unlock_table, &m);
}

/* Iterator state for WITH-HASH-TABLE-ITERATOR: (table . next-position). */
static LispObj sys_hash_table_iterator(ThContext *tc, size_t nargs, LispObj *args) {
    return lisp_cons(tc, table_arg(tc, args[0]), fx_make(0));
}

/* → T key value for the next entry, or the single value NIL at the end. */
static LispObj sys_hash_table_iterator_next(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj state = args[0];
    if (!cons_p(state) || !ht_p(CAR(state)) || !fx_p(CDR(state)))
        cond_type_error(tc, state, S(CONS_TYPE));
    size_t pos = (size_t)fx_value(CDR(state));
    LispObj vals[3] = {T, NIL, NIL};
    ht_lock(tc, CAR(state));  /* ht_next neither allocates nor signals */
    bool more = ht_next(CAR(state), &pos, &vals[1], &vals[2]);
    ht_unlock(CAR(state));
    cons_set_cdr(state, fx_make((int64_t)pos));
    if (!more) return vm_values(tc, 1, (LispObj[]){NIL});
    return vm_values(tc, 3, vals);
}

/* ---------------------------------------------------------------- properties */

/* Never negative, even when unsynchronized updates from several threads
 * raced on the count. */
static LispObj cl_hash_table_count(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj n = __atomic_load_n(&HT(table_arg(tc, args[0]))->count, __ATOMIC_RELAXED);
    return fx_value(n) < 0 ? fx_make(0) : n;
}
static LispObj cl_hash_table_size(ThContext *tc, size_t nargs, LispObj *args) {
    return fx_make((int64_t)ht_capacity(table_arg(tc, args[0])));
}
static LispObj cl_hash_table_rehash_size(ThContext *tc, size_t nargs, LispObj *args) {
    return HT(table_arg(tc, args[0]))->rehash_size;
}
static LispObj cl_hash_table_rehash_threshold(ThContext *tc, size_t nargs, LispObj *args) {
    return HT(table_arg(tc, args[0]))->rehash_threshold;
}
static LispObj cl_hash_table_test(ThContext *tc, size_t nargs, LispObj *args) {
    return HT(table_arg(tc, args[0]))->test;
}
static LispObj ext_hash_table_synchronized_p(ThContext *tc, size_t nargs, LispObj *args) {
    return HT(table_arg(tc, args[0]))->synchronized != NIL ? T : NIL;
}
static LispObj ext_hash_table_weakness(ThContext *tc, size_t nargs, LispObj *args) {
    return HT(table_arg(tc, args[0]))->weakness;
}

static LispObj sys_weak_table_pause_checks(ThContext *tc, size_t nargs, LispObj *args) {
    return fx_make((int64_t)ht_weak_pause_checks());
}

static LispObj cl_sxhash(ThContext *tc, size_t nargs, LispObj *args) {
    return fx_make((int64_t)ht_sxhash(args[0]));
}

/* ---------------------------------------------------------------- table */

const BuiltinSpec builtins_hash[] = {
    {"MAKE-HASH-TABLE", "CL", cl_make_hash_table, 0, BUILTIN_REST,
     "&key test size rehash-size rehash-threshold synchronized weakness",
     "A new hash table comparing keys with TEST (EQ, EQL, EQUAL or EQUALP; default EQL)."},
    {"GETHASH", "CL", cl_gethash, 2, 3, "key hash-table &optional default",
     "The value stored under KEY in HASH-TABLE and T, or DEFAULT and NIL when there is none."},
    {"%SETF-GETHASH", "SYS", sys_setf_gethash, 3, 4, "new-value key hash-table &optional default",
     "Stores NEW-VALUE under KEY in HASH-TABLE: the function (SETF GETHASH)."},
    {"REMHASH", "CL", cl_remhash, 2, 2, "key hash-table",
     "Removes the entry for KEY from HASH-TABLE; true if there was one."},
    {"CLRHASH", "CL", cl_clrhash, 1, 1, "hash-table", "Removes every entry from HASH-TABLE; returns it."},
    {"MAPHASH", "CL", cl_maphash, 2, 2, "function hash-table",
     "Calls FUNCTION with the key and value of each entry of HASH-TABLE; returns NIL."},
    {"%HASH-TABLE-ITERATOR", "SYS", sys_hash_table_iterator, 1, 1, "hash-table",
     "Iteration state over HASH-TABLE for WITH-HASH-TABLE-ITERATOR."},
    {"%HASH-TABLE-ITERATOR-NEXT", "SYS", sys_hash_table_iterator_next, 1, 1, "state",
     "The next entry of an iteration: T, key and value, or NIL at the end."},
    {"HASH-TABLE-COUNT", "CL", cl_hash_table_count, 1, 1, "hash-table",
     "The number of entries in HASH-TABLE."},
    {"HASH-TABLE-SIZE", "CL", cl_hash_table_size, 1, 1, "hash-table",
     "How many entries HASH-TABLE holds before it grows."},
    {"HASH-TABLE-REHASH-SIZE", "CL", cl_hash_table_rehash_size, 1, 1, "hash-table",
     "The growth of HASH-TABLE when full: an integer adds entries, a float multiplies."},
    {"HASH-TABLE-REHASH-THRESHOLD", "CL", cl_hash_table_rehash_threshold, 1, 1, "hash-table",
     "How full HASH-TABLE may become before it grows, as given to MAKE-HASH-TABLE."},
    {"HASH-TABLE-TEST", "CL", cl_hash_table_test, 1, 1, "hash-table",
     "The symbol naming the key test of HASH-TABLE."},
    {"HASH-TABLE-SYNCHRONIZED-P", "EXT", ext_hash_table_synchronized_p, 1, 1, "hash-table",
     "True if HASH-TABLE was made with :SYNCHRONIZED true."},
    {"%WEAK-TABLE-PAUSE-CHECKS", "SYS", sys_weak_table_pause_checks, 0, 0, "",
     "Weak hash table entries examined in collection pauses so far (the rest were presorted)."},
    {"HASH-TABLE-WEAKNESS", "EXT", ext_hash_table_weakness, 1, 1, "hash-table",
     "The weakness of HASH-TABLE: NIL, :KEY, :VALUE, :KEY-AND-VALUE or :KEY-OR-VALUE."},
    {"SXHASH", "CL", cl_sxhash, 1, 1, "object",
     "A non-negative fixnum hash code of OBJECT; EQUAL objects have the same code."},
    {0},
};
