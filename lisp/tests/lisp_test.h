/* lisp/tests/lisp_test.h — helpers shared by the Lisp Check suites: one Lisp
 * per test process, evaluation of source text, printing results, table
 * failure collection, and the suite runner. */
#ifndef PETREL_LISP_TESTS_LISP_TEST_H
#define PETREL_LISP_TESTS_LISP_TEST_H

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lisp/lisp.h"

#define LT_UNUSED __attribute__((unused))

static ThContext *tc;

/* Reads every form of a C string and evaluates them in order; the last value. */
static LT_UNUSED LispObj lt_eval_all(ThContext *t, void *data) {
    LispObj src = str_from_cstr(t, (const char *)data);
    LispObj stream = stm_make_string_input(t, src, 0, str_length(src));
    LispObj eof = lisp_cons(t, NIL, NIL), result = NIL;
    for (;;) {
        LispObj form = rd_read(t, stream, false, eof, false);
        if (form == eof) return result;
        result = vm_eval(t, form);
    }
}

/* prin1 of x as a C string (a static buffer: copy it before the next call). */
static LT_UNUSED const char *printed(LispObj x) {
    static char buf[4096];
    str_to_utf8(pr_prin1_to_string(tc, x), buf, sizeof buf);
    return buf;
}

static LT_UNUSED const char *report(LispObj condition) {
    static char msg[1024];
    if (!condition_p(condition)) return "(not a condition: stack exhausted past its reserve)";
    str_to_utf8(cond_report_string(tc, condition), msg, sizeof msg);
    return msg;
}

/* Table-driven tests: every case runs, each failure goes to stderr, and the
 * test fails at the end with the count and the first failure. */
static int failures;
static char first_failure[1024];
static void note_failure(const char *fmt, ...) __attribute__((format(printf, 1, 2), unused));
static void note_failure(const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "FAIL: %s\n", msg);
    if (failures++ == 0) snprintf(first_failure, sizeof first_failure, "%s", msg);
}

/* A form and the prin1 text of its expected value. */
typedef struct LtCase { const char *src, *expected; } LtCase;

/* Evaluates every case; a mismatch or a signal is noted (note_failure). */
static LT_UNUSED void lt_run_cases(const LtCase *cases, size_t n) {
    for (size_t i = 0; i < n; i++) {
        LispObj result = NIL, condition = NIL;
        if (!vm_call_protected(tc, lt_eval_all, (void *)cases[i].src, &result, &condition)) {
            note_failure("%s signalled: %s", cases[i].src, report(condition));
            continue;
        }
        const char *got = printed(result);
        if (strcmp(got, cases[i].expected) != 0)
            note_failure("%s => %s, expected %s", cases[i].src, got, cases[i].expected);
    }
}

/* main() of a suite: one Lisp, then every test of the suite. */
static LT_UNUSED int lt_run_suite(Suite *(*make)(void), bool nofork) {
    int stack_marker;
    tc = lisp_init(&(LispOptions){0}, &stack_marker);
    SRunner *sr = srunner_create(make());
    if (nofork) srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
