/* lisp/tests/test_hash.c — hash tables (lisp/hashtable.c): the hash
 * functions agree with their tests (EQUAL ⇒ same SXHASH, EQUALP ⇒ same
 * EQUALP hash), probe chains survive removals (tombstones), iteration by
 * position survives removing the current entry, and address-hashed tables
 * answer the same after a collection.  The operator-by-operator behaviour,
 * checked against SBCL, is in tests/e2e/test_hash.py. */
#include "lisp/tests/lisp_test.h"
#include "lisp/builtins_impl.h"
#include "lisp/hashtable_impl.h"
#include "lisp/vm_impl.h"

static LispObj eval_str(const char *src) {
    LispObj result, condition;
    if (!vm_call_protected(tc, lt_eval_all, (void *)src, &result, &condition))
        ck_abort_msg("error evaluating %s: %s", src, report(condition));
    return result;
}

static LispObj new_table(LispObj test) {
    return ht_make(tc, test, 0, single_float_make(1.5f), single_float_make(1.0f), false, NIL);
}

/* Pairs of forms whose values are EQUAL (and so EQUALP). */
static const char *const equal_pairs[][2] = {
    {"\"abc\"", "(copy-seq \"abc\")"},
    {"'(1 (2 \"x\") . #\\c)", "(list* 1 (list 2 (copy-seq \"x\")) #\\c)"},
    {"1.5d0", "(* 3 0.5d0)"},
    {"2/3", "(/ 4 6)"},
    {"'sym", "(intern \"SYM\")"},
    {"(make-list 100 :initial-element 7)", "(make-list 100 :initial-element 7)"},
};

/* Pairs of forms whose values are EQUALP but not EQUAL. */
static const char *const equalp_pairs[][2] = {
    {"\"ABC\"", "\"abc\""},
    {"1", "1.0"},
    {"1", "1.0d0"},
    {"1/2", "0.5"},
    {"0.0", "-0.0d0"},
    {"#\\a", "#\\A"},
    {"#(1 2)", "(vector 1.0 2)"},
    {"\"ab\"", "(vector #\\A #\\b)"},
    {"'(1 \"X\" #(3))", "(list 1.0 \"x\" (vector 3))"},
};

START_TEST(test_hashes_agree_with_tests) {
    for (size_t i = 0; i < sizeof equal_pairs / sizeof *equal_pairs; i++) {
        LispObj a = eval_str(equal_pairs[i][0]), b = eval_str(equal_pairs[i][1]);
        ck_assert_msg(bi_equal(tc, a, b), "%s not EQUAL", equal_pairs[i][0]);
        if (ht_sxhash(a) != ht_sxhash(b)) note_failure("sxhash differs: %s", equal_pairs[i][0]);
        if (ht_equalp_hash(a) != ht_equalp_hash(b)) note_failure("equalp hash differs: %s", equal_pairs[i][0]);
    }
    for (size_t i = 0; i < sizeof equalp_pairs / sizeof *equalp_pairs; i++) {
        LispObj a = eval_str(equalp_pairs[i][0]), b = eval_str(equalp_pairs[i][1]);
        ck_assert_msg(bi_equalp(tc, a, b), "%s not EQUALP", equalp_pairs[i][0]);
        if (ht_equalp_hash(a) != ht_equalp_hash(b))
            note_failure("equalp hash differs: %s / %s", equalp_pairs[i][0], equalp_pairs[i][1]);
    }
    ck_assert_msg(failures == 0, "%d failures; first: %s", failures, first_failure);
}
END_TEST

START_TEST(test_hash_codes_are_nonnegative_fixnums) {
    LispObj xs = eval_str("(list -1 most-negative-fixnum 1.5 -2.5d0 -1/3 #\\x \"\" nil (list 1) #() "
                          "(make-hash-table) #'car)");
    for (LispObj l = xs; cons_p(l); l = CDR(l)) {
        ck_assert_uint_le(ht_sxhash(CAR(l)), (uint64_t)FIXNUM_MAX);
        ck_assert_uint_le(ht_equalp_hash(CAR(l)), (uint64_t)FIXNUM_MAX);
    }
    /* Circular and deep structure: bounded work. */
    LispObj circ = eval_str("(let ((l (list 1 2 3))) (setf (cdr (last l)) l) l)");
    ck_assert_uint_le(ht_sxhash(circ), (uint64_t)FIXNUM_MAX);
    ck_assert_uint_le(ht_equalp_hash(circ), (uint64_t)FIXNUM_MAX);
}
END_TEST

/* Removing entries in the middle of probe chains must not hide later ones. */
START_TEST(test_removal_keeps_chains) {
    LispObj t = new_table(S(EQL));
    enum { N = 5000 };
    for (int64_t i = 0; i < N; i++) ht_put(tc, t, fx_make(i), fx_make(i * 3));
    for (int64_t i = 0; i < N; i += 3) ck_assert(ht_remove(tc, t, fx_make(i)));
    ck_assert_int_eq(fx_value(HT(t)->count), N - (N + 2) / 3);
    for (int64_t i = 0; i < N; i++) {
        LispObj v = ht_get(tc, t, fx_make(i));
        if (i % 3 == 0) ck_assert(v == LISP_UNBOUND);
        else ck_assert(v == fx_make(i * 3));
    }
    /* Reinsertion reuses tombstones; count and used stay consistent. */
    for (int64_t i = 0; i < N; i += 3) ht_put(tc, t, fx_make(i), NIL);
    ck_assert_int_eq(fx_value(HT(t)->count), N);
    ck_assert_int_le(fx_value(HT(t)->used), fx_value(HT(t)->size));
}
END_TEST

/* Churn: insert and remove many distinct keys; tombstones must be reclaimed
 * by same-size rebuilds rather than growing the table without bound. */
START_TEST(test_churn_does_not_grow) {
    LispObj t = new_table(S(EQL));
    for (int64_t i = 0; i < 100000; i++) {
        ht_put(tc, t, fx_make(i), T);
        ck_assert(ht_remove(tc, t, fx_make(i - 5 >= 0 ? i - 5 : i + 1000000)) || i < 5);
    }
    ck_assert_int_le(fx_value(HT(t)->count), 6);
    ck_assert_uint_le(vec_length(HT(t)->entries), 3 * 64);
}
END_TEST

/* CLHS 18.1.2: removing the current entry during a traversal is allowed. */
START_TEST(test_iteration_survives_removal) {
    LispObj t = new_table(S(EQUAL));
    for (int64_t i = 0; i < 1000; i++) ht_put(tc, t, lisp_list(tc, 1, fx_make(i)), fx_make(i));
    size_t pos = 0, seen = 0;
    int64_t sum = 0;
    LispObj k, v;
    while (ht_next(t, &pos, &k, &v)) {
        seen++;
        sum += fx_value(v);
        ck_assert(ht_remove(tc, t, k));
    }
    ck_assert_uint_eq(seen, 1000);
    ck_assert_int_eq(sum, 999 * 1000 / 2);
    ck_assert_int_eq(fx_value(HT(t)->count), 0);
}
END_TEST

/* Objects hash by address in EQ tables; the collector does not move them,
 * so lookups after a collection find every key. */
START_TEST(test_eq_table_across_collection) {
    eval_str("(defvar *ht-keys* (let ((l nil)) (dotimes (i 20000 l) (push (list i) l))))"
             "(defvar *ht-table* (make-hash-table :test 'eq))"
             "(dolist (k *ht-keys*) (setf (gethash k *ht-table*) (car k)))");
    eval_str("(dotimes (i 20) (make-list 10000)) (petrel-ext:gc) (petrel-ext:gc)");
    LispObj ok = eval_str("(let ((ok t)) (dolist (k *ht-keys* ok)"
                          "  (unless (eql (gethash k *ht-table*) (car k)) (setq ok nil))))");
    ck_assert(ok == T);
    ck_assert(eval_str("(gethash (list 1) *ht-table*)") == NIL);
}
END_TEST

static Suite *hash_suite(void) {
    Suite *s = suite_create("hash");
    TCase *c = tcase_create("core");
    tcase_set_timeout(c, 120);
    tcase_add_test(c, test_hashes_agree_with_tests);
    tcase_add_test(c, test_hash_codes_are_nonnegative_fixnums);
    tcase_add_test(c, test_removal_keeps_chains);
    tcase_add_test(c, test_churn_does_not_grow);
    tcase_add_test(c, test_iteration_survives_removal);
    tcase_add_test(c, test_eq_table_across_collection);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return lt_run_suite(hash_suite, false); }
