/* lisp/tests/test_packages.c — package.c's symbol tables and the chapter 11
 * primitives: removal keeps linear-probing chains intact (a symbol past a
 * removed slot in its cluster must stay findable), tables grow past many
 * symbols and shrink back, the SYMF_EXTERNAL cache follows export/unexport/
 * unintern, and a deleted package frees its name and its symbols' homes.
 * Operator-level behaviour, checked against SBCL, is in
 * tests/e2e/test_packages.py. */
#include "lisp/tests/lisp_test.h"
#include "lisp/vm_impl.h"

static LispObj eval_str(const char *src) {
    LispObj result, condition;
    if (!vm_call_protected(tc, lt_eval_all, (void *)src, &result, &condition))
        ck_abort_msg("error evaluating %s: %s", src, report(condition));
    return result;
}

/* The symbol named name accessible in pkg, or 0; status through *st. */
static LispObj lookup(const char *name, LispObj pkg, LispObj *st) {
    return pkg_find_symbol(tc, str_from_cstr(tc, name), pkg, st);
}

/* Many names collide in a 64-slot table; uninterning every third symbol
 * must leave every other one findable (probe chains re-inserted). */
START_TEST(test_unintern_keeps_probe_chains) {
    eval_str("(defvar *tp* (make-package \"TP-CHAINS\" :use nil))"
             "(dotimes (i 300) (intern (format nil \"S~D\" i) *tp*))"
             "(dotimes (i 300) (when (zerop (mod i 3)) (unintern (find-symbol (format nil \"S~D\" i) *tp*) *tp*)))");
    LispObj pkg = eval_str("*tp*"), st;
    char name[16];
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "S%d", i);
        LispObj s = lookup(name, pkg, &st);
        if (i % 3 == 0) {
            ck_assert_msg(st == NIL, "%s should be gone", name);
        } else {
            ck_assert_msg(st == S(INTERNAL_KW), "%s lost after removals", name);
            ck_assert(str_equal_cstr(SYM(s)->name, name));
        }
    }
    ck_assert_int_eq(fx_value(PKG(pkg)->n_internals), 200);
}
END_TEST

/* Exporting moves between the two tables; the external flag is a cache of
 * "external in its home package" and must follow. */
START_TEST(test_external_flag_follows) {
    LispObj s = eval_str("(defvar *te* (make-package \"TP-EXT\" :use nil))"
                         "(defvar *ts* (intern \"X\" *te*)) (export *ts* *te*) *ts*");
    LispObj pkg = eval_str("*te*"), st;
    ck_assert(sym_flag_p(s, SYMF_EXTERNAL));
    ck_assert(lookup("X", pkg, &st) == s && st == S(EXTERNAL_KW));
    ck_assert_int_eq(fx_value(PKG(pkg)->n_externals), 1);
    ck_assert_int_eq(fx_value(PKG(pkg)->n_internals), 0);
    eval_str("(unexport *ts* *te*)");
    ck_assert(!sym_flag_p(s, SYMF_EXTERNAL));
    ck_assert(lookup("X", pkg, &st) == s && st == S(INTERNAL_KW));
    eval_str("(export *ts* *te*) (unintern *ts* *te*)");
    ck_assert(!sym_flag_p(s, SYMF_EXTERNAL));
    ck_assert(SYM(s)->package == NIL);
    ck_assert_int_eq(fx_value(PKG(pkg)->n_externals), 0);
    ck_assert_str_eq(printed(s), "#:X");
}
END_TEST

START_TEST(test_delete_package) {
    LispObj p = eval_str("(defvar *td* (make-package \"TP-DEL\" :use nil))"
                         "(defvar *tdu* (make-package \"TP-DEL-USER\" :use (list *td*)))"
                         "(defvar *tds* (intern \"Y\" *td*)) (export *tds* *td*)"
                         "(unuse-package *td* *tdu*) (delete-package *td*) *td*");
    LispObj s = eval_str("*tds*");
    ck_assert(package_p(p) && PKG(p)->name == NIL && PKG(p)->nicknames == NIL);
    ck_assert(SYM(s)->package == NIL && !sym_flag_p(s, SYMF_EXTERNAL));
    ck_assert(pkg_find_cstr(tc, "TP-DEL") == NIL);
    ck_assert(PKG(eval_str("*tdu*"))->use_list == NIL);
    /* The name is free again. */
    ck_assert(package_p(eval_str("(make-package \"TP-DEL\" :use nil)")));
}
END_TEST

/* Shadowing list holds only present symbols: removing one drops it. */
START_TEST(test_shadowing_list) {
    eval_str("(defvar *tsh* (make-package \"TP-SH\" :use '(\"COMMON-LISP\")))"
             "(shadow '(\"CAR\" \"CDR\") *tsh*)");
    LispObj pkg = eval_str("*tsh*"), st;
    ck_assert_int_eq(lisp_list_length(tc, PKG(pkg)->shadowing), 2);
    LispObj car = lookup("CAR", pkg, &st);
    ck_assert(st == S(INTERNAL_KW) && car != S(CAR) && SYM(car)->package == pkg);
    eval_str("(unintern (find-symbol \"CAR\" *tsh*) *tsh*)");
    ck_assert_int_eq(lisp_list_length(tc, PKG(pkg)->shadowing), 1);
    ck_assert(lookup("CAR", pkg, &st) == S(CAR) && st == S(INHERITED_KW));
}
END_TEST

static Suite *packages_suite(void) {
    Suite *s = suite_create("packages");
    TCase *t = tcase_create("core");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, test_unintern_keeps_probe_chains);
    tcase_add_test(t, test_external_flag_follows);
    tcase_add_test(t, test_delete_package);
    tcase_add_test(t, test_shadowing_list);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return lt_run_suite(packages_suite, true); }
