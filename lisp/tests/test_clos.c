/* lisp/tests/test_clos.c — the object model under CLOS (builtins_clos.c):
 * CLASS-OF for every kind of object, the TYPEP/TYPE-OF/printer hooks on
 * standard instances and class objects, generic functions recognised from
 * their closures, the C dispatch cache (%GF-LOOKUP) and its invalidation,
 * and the lazy update of instances after a class redefinition.  The
 * language-level behaviour, checked against SBCL, is in
 * tests/e2e/test_clos.py and conformance/tests/7. */
#include "lisp/tests/lisp_test.h"
#include "lisp/vm_impl.h"
#include "lisp/types_impl.h"

static LispObj eval_str(const char *src) {
    LispObj result, condition;
    if (!vm_call_protected(tc, lt_eval_all, (void *)src, &result, &condition))
        ck_abort_msg("error evaluating %s: %s", src, report(condition));
    return result;
}

static LispObj sym(const char *name) { return pkg_intern_cstr(tc, name, pkg_cl_user); }

static const char *class_name_of(const char *src) {
    static char buf[4096];
    LispObj c = clos_class_of(tc, eval_str(src));
    snprintf(buf, sizeof buf, "%s", printed(vm_funcall1(tc, eval_str("(function class-name)"), c)));
    return buf;
}

START_TEST(test_class_of_every_kind) {
    static const struct { const char *src, *name; } cases[] = {
        {"1", "INTEGER"}, {"(expt 2 100)", "INTEGER"}, {"1/2", "RATIO"}, {"1.0", "SINGLE-FLOAT"},
        {"1d0", "DOUBLE-FLOAT"}, {"#c(1 2)", "COMPLEX"}, {"#\\a", "CHARACTER"}, {"'a", "SYMBOL"},
        {"nil", "NULL"}, {"'(1)", "CONS"}, {"\"s\"", "STRING"}, {"#(1)", "VECTOR"},
        {"#*1", "BIT-VECTOR"}, {"(make-array '(2 2))", "ARRAY"}, {"(make-hash-table)", "HASH-TABLE"},
        {"*package*", "PACKAGE"}, {"#'car", "FUNCTION"}, {"(lambda (x) x)", "FUNCTION"},
        {"(make-string-output-stream)", "STRING-STREAM"}, {"*readtable*", "READTABLE"},
        {"(make-condition 'type-error)", "TYPE-ERROR"}, {"(find-class 't)", "BUILT-IN-CLASS"},
        {"(find-class 'standard-object)", "STANDARD-CLASS"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (strcmp(class_name_of(cases[i].src), cases[i].name) != 0)
            note_failure("class-of %s: %s, expected %s", cases[i].src, class_name_of(cases[i].src), cases[i].name);
    int n = failures;
    failures = 0;
    ck_assert_msg(n == 0, "%d failed, first: %s", n, first_failure);
}
END_TEST

START_TEST(test_instances_and_hooks) {
    eval_str("(defclass tc-a () ((x :initarg :x))) (defclass tc-b (tc-a) ())");
    LispObj b = eval_str("(make-instance 'tc-b :x 1)");
    ck_assert(kind_p(b, KIND_STD_INSTANCE));
    ck_assert(lisp_typep(tc, b, sym("TC-A")));
    ck_assert(lisp_typep(tc, b, eval_str("(find-class 'tc-a)")));
    ck_assert(lisp_typep(tc, b, pkg_intern_cstr(tc, "STANDARD-OBJECT", pkg_common_lisp)));
    ck_assert(!lisp_typep(tc, eval_str("(make-instance 'tc-a)"), sym("TC-B")));
    ck_assert(!lisp_typep(tc, fx_make(1), sym("TC-A")));
    ck_assert(clos_type_of(b) == sym("TC-B"));
    ck_assert(clos_class_p(eval_str("(find-class 'tc-a)")) && !clos_class_p(b));
    ck_assert(ty_known_atomic_p(sym("TC-A")));
    ck_assert_int_eq(strncmp(printed(b), "#<TC-B {", 8), 0);
}
END_TEST

START_TEST(test_generic_function_closures) {
    LispObj f = eval_str("(defgeneric tc-g (x)) (defmethod tc-g ((x integer)) (* x 2)) #'tc-g");
    LispObj name = NIL;
    ck_assert(clos_gf_name(f, &name) && name == sym("TC-G"));
    ck_assert(!clos_gf_name(eval_str("#'car"), &name));
    ck_assert(lisp_typep(tc, f, pkg_intern_cstr(tc, "GENERIC-FUNCTION", pkg_common_lisp)));
    ck_assert_int_eq(strncmp(printed(f), "#<STANDARD-GENERIC-FUNCTION TC-G", 32), 0);
}
END_TEST

/* The C cache answers only after a miss filled it, and forgets it when a
 * method is added (the epoch moves). */
START_TEST(test_dispatch_cache) {
    eval_str("(defgeneric tc-d (x)) (defmethod tc-d ((x integer)) 'int)");
    const char *lookup = "(sys::%gf-lookup (sys::%closure-gf #'tc-d) (list 1))";
    ck_assert(eval_str(lookup) == NIL);
    ck_assert(eval_str("(tc-d 1)") == sym("INT"));
    ck_assert(eval_str(lookup) != NIL);
    ck_assert(eval_str("(sys::%gf-lookup (sys::%closure-gf #'tc-d) (list 1 2))") == NIL);
    eval_str("(defmethod tc-d ((x number)) 'num)");
    ck_assert(eval_str(lookup) == NIL);
    ck_assert(eval_str("(list (tc-d 1) (tc-d 1.5))") != NIL);
    ck_assert_str_eq(printed(eval_str("(list (tc-d 1) (tc-d 1.5))")), "(INT NUM)");
    /* EQL specializers: the key is the matching specializer, else the class. */
    eval_str("(defgeneric tc-e (x y)) (defmethod tc-e ((x (eql :k)) y) 'k) (defmethod tc-e (x (y integer)) 'i)");
    ck_assert_str_eq(printed(eval_str("(list (tc-e :k 1) (tc-e :j 1) (tc-e :k 'a))")), "(K I K)");
    ck_assert(eval_str("(sys::%gf-lookup (sys::%closure-gf #'tc-e) (list :k 1))") != NIL);
    ck_assert(eval_str("(sys::%gf-lookup (sys::%closure-gf #'tc-e) (list :j 1))") != NIL);
    ck_assert(eval_str("(sys::%gf-lookup (sys::%closure-gf #'tc-e) (list :j 2.0))") == NIL);
}
END_TEST

START_TEST(test_redefinition_updates_instances) {
    eval_str("(defclass tc-r () ((a :initform 1 :accessor tc-r-a)))"
             "(defvar *tc-old* (make-instance 'tc-r))"
             "(defclass tc-r () ((z :initform 0) (a :initform 1 :accessor tc-r-a)))");
    ck_assert_str_eq(printed(eval_str("(list (tc-r-a *tc-old*) (slot-value *tc-old* 'z))")), "(1 0)");
    LispObj result, condition;
    ck_assert(!vm_call_protected(tc, lt_eval_all, (void *)"(slot-value (make-instance 'tc-a) 'nope)",
                                 &result, &condition));
    ck_assert(cond_typep(condition, S(ERROR)));
    ck_assert(!vm_call_protected(tc, lt_eval_all, (void *)"(defclass tc-u () ((u))) (slot-value (make-instance 'tc-u) 'u)",
                                 &result, &condition));
    ck_assert(cond_typep(condition, S(UNBOUND_SLOT)));
}
END_TEST

static Suite *make_suite(void) {
    Suite *s = suite_create("clos");
    TCase *c = tcase_create("core");
    tcase_add_test(c, test_class_of_every_kind);
    tcase_add_test(c, test_instances_and_hooks);
    tcase_add_test(c, test_generic_function_closures);
    tcase_add_test(c, test_dispatch_cache);
    tcase_add_test(c, test_redefinition_updates_instances);
    suite_add_tcase(s, c);
    return s;
}

int main(void) { return lt_run_suite(make_suite, false); }
