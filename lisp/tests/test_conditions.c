/* lisp/tests/test_conditions.c — the condition system's C core (cond.c,
 * builtins_cond.c, builtins_restarts.c): making conditions with slots,
 * initforms and default initargs; reporters; the C signallers' conditions
 * still read by the standard readers; restart objects and their reports;
 * the unhandled-error path to the top level with the debugger off. */
#include <check.h>
#include <stdlib.h>

#include "lisp/cond_impl.h"
#include "lisp/tests/lisp_test.h"

static size_t mark;

static void setup(void) {
    mark = tc->bind_top;
    sym_bind(tc, S(STAR_PACKAGE), pkg_cl_user);
}
static void teardown(void) { sym_unbind_to(tc, mark); }

static LispObj eval_ok(const char *src) {
    LispObj result, condition;
    if (!vm_call_protected(tc, lt_eval_all, (void *)src, &result, &condition))
        ck_abort_msg("%s signalled: %s", src, report(condition));
    return result;
}

static const char *eval_printed(const char *src) { return printed(eval_ok(src)); }

/* Evaluates src expecting an unhandled error; returns the condition. */
static LispObj eval_error(const char *src) {
    LispObj result, condition;
    if (vm_call_protected(tc, lt_eval_all, (void *)src, &result, &condition))
        ck_abort_msg("%s returned %s instead of signalling", src, printed(result));
    return condition;
}

static const char *const definitions =
    "(define-condition tc-error (error)"
    "  ((code :initarg :code :initform (+ 40 2) :reader tc-error-code))"
    "  (:report (lambda (c s) (format s \"tc ~D\" (tc-error-code c)))))"
    "(define-condition tc-sub (tc-error) () (:default-initargs :code 7))";

START_TEST(make_condition_applies_initforms_and_default_initargs) {
    eval_ok(definitions);
    ck_assert_str_eq(eval_printed("(tc-error-code (make-condition 'tc-error))"), "42");
    ck_assert_str_eq(eval_printed("(tc-error-code (make-condition 'tc-error :code 1))"), "1");
    ck_assert_str_eq(eval_printed("(tc-error-code (make-condition 'tc-sub))"), "7");
    ck_assert_str_eq(eval_printed("(princ-to-string (make-condition 'tc-sub))"), "\"tc 7\"");
    /* from C: cond_make is what make-condition calls */
    LispObj type = pkg_intern_cstr(tc, "TC-SUB", pkg_cl_user);
    LispObj c = cond_make(tc, type, NIL);
    ck_assert(cond_typep(c, S(ERROR)));
    ck_assert_str_eq(report(c), "tc 7");
    LispObj slot = pkg_intern_cstr(tc, "CODE", pkg_cl_user);
    ck_assert_str_eq(printed(cond_slot_value(tc, c, slot)), "7");
    cond_set_slot_value(tc, c, slot, fx_make(9));
    ck_assert_str_eq(report(c), "tc 9");
}
END_TEST

START_TEST(kernel_conditions_keep_their_readers) {
    /* C builtins make conditions with condition_make and an initarg plist. */
    LispObj c = eval_error("(car 5)");
    ck_assert(cond_typep(c, S(TYPE_ERROR)));
    ck_assert_str_eq(report(c), "The value 5 is not of type LIST");
    sym_set_value(tc, pkg_intern_cstr(tc, "*TC-C*", pkg_cl_user), c);
    ck_assert_str_eq(eval_printed("(list (type-error-datum *tc-c*) (type-error-expected-type *tc-c*))"),
                     "(5 LIST)");
    /* a message with format arguments (builtins_packages.c makes these) */
    LispObj m = condition_make(tc, S(SIMPLE_ERROR), str_from_cstr(tc, "a ~A b"), lisp_list(tc, 1, fx_make(3)), NIL);
    ck_assert_str_eq(report(m), "a 3 b");
}
END_TEST

START_TEST(restart_objects) {
    ck_assert_str_eq(eval_printed("(restart-case (let ((r (find-restart 'tc-r))) (list (restart-name r) "
                                  "(princ-to-string r) (type-of r))) (tc-r () :report \"Do it.\" nil))"),
                     "(TC-R \"Do it.\" RESTART)");
    LispObj r = eval_ok("(find-restart 'abort)");
    ck_assert(cond_restart_p(r));
    ck_assert(!cond_typep(r, S(CONDITION)));
    ck_assert(!cond_condition_type_p(S(TY_RESTART)));
    ck_assert(cond_condition_type_p(S(STORAGE_CONDITION)));
    ck_assert_str_eq(report(r), "Return to top level.");
    /* a restart is not a condition designator */
    LispObj c = eval_error("(error (find-restart 'abort))");
    ck_assert(cond_typep(c, S(TYPE_ERROR)));
}
END_TEST

START_TEST(unhandled_error_reaches_top_level_without_debugger) {
    /* The debugger is off outside the REPL: the condition comes back to C. */
    eval_ok(definitions);
    LispObj c = eval_error("(restart-case (error 'tc-error :code 3) (use-value (v) v))");
    ck_assert_str_eq(report(c), "tc 3");
    ck_assert(string_p(tc->vm->last_backtrace));
    /* invoke-debugger with a hook that declines also comes back */
    c = eval_error("(let ((*debugger-hook* (lambda (c h) (declare (ignore c h)) nil))) "
                   "(invoke-debugger (make-condition 'simple-error :format-control \"hooked\")))");
    ck_assert_str_eq(report(c), "hooked");
    /* ABORT throws :ABORT to the top level */
    LispObj result, condition;
    ck_assert(!vm_call_protected(tc, lt_eval_all, (void *)"(abort)", &result, &condition));
    ck_assert(condition == pkg_intern_cstr(tc, "ABORT", pkg_keyword));
}
END_TEST

START_TEST(bad_definitions_are_errors) {
    ck_assert(cond_typep(eval_error("(define-condition tc-bad (no-such-parent-type) ())"), S(ERROR)));
    ck_assert(cond_typep(eval_error("(define-condition tc-bad2 (error) ((s :no-such-option 1)))"), S(ERROR)));
    ck_assert(cond_typep(eval_error("(make-condition 'restart)"), S(TYPE_ERROR)));
    ck_assert(cond_typep(eval_error("(make-condition 'simple-error :format-control)"), S(PROGRAM_ERROR)));
}
END_TEST

static Suite *conditions_suite(void) {
    Suite *s = suite_create("conditions");
    TCase *t = tcase_create("conditions");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, make_condition_applies_initforms_and_default_initargs);
    tcase_add_test(t, kernel_conditions_keep_their_readers);
    tcase_add_test(t, restart_objects);
    tcase_add_test(t, unhandled_error_reaches_top_level_without_debugger);
    tcase_add_test(t, bad_definitions_are_errors);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return lt_run_suite(conditions_suite, false); }
