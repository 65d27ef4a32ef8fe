/* ffi/tests/test_convert.c — the type table (ffi/types.c) and the Lisp <-> C
 * conversions (ffi/convert.c): sizes and libffi types agree with the C
 * compiler, integers convert exactly at their limits and one past them is a
 * type-error, libffi's widened return slots read and write back the value. */
#include "ffi/ffi_impl.h"

#include <check.h>
#include <stdlib.h>

static ThContext *tc;

START_TEST(test_table_matches_the_compiler) {
    ck_assert_uint_eq(ffi_types[FT_INT].size, sizeof(int));
    ck_assert_uint_eq(ffi_types[FT_LONG].size, sizeof(long));
    ck_assert_uint_eq(ffi_types[FT_SIZE].size, sizeof(size_t));
    ck_assert_uint_eq(ffi_types[FT_POINTER].size, sizeof(void *));
    ck_assert_uint_eq(ffi_types[FT_DOUBLE].align, _Alignof(double));
    ck_assert_uint_eq(ffi_types[FT_VOID].size, 0);
    ck_assert_ptr_eq(ffi_libffi_type(FT_UINT16), &ffi_type_uint16);
    ck_assert_ptr_eq(ffi_libffi_type(FT_CHAR), &ffi_type_sint8);
    ck_assert_ptr_eq(ffi_libffi_type(FT_STRING), &ffi_type_pointer);
    ck_assert_uint_eq(ffi_libffi_type(FT_LLONG)->size, 8);
}
END_TEST

typedef struct Conv { FfiTypeId t; LispObj x; FfiValue v; } Conv;

static LispObj convert(ThContext *t, void *data) {
    Conv *c = data;
    LispObj s = NIL;
    ffi_from_lisp(t, c->t, c->x, &c->v, &s);
    return T;
}

/* True if x converts to type t (the value in *v); false if it signalled a type-error. */
static bool converts(FfiTypeId t, LispObj x, FfiValue *v) {
    Conv c = {t, x, {0}};
    LispObj result, condition;
    bool ok = vm_call_protected(tc, convert, &c, &result, &condition);
    if (!ok) ck_assert_msg(cond_typep(condition, S(TYPE_ERROR)), "a non-type-error condition");
    *v = c.v;
    return ok;
}

START_TEST(test_integers_exact_at_the_limits) {
    FfiValue v;
    ck_assert(converts(FT_INT8, fx_make(-128), &v) && v.i8 == -128);
    ck_assert(!converts(FT_INT8, fx_make(128), &v));
    ck_assert(converts(FT_UINT8, fx_make(255), &v) && v.u8 == 255);
    ck_assert(!converts(FT_UINT8, fx_make(-1), &v));
    ck_assert(converts(FT_UINT64, num_from_uint64(tc, UINT64_MAX), &v) && v.u64 == UINT64_MAX);
    ck_assert(!converts(FT_UINT64, fx_make(-1), &v));
    ck_assert(converts(FT_INT64, num_from_int64(tc, INT64_MIN), &v) && v.i64 == INT64_MIN);
    ck_assert(!converts(FT_INT64, num_from_uint64(tc, (uint64_t)INT64_MAX + 1), &v));
    ck_assert(!converts(FT_INT, str_from_cstr(tc, "1"), &v));
    ck_assert(converts(FT_FLOAT, fx_make(3), &v) && v.f == 3.0f);
    ck_assert(!converts(FT_DOUBLE, NIL, &v));
    ck_assert(!converts(FT_POINTER, fx_make(0), &v));
    ck_assert(converts(FT_BOOLEAN, fx_make(0), &v) && v.i32 == 1);
}
END_TEST

START_TEST(test_widened_return_slots) {
    FfiValue v = {0}, slot = {0};
    v.i8 = -1;
    ffi_store_return(FT_INT8, &slot, &v);
    ck_assert(slot.swidened == -1);
    ck_assert(ffi_to_lisp(tc, FT_INT8, &slot, true) == fx_make(-1));
    v.u16 = 65535;
    ffi_store_return(FT_USHORT, &slot, &v);
    ck_assert(ffi_to_lisp(tc, FT_USHORT, &slot, true) == fx_make(65535));
    slot.widened = 0x1ffffffff;  /* garbage above a 32-bit int: ignored */
    ck_assert(ffi_to_lisp(tc, FT_BOOLEAN, &slot, true) == T);
    v.d = 2.5;
    ck_assert(double_float_value(ffi_to_lisp(tc, FT_DOUBLE, &v, false)) == 2.5);
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("ffi_convert");
    TCase *c = tcase_create("convert");
    tcase_add_test(c, test_table_matches_the_compiler);
    tcase_add_test(c, test_integers_exact_at_the_limits);
    tcase_add_test(c, test_widened_return_slots);
    tcase_set_timeout(c, 60);
    suite_add_tcase(s, c);
    return s;
}

int main(void) {
    int stack_marker;
    lisp_add_module(ffi_init_module);
    tc = lisp_init(&(LispOptions){0}, &stack_marker);
    SRunner *sr = srunner_create(suite());
    srunner_set_fork_status(sr, CK_NOFORK);  /* one Lisp per process */
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
