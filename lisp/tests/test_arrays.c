/* lisp/tests/test_arrays.c — the array layer (lisp/array.c) from C: the
 * element-type table, storage of every element type at its limits, the
 * type checks of stores, headers and displacement, growth by
 * arr_push_extend, the collector's view of raw data (a uvector's data is
 * never scanned, so bit patterns that look like pointers are harmless and
 * survive collections unchanged), and the hashing readers that need no
 * thread context.  The Lisp-visible behaviour is tested by
 * conformance/tests/15 and tests/e2e/test_arrays.py. */
#include "lisp/tests/lisp_test.h"
#include "lisp/array_impl.h"

static LispObj ev(const char *src) {
    LispObj result = NIL, condition = NIL;
    if (!vm_call_protected(tc, lt_eval_all, (void *)src, &result, &condition))
        ck_abort_msg("%s signalled: %s", src, report(condition));
    return result;
}

typedef struct StoreCall { LispObj s, x; } StoreCall;
static LispObj call_store(ThContext *t, void *data) {
    StoreCall *c = data;
    arr_storage_set(t, c->s, 0, c->x);
    return NIL;
}

/* True if storing x at 0 of s signals a type-error (and leaves s alone). */
static bool store_refused(LispObj s, LispObj x) {
    StoreCall c = {s, x};
    LispObj result, condition;
    if (vm_call_protected(tc, call_store, &c, &result, &condition)) return false;
    return condition_p(condition) && cond_typep(condition, S(TYPE_ERROR));
}

START_TEST(test_kinds_and_boxed_prefix) {
    /* length and element code are the only words the collector scans */
    ck_assert_int_eq(lisp_kind_nboxed[KIND_UVECTOR], 2);
    ck_assert_int_eq(lisp_kind_nboxed[KIND_ARRAY], GC_BOXED_ALL);
    LispObj b = arr_make_storage(tc, ET_BIT, 130);
    ck_assert(uvec_p(b) && uvec_length(b) == 130 && uvec_etype(b) == ET_BIT);
    ck_assert_uint_eq(obj_nwords(b), 2 + 3); /* 130 bits in three words */
    ck_assert(vector_p(arr_make_storage(tc, ET_T, 3)));
    ck_assert(string_p(arr_make_storage(tc, ET_CHARACTER, 3)));
    ck_assert_uint_eq(obj_nwords(arr_make_storage(tc, ET_U8, 9)), 2 + 2);
}
END_TEST

START_TEST(test_etype_of_spec) {
    static const struct { const char *spec; enum ArrEtype et; } cases[] = {
        {"t", ET_T}, {"character", ET_CHARACTER}, {"base-char", ET_CHARACTER}, {"bit", ET_BIT},
        {"(unsigned-byte 1)", ET_BIT}, {"(unsigned-byte 7)", ET_U8}, {"(unsigned-byte 8)", ET_U8},
        {"(unsigned-byte 9)", ET_U16}, {"(unsigned-byte 32)", ET_U32}, {"(unsigned-byte 40)", ET_FIXNUM},
        {"(unsigned-byte 64)", ET_U64}, {"(signed-byte 8)", ET_S8}, {"(signed-byte 16)", ET_S16},
        {"(signed-byte 32)", ET_S32}, {"(signed-byte 64)", ET_S64}, {"fixnum", ET_FIXNUM},
        {"single-float", ET_SINGLE}, {"double-float", ET_DOUBLE}, {"(integer 0 255)", ET_U8},
        {"(integer -1 1)", ET_S8}, {"(mod 2)", ET_BIT}, {"(member 0 1)", ET_BIT},
        {"(integer 0 70000)", ET_U32}, {"symbol", ET_T}, {"(unsigned-byte 65)", ET_T},
        {"standard-char", ET_CHARACTER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        LispObj spec = rd_read_from_cstr(tc, cases[i].spec);
        enum ArrEtype et = arr_etype_of_spec(tc, spec);
        if (et != cases[i].et) note_failure("%s upgrades to code %d, expected %d", cases[i].spec, et, cases[i].et);
        /* the canonical specifier maps back to the same code */
        if (arr_etype_of_spec(tc, arr_etype_spec(tc, et)) != et)
            note_failure("%s: canonical spec does not round-trip", cases[i].spec);
    }
    ck_assert_msg(failures == 0, "%d failed, first: %s", failures, first_failure);
}
END_TEST

START_TEST(test_limits_of_each_type) {
    static const struct { enum ArrEtype et; int64_t lo, hi; } cases[] = {
        {ET_BIT, 0, 1}, {ET_U8, 0, 255}, {ET_S8, -128, 127}, {ET_U16, 0, 65535},
        {ET_S16, -32768, 32767}, {ET_U32, 0, 4294967295}, {ET_S32, INT32_MIN, INT32_MAX},
        {ET_FIXNUM, FIXNUM_MIN, FIXNUM_MAX}, {ET_U64, 0, FIXNUM_MAX}, {ET_S64, FIXNUM_MIN, FIXNUM_MAX},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        LispObj s = arr_make_storage(tc, cases[i].et, 3);
        arr_storage_set(tc, s, 1, fx_make(cases[i].lo));
        arr_storage_set(tc, s, 2, fx_make(cases[i].hi));
        ck_assert(arr_storage_ref(tc, s, 0) == fx_make(0));
        ck_assert_msg(arr_storage_ref(tc, s, 1) == fx_make(cases[i].lo), "code %d lo", cases[i].et);
        ck_assert_msg(arr_storage_ref(tc, s, 2) == fx_make(cases[i].hi), "code %d hi", cases[i].et);
        if (cases[i].hi < FIXNUM_MAX) ck_assert(store_refused(s, fx_make(cases[i].hi + 1)));
        if (cases[i].lo > FIXNUM_MIN) ck_assert(store_refused(s, fx_make(cases[i].lo - 1)));
        ck_assert(store_refused(s, char_make('a')));
        ck_assert(arr_storage_ref(tc, s, 0) == fx_make(0)); /* a refused store changed nothing */
    }
    LispObj f = arr_make_storage(tc, ET_SINGLE, 2), d = arr_make_storage(tc, ET_DOUBLE, 2);
    arr_storage_set(tc, f, 1, single_float_make(-2.5f));
    arr_storage_set(tc, d, 1, double_float_make(tc, 1e300));
    ck_assert(single_float_value(arr_storage_ref(tc, f, 1)) == -2.5f);
    ck_assert(double_float_value(arr_storage_ref(tc, d, 1)) == 1e300);
    ck_assert(double_float_value(arr_storage_ref(tc, d, 0)) == 0.0);
    ck_assert(store_refused(f, double_float_make(tc, 1.0)));
    ck_assert(store_refused(d, fx_make(1)));
    ck_assert(store_refused(arr_make_storage(tc, ET_CHARACTER, 1), fx_make(65)));
}
END_TEST

START_TEST(test_bits_are_independent) {
    LispObj b = arr_make_storage(tc, ET_BIT, 200);
    for (size_t i = 0; i < 200; i += 3) arr_storage_set(tc, b, i, fx_make(1));
    arr_storage_set(tc, b, 63, fx_make(1));
    arr_storage_set(tc, b, 63, fx_make(0)); /* clearing one bit keeps its neighbours */
    for (size_t i = 0; i < 200; i++) {
        LispObj want = fx_make(i % 3 == 0 && i != 63);
        ck_assert_msg(arr_storage_ref(tc, b, i) == want, "bit %zu", i);
    }
}
END_TEST

START_TEST(test_headers_and_displacement) {
    LispObj base = arr_make_storage(tc, ET_U16, 12);
    for (size_t i = 0; i < 12; i++) arr_storage_set(tc, base, i, fx_make((int64_t)i * 100));
    size_t dims[2] = {2, 3};
    LispObj m = arr_make_header(tc, ET_U16, 2, dims, base, 4, ARRF_DISPLACED, NIL);
    ck_assert(arr_array_p(m) && !arr_vector_p(m) && arr_simple_p(m) == false);
    ck_assert_uint_eq(arr_rank(m), 2);
    ck_assert_uint_eq(arr_total_size(m), 6);
    ck_assert(arr_row_ref(tc, m, 0) == fx_make(400));
    size_t vd[1] = {2};
    LispObj v = arr_make_header(tc, ET_U16, 1, vd, m, 3, ARRF_DISPLACED, fx_make(1));
    size_t off;
    ck_assert(arr_resolve(tc, v, &off) == base && off == 7); /* offsets add up along the chain */
    ck_assert_uint_eq(arr_vector_length(v), 1);
    arr_row_set(tc, v, 1, fx_make(9));
    ck_assert(arr_storage_ref(tc, base, 8) == fx_make(9));
    LispObj copy = arr_subseq(tc, m, 2, 5);
    ck_assert(uvec_p(copy) && uvec_etype(copy) == ET_U16 && uvec_length(copy) == 3);
    ck_assert(arr_storage_ref(tc, copy, 2) == fx_make(9));
    ck_assert(arr_resolve_quiet(v, &off) == base && off == 7);
}
END_TEST

START_TEST(test_push_extend_grows_and_keeps) {
    size_t d[1] = {0};
    LispObj v = arr_make_header(tc, ET_CHARACTER, 1, d, arr_make_storage(tc, ET_CHARACTER, 0), 0,
                                ARRF_ADJUSTABLE, fx_make(0));
    for (int i = 0; i < 1000; i++) arr_push_extend(tc, v, char_make('a' + (uint32_t)(i % 26)), 0, "TEST");
    ck_assert_uint_eq(arr_vector_length(v), 1000);
    ck_assert(arr_total_size(v) >= 1000);
    LispObj s = arr_simple_string(tc, v);
    ck_assert(string_p(s) && str_length(s) == 1000 && STR(s)->chars[27] == 'b');
    ck_assert(arr_string_p(v) && !string_p(v));
}
END_TEST

START_TEST(test_raw_data_survives_collections) {
    /* words that look like tagged pointers, in a uvector: not scanned */
    LispObj w = arr_make_storage(tc, ET_S64, 64);
    LispObj junk = lisp_cons(tc, NIL, NIL);
    for (size_t i = 0; i < 64; i++) ((int64_t *)uvec_data(w))[i] = (int64_t)(junk + i * 16);
    LispObj d = arr_make_storage(tc, ET_DOUBLE, 100);
    for (size_t i = 0; i < 100; i++) arr_storage_set(tc, d, i, double_float_make(tc, (double)i / 3));
    for (int round = 0; round < 3; round++) {
        ev("(let ((l nil)) (dotimes (i 20000) (push (make-array 3) l)) (length l))");
        ev("(petrel-ext:gc :full t)");
    }
    for (size_t i = 0; i < 64; i++) ck_assert(((int64_t *)uvec_data(w))[i] == (int64_t)(junk + i * 16));
    for (size_t i = 0; i < 100; i++) ck_assert(double_float_value(arr_storage_ref(tc, d, i)) == (double)i / 3);
    ck_assert(gc_verify_heap() == 0);
}
END_TEST

START_TEST(test_peek_never_allocates) {
    LispObj d = arr_make_storage(tc, ET_DOUBLE, 1), u = arr_make_storage(tc, ET_U64, 1);
    arr_storage_set(tc, d, 0, double_float_make(tc, 2.5));
    arr_storage_set(tc, u, 0, fx_make(FIXNUM_MAX));
    double x = 0;
    ck_assert(arr_storage_peek(d, 0, &x) == LISP_UNBOUND && x == 2.5);
    ck_assert(arr_storage_peek(u, 0, &x) == fx_make(FIXNUM_MAX));
}
END_TEST

static Suite *arrays_suite(void) {
    Suite *s = suite_create("arrays");
    TCase *t = tcase_create("layer");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, test_kinds_and_boxed_prefix);
    tcase_add_test(t, test_etype_of_spec);
    tcase_add_test(t, test_limits_of_each_type);
    tcase_add_test(t, test_bits_are_independent);
    tcase_add_test(t, test_headers_and_displacement);
    tcase_add_test(t, test_push_extend_grows_and_keeps);
    tcase_add_test(t, test_raw_data_survives_collections);
    tcase_add_test(t, test_peek_never_allocates);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return lt_run_suite(arrays_suite, false); }
