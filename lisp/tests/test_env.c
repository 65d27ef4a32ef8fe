/* lisp/tests/test_env.c — the environment builtins (builtins_env.c) and the
 * calendar arithmetic over them (src/environment.lisp): the local zone's
 * offset and daylight saving under a fixed TZ, decoding and encoding
 * against known dates, the clocks' units, function docstrings and lambda
 * lists (builtins found through lisp_builtin_spec).  Output formats of
 * DESCRIBE, TRACE and TIME are checked end to end in
 * tests/e2e/test_environment.py. */
#include "lisp/tests/lisp_test.h"
#include "lisp/builtins_impl.h"

#include <time.h>

/* A zone with daylight saving: offsets -5 h in winter, -4 h in summer. */
START_TEST(test_local_offset_follows_tz) {
    setenv("TZ", "America/New_York", 1);
    tzset();
    static const LtCase cases[] = {
        /* 2020-07-01 00:00 and 2020-01-01 00:00 GMT */
        {"(multiple-value-list (petrel-system::%local-time-offset 3802550400))", "(-14400 T)"},
        {"(multiple-value-list (petrel-system::%local-time-offset 3786825600))", "(-18000 NIL)"},
        {"(multiple-value-list (decode-universal-time 3802550400))", "(0 0 20 30 6 2020 1 T 5)"},
        {"(encode-universal-time 0 0 20 30 6 2020)", "3802550400"},
        {"(encode-universal-time 0 0 19 31 12 2019)", "3786825600"},
    };
    lt_run_cases(cases, sizeof cases / sizeof cases[0]);
    ck_assert_msg(failures == 0, "%d failures, first: %s", failures, first_failure);
}
END_TEST

START_TEST(test_calendar) {
    static const LtCase cases[] = {
        {"(multiple-value-list (decode-universal-time 0 0))", "(0 0 0 1 1 1900 0 NIL 0)"},
        {"(encode-universal-time 0 0 0 1 1 1970 0)", "2208988800"},
        {"(encode-universal-time 0 0 0 1 3 2000 0)", "3160857600"},
        {"(multiple-value-list (decode-universal-time 3160857599 0))", "(59 59 23 29 2 2000 1 NIL 0)"},
        {"(multiple-value-list (decode-universal-time 3600 -1/2))", "(0 30 1 1 1 1900 0 NIL -1/2)"},
        {"(handler-case (encode-universal-time 0 0 0 29 2 1900 0) (type-error () :type-error))", ":TYPE-ERROR"},
        {"(handler-case (decode-universal-time 0 1/7) (type-error () :type-error))", ":TYPE-ERROR"},
        {"internal-time-units-per-second", "1000000"},
        {"(let ((a (get-internal-real-time))) (sleep 0.01) (>= (- (get-internal-real-time) a) 10000))", "T"},
    };
    lt_run_cases(cases, sizeof cases / sizeof cases[0]);
    ck_assert_msg(failures == 0, "%d failures, first: %s", failures, first_failure);
}
END_TEST

START_TEST(test_function_docs_and_lambda_lists) {
    static const LtCase cases[] = {
        {"(multiple-value-list (petrel-system::%function-lambda-list #'digit-char-p))",
         "(\"character &optional (radix 10)\" T)"},
        {"(progn (defun te-f (a &key b) \"Te doc.\" (list a b)) "
         "(list (petrel-system::%function-lambda-list #'te-f) (documentation 'te-f 'function)))",
         "((A &KEY B) \"Te doc.\")"},
        {"(let ((f (lambda (x) x))) (petrel-system::%set-function-documentation f \"Lam.\") "
         "(petrel-system::%function-documentation f))", "\"Lam.\""},
        {"(handler-case (petrel-system::%function-documentation 3) (type-error () :type-error))", ":TYPE-ERROR"},
    };
    lt_run_cases(cases, sizeof cases / sizeof cases[0]);
    ck_assert_msg(failures == 0, "%d failures, first: %s", failures, first_failure);
    LispObj car = pkg_intern_cstr(tc, "CAR", pkg_common_lisp);
    LispBuiltin *b = (LispBuiltin *)obj_words(SYM(car)->function);
    const BuiltinSpec *spec = lisp_builtin_spec(b->fn, b->name);
    ck_assert_ptr_nonnull(spec);
    ck_assert_str_eq(spec->name, "CAR");
    ck_assert_ptr_null(lisp_builtin_spec(b->fn, pkg_intern_cstr(tc, "CDR", pkg_common_lisp)));
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("env");
    TCase *c = tcase_create("core");
    tcase_add_test(c, test_local_offset_follows_tz);
    tcase_add_test(c, test_calendar);
    tcase_add_test(c, test_function_docs_and_lambda_lists);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return lt_run_suite(make_suite, false); }
