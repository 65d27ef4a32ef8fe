/* lisp/tests/test_struct.c — structure instances (builtins_struct.c): the
 * hooks typep/subtypep/type-of/the printer/#S rely on, layouts across
 * :include and redefinition, and #S printing and reading.  The option-by-
 * option behaviour of DEFSTRUCT, checked against SBCL, is in
 * tests/e2e/test_defstruct.py. */
#include "lisp/tests/lisp_test.h"
#include "lisp/vm_impl.h"

static LispObj eval_str(const char *src) {
    LispObj result, condition;
    if (!vm_call_protected(tc, lt_eval_all, (void *)src, &result, &condition))
        ck_abort_msg("error evaluating %s: %s", src, report(condition));
    return result;
}

static LispObj sym(const char *name) { return pkg_intern_cstr(tc, name, pkg_cl_user); }

START_TEST(test_hooks_follow_include) {
    eval_str("(defstruct ts-a x) (defstruct (ts-b (:include ts-a)) y) (defstruct ts-c z)");
    LispObj a = eval_str("(make-ts-a)"), b = eval_str("(make-ts-b)");
    LispObj A = sym("TS-A"), B = sym("TS-B"), C = sym("TS-C");
    LispObj so = pkg_intern_cstr(tc, "STRUCTURE-OBJECT", pkg_common_lisp);
    ck_assert(lisp_structure_typep(a, A));
    ck_assert(!lisp_structure_typep(a, B));
    ck_assert(lisp_structure_typep(b, A));
    ck_assert(lisp_structure_typep(b, B));
    ck_assert(!lisp_structure_typep(b, C));
    ck_assert(lisp_structure_typep(b, so));
    ck_assert(!lisp_structure_typep(fx_make(1), A));
    ck_assert(!lisp_structure_typep(NIL, so));
    ck_assert(lisp_structure_type_p(A) && lisp_structure_type_p(B) && lisp_structure_type_p(so));
    ck_assert(!lisp_structure_type_p(sym("TS-NOT-A-STRUCT")) && !lisp_structure_type_p(fx_make(3)));
    ck_assert(lisp_structure_subtype_p(B, A) && lisp_structure_subtype_p(B, B));
    ck_assert(!lisp_structure_subtype_p(A, B) && !lisp_structure_subtype_p(C, A));
    ck_assert(lisp_structure_subtype_p(A, so));
    ck_assert(lisp_structure_name(b) == B);
    ck_assert(lisp_structure_name(fx_make(0)) == NIL);
}
END_TEST

/* Typed structures define no type. */
START_TEST(test_typed_is_not_a_type) {
    eval_str("(defstruct (ts-l (:type list) :named) a)");
    ck_assert(!lisp_structure_type_p(sym("TS-L")));
    ck_assert(!lisp_structure_typep(eval_str("(make-ts-l)"), sym("TS-L")));
}
END_TEST

/* Same slots: old instances stay of the type; different slots: a new layout,
 * and the old instances (wrong slot count) are no longer of the type. */
START_TEST(test_redefinition) {
    eval_str("(defstruct ts-r a) (defvar *ts-old* (make-ts-r :a 1)) (defstruct ts-r a)");
    ck_assert(lisp_structure_typep(eval_str("*ts-old*"), sym("TS-R")));
    ck_assert_int_eq(fx_value(eval_str("(ts-r-a *ts-old*)")), 1);
    eval_str("(defstruct ts-r a b)");  /* warns: the old instance is now obsolete */
    ck_assert(!lisp_structure_typep(eval_str("*ts-old*"), sym("TS-R")));
    ck_assert(eval_str("(ts-r-p *ts-old*)") == NIL);
    ck_assert_str_eq(printed(eval_str("(make-ts-r :b 2)")), "#S(TS-R :A NIL :B 2)");
}
END_TEST

START_TEST(test_print_and_read) {
    eval_str("(defstruct ts-p x (y 0))");
    ck_assert_str_eq(printed(eval_str("(make-ts-p :x \"s\")")), "#S(TS-P :X \"s\" :Y 0)");
    ck_assert_str_eq(printed(eval_str("(read-from-string \"#S(ts-p :y (1 2))\")")),
                     "#S(TS-P :X NIL :Y (1 2))");
    ck_assert_str_eq(printed(eval_str("(copy-structure (make-ts-p :x 1))")), "#S(TS-P :X 1 :Y 0)");
    LispObj result, condition;
    ck_assert(!vm_call_protected(tc, lt_eval_all, (void *)"(read-from-string \"#S(ts-nope)\")",
                                 &result, &condition));
    ck_assert(cond_typep(condition, S(READER_ERROR)));
    ck_assert(!vm_call_protected(tc, lt_eval_all, (void *)"(ts-p-x 5)", &result, &condition));
    ck_assert(cond_typep(condition, S(TYPE_ERROR)));
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("struct");
    TCase *c = tcase_create("core");
    tcase_add_test(c, test_hooks_follow_include);
    tcase_add_test(c, test_typed_is_not_a_type);
    tcase_add_test(c, test_redefinition);
    tcase_add_test(c, test_print_and_read);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return lt_run_suite(make_suite, false); }
