/* lisp/tests/test_builtins.c — Check suite for the C builtins
 * (builtins_list.c, builtins_pred.c, builtins_num.c, builtins_symbol.c,
 * builtins_string.c, builtins_vector.c), exercised through the evaluator.
 *
 * Each case is a form and the text prin1 gives for its value (multiple
 * values are collected with (multiple-value-call #'list ...)), or a form and
 * the condition type it must signal.  Expected answers are those of SBCL 2.x
 * where the CLHS leaves a choice (e.g. PAIRLIS order, (make-array 3)
 * filling with 0), except TYPE-OF, documented in builtins_pred.c.
 *
 * The Lisp is initialised once in main (works with CK_FORK=no). */
#include "lisp/tests/lisp_test.h"
#include "lisp/builtins_impl.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>


typedef LtCase Case;
typedef struct ErrCase { const char *src; int type; } ErrCase;

/* Condition types by name, resolved at run time (S() is not a constant). */
enum { E_TYPE, E_PROGRAM, E_ARITH, E_DIV0, E_ERROR, E_PARSE, E_UNBOUND, E_UNDEFINED, E_PACKAGE,
       E_FLOAT_OVERFLOW };
static LispObj err_type(int e) {
    switch (e) {
    case E_TYPE: return S(TYPE_ERROR);
    case E_PROGRAM: return S(PROGRAM_ERROR);
    case E_ARITH: return S(ARITHMETIC_ERROR);
    case E_DIV0: return S(DIVISION_BY_ZERO);
    case E_PARSE: return S(PARSE_ERROR);
    case E_UNBOUND: return S(UNBOUND_VARIABLE);
    case E_UNDEFINED: return S(UNDEFINED_FUNCTION);
    case E_PACKAGE: return S(PACKAGE_ERROR);
    case E_FLOAT_OVERFLOW: return S(FLOATING_POINT_OVERFLOW);
    default: return S(ERROR);
    }
}

static LispObj eval_job(ThContext *t, void *data) {
    return vm_eval(t, rd_read_from_cstr(t, (const char *)data));
}



/* Every case of a table runs; each failure is reported on stderr and the
 * test fails at the end with the count and the first failure. */


static void run_errors(const ErrCase *cases, size_t n) {
    for (size_t i = 0; i < n; i++) {
        LispObj result = NIL, condition = NIL;
        if (vm_call_protected(tc, eval_job, (void *)cases[i].src, &result, &condition)) {
            note_failure("%s should have signalled, returned %s", cases[i].src, printed(result));
            continue;
        }
        LispObj type = err_type(cases[i].type);
        if (cond_typep(condition, type)) continue;
        char got[256];
        size_t len = strlen(printed(CND(condition)->type));
        if (len >= sizeof got) len = sizeof got - 1;
        memcpy(got, printed(CND(condition)->type), len);  /* printed() reuses its buffer */
        got[len] = 0;
        note_failure("%s signalled %s (%s), expected %s", cases[i].src, got, report(condition),
             printed(type));
    }
}

/* Evaluates src; a signal counts as a failure (and returns NIL). */
static LispObj ev(const char *src) {
    LispObj result = NIL, condition = NIL;
    if (!vm_call_protected(tc, eval_job, (void *)src, &result, &condition)) {
        note_failure("%s signalled: %s", src, report(condition));
        return NIL;
    }
    return result;
}

/* Ends a test: fails it if any case failed. */
static void done(void) {
    int n = failures;
    failures = 0;
    ck_assert_msg(n == 0, "%d failed, first: %s", n, first_failure);
}

#define RUN(cases) lt_run_cases(cases, sizeof cases / sizeof cases[0])
#define RUN_ERRORS(cases) run_errors(cases, sizeof cases / sizeof cases[0])

/* ---------------------------------------------------------------- lists */

START_TEST(test_list_basic) {
    static const Case cases[] = {
        {"(car '(1 2))", "1"}, {"(car nil)", "NIL"}, {"(cdr '(1 2))", "(2)"}, {"(cdr nil)", "NIL"},
        {"(cadr '(1 2 3))", "2"}, {"(cddr '(1 2 3))", "(3)"}, {"(caddr '(1 2 3))", "3"},
        {"(cadddr '(1 2 3 4))", "4"}, {"(caar '((1) 2))", "1"}, {"(cdar '((1 . 5)))", "5"},
        {"(cddddr '(1 2 3 4 5))", "(5)"}, {"(cadr nil)", "NIL"},
        {"(first '(1 2 3))", "1"}, {"(second '(1 2 3))", "2"}, {"(third '(1 2 3))", "3"},
        {"(tenth '(1 2 3))", "NIL"}, {"(tenth '(1 2 3 4 5 6 7 8 9 10))", "10"}, {"(rest '(1 2))", "(2)"},
        {"(cons 1 2)", "(1 . 2)"}, {"(list)", "NIL"}, {"(list 1 2 3)", "(1 2 3)"},
        {"(list* 1 2 '(3 4))", "(1 2 3 4)"}, {"(list* 1)", "1"}, {"(list* 1 2)", "(1 . 2)"},
        {"(append)", "NIL"}, {"(append '(1) '(2) 3)", "(1 2 . 3)"}, {"(append nil nil)", "NIL"},
        {"(append '(1 2) nil)", "(1 2)"}, {"(append nil '(1))", "(1)"},
        {"(let ((x (list 3))) (eq (cdr (append '(1) x)) x))", "T"},
        {"(let ((x (list 1))) (eq (append x) x))", "T"},
        {"(nconc (list 1 2) nil (list 3) 4)", "(1 2 3 . 4)"}, {"(nconc)", "NIL"}, {"(nconc nil 5)", "5"},
        {"(reverse '(1 2 3))", "(3 2 1)"}, {"(reverse nil)", "NIL"}, {"(reverse \"abc\")", "\"cba\""},
        {"(reverse #(1 2 3))", "#(3 2 1)"}, {"(nreverse (list 1 2 3))", "(3 2 1)"},
        {"(nreverse (vector 1 2 3 4))", "#(4 3 2 1)"}, {"(nreverse (copy-seq \"ab\"))", "\"ba\""},
        {"(length '(1 2 3))", "3"}, {"(length \"hello\")", "5"}, {"(length #())", "0"}, {"(length nil)", "0"},
        {"(nth 1 '(a b c))", "B"}, {"(nth 5 '(a b))", "NIL"}, {"(nthcdr 2 '(a b c))", "(C)"},
        {"(nthcdr 0 '(a))", "(A)"}, {"(nthcdr 2 '(a b . c))", "C"},
        {"(let ((l (list 1 2 3))) (rplacd (cddr l) l) (car (nthcdr 1000000000001 l)))", "3"},
        {"(last '(1 2 3))", "(3)"}, {"(last '(1 2 3) 2)", "(2 3)"}, {"(last '(1 2 3) 0)", "NIL"},
        {"(last '(1 2 . 3))", "(2 . 3)"}, {"(last nil)", "NIL"}, {"(last '(1 2) 10)", "(1 2)"},
        {"(butlast '(1 2 3))", "(1 2)"}, {"(butlast '(1 2 3) 5)", "NIL"}, {"(butlast '(1 2 3) 0)", "(1 2 3)"},
        {"(butlast '(1 2 . 3))", "(1)"}, {"(butlast nil)", "NIL"},
        {"(copy-list '(1 2 . 3))", "(1 2 . 3)"}, {"(copy-list nil)", "NIL"},
        {"(let ((l (list 1 2))) (eq l (copy-list l)))", "NIL"},
        {"(copy-tree '((1 2) (3 . 4) 5))", "((1 2) (3 . 4) 5)"}, {"(copy-tree 7)", "7"},
        {"(let ((l (list (list 1)))) (eq (car l) (car (copy-tree l))))", "NIL"},
    };
    RUN(cases);
    done();
}
END_TEST

START_TEST(test_list_search) {
    static const Case cases[] = {
        {"(member 2 '(1 2 3))", "(2 3)"}, {"(member 5 '(1 2))", "NIL"}, {"(member 1 nil)", "NIL"},
        {"(member \"b\" '(\"a\" \"b\") :test #'equal)", "(\"b\")"},
        {"(member \"b\" '(\"a\" \"b\"))", "NIL"},
        {"(member 2 '(1 2 3) :test-not #'eql)", "(1 2 3)"},
        {"(member 3 '((1) (3) (4)) :key #'car)", "((3) (4))"},
        {"(member 2.0 '(1 2 3) :test #'=)", "(2 3)"},
        {"(member 1 '(1) :bogus 2 :allow-other-keys t)", "(1)"},
        {"(member 1 '(1) :allow-other-keys nil)", "(1)"},
        {"(member 'b '(a b) :test 'eq)", "(B)"},
        {"(assoc 'b '((a . 1) (b . 2)))", "(B . 2)"}, {"(assoc 'c '((a . 1)))", "NIL"},
        {"(assoc 2 '(nil (2 . x)))", "(2 . X)"}, {"(rassoc 2 '((a . 1) (b . 2)))", "(B . 2)"},
        {"(assoc \"B\" '((\"a\" . 1) (\"b\" . 2)) :test #'string-equal)", "(\"b\" . 2)"},
        {"(assoc 3 '((1 . a) (5 . b)) :key #'1+ :test #'<)", "(5 . B)"},
        {"(acons 'a 1 nil)", "((A . 1))"}, {"(pairlis '(a b) '(1 2))", "((B . 2) (A . 1))"},
        {"(pairlis '(a) '(1) '((z . 0)))", "((A . 1) (Z . 0))"},
        {"(getf '(:a 1 :b 2) :b)", "2"}, {"(getf '(:a 1) :c 9)", "9"}, {"(getf nil :c)", "NIL"},
        {"(get 'builtins-test-sym 'prop 7)", "7"},
        {"(progn (sys::%put 'builtins-test-sym 'prop 3) (get 'builtins-test-sym 'prop))", "3"},
        {"(progn (sys::%put 'builtins-test-sym 'prop 4) (symbol-plist 'builtins-test-sym))", "(PROP 4)"},
        {"(remprop 'builtins-test-sym 'prop)", "T"}, {"(get 'builtins-test-sym 'prop)", "NIL"},
        {"(endp nil)", "T"}, {"(endp '(1))", "NIL"},
        {"(list-length '(1 2))", "2"}, {"(list-length nil)", "0"},
        {"(let ((l (list 1 2))) (rplacd (cdr l) l) (list-length l))", "NIL"},
        {"(let ((c (list 1 2))) (rplaca c 9) c)", "(9 2)"}, {"(rplacd (list 1) 2)", "(1 . 2)"},
    };
    RUN(cases);
    done();
}
END_TEST

START_TEST(test_list_map) {
    static const Case cases[] = {
        {"(mapcar #'+ '(1 2 3) '(10 20))", "(11 22)"}, {"(mapcar #'car '((1) (2)))", "(1 2)"},
        {"(mapcar '1+ nil)", "NIL"}, {"(mapcar #'list '(1 2) '(a b) '(x y))", "((1 A X) (2 B Y))"},
        {"(mapc #'+ '(1 2))", "(1 2)"}, {"(maplist #'length '(1 2 3))", "(3 2 1)"},
        {"(mapl #'car '(1 2))", "(1 2)"}, {"(mapcan #'list '(1 2) '(3 4))", "(1 3 2 4)"},
        {"(mapcan (lambda (x) (if (evenp x) (list x) nil)) '(1 2 3 4))", "(2 4)"},
        {"(mapcon #'copy-list '(1 2 3))", "(1 2 3 2 3 3)"},
        {"(let ((n 0)) (mapc (lambda (x) (setq n (+ n x))) '(1 2 3)) n)", "6"},
        {"(let ((l (list 1 2))) (rplacd (cdr l) l) (mapcar #'+ l '(1 2 3 4 5)))", "(2 4 4 6 6)"},
    };
    RUN(cases);
    done();
}
END_TEST

START_TEST(test_list_errors) {
    static const ErrCase cases[] = {
        {"(car 5)", E_TYPE}, {"(cdr \"x\")", E_TYPE}, {"(cadr '(1 . 2))", E_TYPE},
        {"(first 'a)", E_TYPE}, {"(rest 1.0)", E_TYPE},
        {"(length '(1 . 2))", E_TYPE}, {"(length 5)", E_TYPE},
        {"(let ((l (list 1))) (rplacd l l) (length l))", E_TYPE},
        {"(let ((l (list 1 2 3))) (rplacd (cddr l) l) (reverse l))", E_TYPE},
        {"(let ((l (list 1 2 3))) (rplacd (cddr l) l) (member 5 l))", E_TYPE},
        {"(let ((l (list 1 2 3))) (rplacd (cddr l) l) (last l))", E_TYPE},
        {"(nth -1 '(1))", E_TYPE}, {"(nth 'a '(1))", E_TYPE}, {"(nthcdr 3 '(1 . 2))", E_TYPE},
        {"(endp 5)", E_TYPE}, {"(rplaca nil 1)", E_TYPE}, {"(rplacd 5 1)", E_TYPE},
        {"(member 1 '(2 . 3))", E_TYPE}, {"(assoc 1 '(2))", E_TYPE}, {"(mapcar #'car '(1))", E_TYPE},
        {"(mapcar #'car 5)", E_TYPE}, {"(append '(1 . 2) '(3))", E_TYPE}, {"(append 1 '(3))", E_TYPE},
        {"(nconc 1 '(3))", E_TYPE}, {"(getf '(:a) :b)", E_TYPE}, {"(getf '(:a 1 . 2) :b)", E_TYPE},
        {"(list-length '(1 . 2))", E_TYPE}, {"(get 5 'a)", E_TYPE}, {"(last '(1) -1)", E_TYPE},
        {"(pairlis '(a b) '(1))", E_ERROR}, {"(copy-list 5)", E_TYPE},
        {"(member 1 '(1) :bogus 2)", E_PROGRAM}, {"(member 1 '(1) :test)", E_PROGRAM},
        {"(member 1 '(1) 5 6)", E_PROGRAM},
        {"(member 1 '(1) :test #'eql :test-not #'eql)", E_PROGRAM},
        {"(mapcar 'no-such-function-xyz '(1))", E_UNDEFINED},
        {"(mapcar 5 '(1))", E_TYPE},
    };
    RUN_ERRORS(cases);
    done();
}
END_TEST

/* ---------------------------------------------------------------- predicates */

START_TEST(test_predicates) {
    static const Case cases[] = {
        {"(eq 'a 'a)", "T"}, {"(eq (list 1) (list 1))", "NIL"}, {"(eql 1.0 1.0)", "T"},
        {"(eql 1 1.0)", "NIL"}, {"(eql 1/2 1/2)", "T"}, {"(eql 1.5d0 1.5d0)", "T"},
        {"(eql 0.0 -0.0)", "NIL"}, {"(eql #\\a #\\a)", "T"}, {"(eql \"a\" \"a\")", "NIL"},
        {"(equal '(1 (2 \"x\")) (list 1 (list 2 \"x\")))", "T"}, {"(equal \"a\" \"A\")", "NIL"},
        {"(equal 1 1.0)", "NIL"}, {"(equal #(1) #(1))", "NIL"}, {"(equal '(1 . 2) '(1 . 2))", "T"},
        {"(equalp \"a\" \"A\")", "T"}, {"(equalp 1 1.0)", "T"}, {"(equalp 1/2 0.5d0)", "T"},
        {"(equalp #(1 \"A\") (vector 1.0 \"a\"))", "T"}, {"(equalp '(#\\a) '(#\\A))", "T"},
        {"(equalp \"ab\" #(#\\A #\\b))", "T"}, {"(equalp #(1 2) #(1 2 3))", "NIL"},
        {"(not nil)", "T"}, {"(not 3)", "NIL"}, {"(null 1)", "NIL"}, {"(null nil)", "T"},
        {"(atom 1)", "T"}, {"(atom '(1))", "NIL"}, {"(consp nil)", "NIL"}, {"(listp nil)", "T"},
        {"(listp 1)", "NIL"}, {"(symbolp nil)", "T"}, {"(symbolp \"a\")", "NIL"},
        {"(keywordp :a)", "T"}, {"(keywordp 'a)", "NIL"}, {"(stringp \"a\")", "T"},
        {"(characterp #\\a)", "T"}, {"(functionp #'car)", "T"}, {"(functionp 'car)", "NIL"},
        {"(functionp (lambda (x) x))", "T"},
        {"(numberp 1/2)", "T"}, {"(numberp 'a)", "NIL"}, {"(integerp 1.0)", "NIL"}, {"(integerp -5)", "T"},
        {"(rationalp 1/2)", "T"}, {"(rationalp 0.5)", "NIL"}, {"(floatp 1.5d0)", "T"}, {"(realp 1)", "T"},
        {"(vectorp \"a\")", "T"}, {"(vectorp '(1))", "NIL"}, {"(simple-vector-p #(1))", "T"},
        {"(simple-vector-p \"a\")", "NIL"}, {"(arrayp #(1))", "T"},
        {"(packagep (find-package \"CL\"))", "T"}, {"(packagep \"CL\")", "NIL"},
        {"(zerop 0.0)", "T"}, {"(zerop 0)", "T"}, {"(zerop 1/2)", "NIL"}, {"(plusp 1/2)", "T"},
        {"(plusp 0)", "NIL"}, {"(minusp -0.5)", "T"}, {"(minusp -0.0)", "NIL"},
        {"(evenp 0)", "T"}, {"(oddp -3)", "T"}, {"(evenp -3)", "NIL"},
        {"(type-of 1)", "BIT"}, {"(type-of 0)", "BIT"}, {"(type-of 5)", "FIXNUM"},
        {"(type-of -5)", "FIXNUM"}, {"(type-of nil)", "NULL"}, {"(type-of t)", "BOOLEAN"},
        {"(type-of :k)", "KEYWORD"}, {"(type-of 'a)", "SYMBOL"},
        {"(type-of \"ab\")", "(SIMPLE-ARRAY CHARACTER (2))"}, {"(type-of '(1))", "CONS"},
        {"(type-of #'car)", "COMPILED-FUNCTION"}, {"(type-of (lambda (x) x))", "COMPILED-FUNCTION"},
        {"(type-of 1/2)", "RATIO"}, {"(type-of 1.0)", "SINGLE-FLOAT"}, {"(type-of 1d0)", "DOUBLE-FLOAT"},
        {"(type-of #\\a)", "CHARACTER"}, {"(type-of #(1 2))", "(SIMPLE-VECTOR 2)"},
        {"(type-of (find-package \"CL\"))", "PACKAGE"},
    };
    RUN(cases);
    static const ErrCase errors[] = {
        {"(zerop 'a)", E_TYPE}, {"(plusp \"1\")", E_TYPE}, {"(evenp 1.0)", E_TYPE},
        {"(oddp nil)", E_TYPE}, {"(minusp #\\a)", E_TYPE},
    };
    RUN_ERRORS(errors);
    done();
}
END_TEST

/* ---------------------------------------------------------------- numbers */

START_TEST(test_num_arith) {
    static const Case cases[] = {
        {"(+)", "0"}, {"(+ 1 2 3)", "6"}, {"(+ 5)", "5"}, {"(+ 1/2 1/3)", "5/6"}, {"(+ 1/2 1/2)", "1"},
        {"(+ 1 0.5)", "1.5"}, {"(+ 1 0.5d0)", "1.5d0"}, {"(+ 0.5 0.25d0)", "0.75d0"},
        {"(+ 1/2 0.5)", "1.0"},
        {"(- 5)", "-5"}, {"(- 10 1 2)", "7"}, {"(- 1/2)", "-1/2"}, {"(- 1/2 1/2)", "0"},
        {"(- 2.5)", "-2.5"}, {"(*)", "1"}, {"(* 2 3/4)", "3/2"}, {"(* 1.5 2)", "3.0"},
        {"(* 2/3 3/2)", "1"}, {"(* -3 4)", "-12"},
        {"(/ 2)", "1/2"}, {"(/ 6 3)", "2"}, {"(/ 6 4)", "3/2"}, {"(/ -6 4)", "-3/2"},
        {"(/ 1 -2)", "-1/2"}, {"(/ 1.0 4)", "0.25"}, {"(/ 1/2 1/4)", "2"}, {"(/ 60 2 3)", "10"},
        {"(1+ 1)", "2"}, {"(1- 0)", "-1"}, {"(1+ 1/2)", "3/2"}, {"(1+ 0.5)", "1.5"},
        {"(+ 2305843009213693950 1)", "2305843009213693951"},
        {"(- -2305843009213693951 1)", "-2305843009213693952"},
        {"(* 1152921504606846975 2)", "2305843009213693950"},
        {"(+ 1/3 1/6)", "1/2"}, {"(* 1000000007/3 3/1000000007)", "1"},
        {"(+ 2305843009213693951/2 1/2)", "1152921504606846976"},
        {"(max 1 3 2)", "3"}, {"(min 1 -3 2)", "-3"}, {"(max 1/2 1/3)", "1/2"}, {"(max 5)", "5"},
        {"(abs -5)", "5"}, {"(abs -1/2)", "1/2"}, {"(abs -1.5)", "1.5"}, {"(abs 0)", "0"},
        {"(signum -7)", "-1"}, {"(signum 2.5)", "1.0"}, {"(signum 0)", "0"},
        {"(numerator 6/4)", "3"}, {"(denominator 6/4)", "2"}, {"(denominator 5)", "1"},
        {"(numerator -1/2)", "-1"}, {"(float 1)", "1.0"}, {"(float 1/2 1d0)", "0.5d0"},
        {"(float 1.5)", "1.5"}, {"(float 0.5d0 1.0)", "0.5"},
    };
    RUN(cases);
    done();
}
END_TEST

START_TEST(test_num_compare) {
    static const Case cases[] = {
        {"(= 1 1.0)", "T"}, {"(= 1/2 0.5)", "T"}, {"(= 1 2)", "NIL"}, {"(= 3)", "T"},
        {"(= 1 1 1)", "T"}, {"(= 1 1 2)", "NIL"},
        {"(/= 1 2 1)", "NIL"}, {"(/= 1 2 3)", "T"}, {"(/= 1)", "T"},
        {"(< 1 2 3)", "T"}, {"(< 1 3 2)", "NIL"}, {"(< 1 1)", "NIL"}, {"(<= 1 1 2)", "T"},
        {"(> 3 2 1)", "T"}, {"(>= 2 2 3)", "NIL"}, {"(>= 3 2 2)", "T"},
        {"(< 1/3 0.33333334)", "T"}, {"(= 1/3 0.33333334)", "NIL"}, {"(> 1/3 0.3333333)", "T"},
        {"(< 2305843009213693951 2.305843009213694d18)", "T"},
        {"(= 2305843009213693951 2.305843009213694d18)", "NIL"},
        {"(= 1152921504606846976 1.152921504606847d18)", "T"},
        {"(< -1/2 -0.49999999999999994d0)", "T"}, {"(= 1/1024 0.0009765625)", "T"},
        {"(< 1/3 1/2)", "T"}, {"(> -1/3 -1/2)", "T"}, {"(= 0 -0.0)", "T"},
        {"(< 1 1.5 2)", "T"}, {"(< 0.1d0 1/10)", "NIL"}, {"(> 0.1d0 1/10)", "T"},
    };
    RUN(cases);
    done();
}
END_TEST

START_TEST(test_num_division) {
    static const Case cases[] = {
        {"(multiple-value-call #'list (floor 7 2))", "(3 1)"},
        {"(multiple-value-call #'list (floor -7 2))", "(-4 1)"},
        {"(multiple-value-call #'list (floor 7 -2))", "(-4 -1)"},
        {"(multiple-value-call #'list (ceiling 7 2))", "(4 -1)"},
        {"(multiple-value-call #'list (truncate -7 2))", "(-3 -1)"},
        {"(multiple-value-call #'list (truncate 7))", "(7 0)"},
        {"(multiple-value-call #'list (round 5 2))", "(2 1)"},
        {"(multiple-value-call #'list (round 7 2))", "(4 -1)"},
        {"(multiple-value-call #'list (round -5 2))", "(-2 -1)"},
        {"(multiple-value-call #'list (round -7 2))", "(-4 1)"},
        {"(multiple-value-call #'list (floor 7/2))", "(3 1/2)"},
        {"(multiple-value-call #'list (ceiling 7/2))", "(4 -1/2)"},
        {"(multiple-value-call #'list (floor 2.5))", "(2 0.5)"},
        {"(multiple-value-call #'list (round 2.5))", "(2 0.5)"},
        {"(multiple-value-call #'list (round 3.5))", "(4 -0.5)"},
        {"(multiple-value-call #'list (floor -0.5))", "(-1 0.5)"},
        {"(multiple-value-call #'list (truncate 5 1/2))", "(10 0)"},
        {"(multiple-value-call #'list (floor 1/2 1/3))", "(1 1/6)"},
        {"(multiple-value-call #'list (floor 5.0d0 2))", "(2 1.0d0)"},
        {"(mod -7 2)", "1"}, {"(rem -7 2)", "-1"}, {"(mod 7 -2)", "-1"}, {"(mod 5.5 2)", "1.5"},
        {"(rem 7 7)", "0"}, {"(mod 0 5)", "0"},
        {"(gcd)", "0"}, {"(gcd 12 18)", "6"}, {"(gcd -12 18)", "6"}, {"(gcd 0 5)", "5"},
        {"(lcm 4 6)", "12"}, {"(lcm)", "1"}, {"(lcm 0 5)", "0"}, {"(lcm -4 6)", "12"},
        {"(ash 1 10)", "1024"}, {"(ash -8 -1)", "-4"}, {"(ash 1 -100)", "0"}, {"(ash -1 -100)", "-1"},
        {"(ash 1 60)", "1152921504606846976"}, {"(ash -1 61)", "-2305843009213693952"},
        {"(ash 0 1000)", "0"}, {"(ash -7 -1)", "-4"},
        {"(logand 12 10)", "8"}, {"(logior 12 10)", "14"}, {"(logxor 12 10)", "6"},
        {"(lognot 0)", "-1"}, {"(logand)", "-1"}, {"(logior)", "0"}, {"(logand -1 5)", "5"},
        {"(logbitp 1 2)", "T"}, {"(logbitp 0 2)", "NIL"}, {"(logbitp 100 -1)", "T"},
        {"(integer-length 255)", "8"}, {"(integer-length -1)", "0"}, {"(isqrt 17)", "4"},
    };
    RUN(cases);
    done();
}
END_TEST

START_TEST(test_num_expt_float) {
    static const Case cases[] = {
        {"(expt 2 10)", "1024"}, {"(expt 2 -2)", "1/4"}, {"(expt 2/3 2)", "4/9"},
        {"(expt -2/3 -3)", "-27/8"}, {"(expt 2.0 3)", "8.0"}, {"(expt 0 0)", "1"},
        {"(expt 4 1/2)", "2.0"}, {"(expt 2 60)", "1152921504606846976"},
        {"(expt -1 1000000000001)", "-1"}, {"(expt 1 1000000000000)", "1"}, {"(expt 0 5)", "0"},
        {"(expt 2.0d0 -1)", "0.5d0"}, {"(expt 0.0 0)", "1.0"},
        {"(sqrt 4)", "2.0"}, {"(sqrt 2.25d0)", "1.5d0"}, {"(sqrt 0)", "0.0"},
        {"(exp 0)", "1.0"}, {"(log 1)", "0.0"}, {"(sin 0)", "0.0"}, {"(cos 0)", "1.0"},
        {"(tan 0d0)", "0.0d0"}, {"(atan 0)", "0.0"}, {"(atan 0 1)", "0.0"}, {"(log 8 2)", "3.0"},
        {"(< (random 10) 10)", "T"}, {"(integerp (random 10))", "T"}, {"(random 1)", "0"},
        {"(floatp (random 1.0))", "T"}, {"(< (random 2.0d0) 2)", "T"},
    };
    RUN(cases);
    done();
}
END_TEST

/* Results that left the fixnum range used to signal (no bignums then):
 * they are now exact integers and ratios. */
START_TEST(test_num_bignum) {
    static const Case cases[] = {
        {"(+ 2305843009213693951 1)", "2305843009213693952"},
        {"(* 2305843009213693951 2)", "4611686018427387902"},
        {"(- -2305843009213693952 1)", "-2305843009213693953"},
        {"(- -2305843009213693952)", "2305843009213693952"},
        {"(abs -2305843009213693952)", "2305843009213693952"},
        {"(1+ 2305843009213693951)", "2305843009213693952"},
        {"(1- -2305843009213693952)", "-2305843009213693953"},
        {"(* 3037000500 3037000500)", "9223372037000250000"},
        {"(ash 1 61)", "2305843009213693952"}, {"(ash -1 62)", "-4611686018427387904"},
        {"(ash (ash 1 1000) -999)", "2"}, {"(ash (- (ash 1 100)) -99)", "-2"},
        {"(ash (- 1 (ash 1 100)) -99)", "-2"}, {"(ash (- -1 (ash 1 100)) -100)", "-2"},
        {"(expt 2 61)", "2305843009213693952"}, {"(expt 3 100)", "515377520732011331036461129765621272702107522001"},
        {"(expt 1/2 61)", "1/2305843009213693952"},
        {"(gcd -2305843009213693952)", "2305843009213693952"},
        {"(lcm 2305843009213693951 2)", "4611686018427387902"},
        {"(/ -2305843009213693952 -1)", "2305843009213693952"},
        {"(multiple-value-call #'list (floor -2305843009213693952 -1))", "(2305843009213693952 0)"},
        {"(+ 1/2305843009213693951 1/2305843009213693950)",
         "4611686018427387901/5316911983139663484697699213480296450"},
        {"(floor 1d300)",
         "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160"},
        {"(round 1e30)", "1000000015047466219876688855040"},
        {"(multiple-value-call #'list (truncate (expt 10 30) (- (expt 10 20))))", "(-10000000000 0)"},
        {"(multiple-value-call #'list (floor (1+ (expt 10 30)) (- (expt 10 20))))",
         "(-10000000001 -99999999999999999999)"},
        {"(multiple-value-call #'list (ceiling (1+ (expt 10 30)) (expt 10 20)))",
         "(10000000001 -99999999999999999999)"},
        {"(multiple-value-call #'list (round (+ (expt 10 30) (/ (expt 10 20) 2)) (expt 10 20)))",
         "(10000000000 50000000000000000000)"},
        {"(mod (- (expt 2 100)) 7)", "5"}, {"(rem (- (expt 2 100)) 7)", "-2"},
        {"(isqrt (expt 10 41))", "316227766016837933199"},
        {"(logand (- (expt 2 70)) (1- (expt 2 72)))", "3541774862152233910272"},
        {"(logior (- (expt 2 70)) 5)", "-1180591620717411303419"}, {"(logxor (expt 2 64) -1)", "-18446744073709551617"},
        {"(lognot (expt 2 64))", "-18446744073709551617"}, {"(logcount (- (expt 2 64)))", "64"},
        {"(integer-length (- (expt 2 64)))", "64"}, {"(integer-length (expt 2 64))", "65"},
        {"(logbitp 200 (- (expt 2 100)))", "T"}, {"(logbitp 99 (- (expt 2 100)))", "NIL"},
        {"(ldb (byte 8 100) (ash 171 100))", "171"},
        {"(parse-integer \"99999999999999999999\")", "99999999999999999999"},
        {"(multiple-value-call #'list (parse-integer \" -2305843009213693953 \"))", "(-2305843009213693953 22)"},
        {"(parse-integer \"zzzzzzzzzzzzzzzzzzzz\" :radix 36)", "13367494538843734067838845976575"},
        {"(= (expt 2 80) (float (expt 2 80) 1d0))", "T"}, {"(< (1+ (expt 2 80)) (float (expt 2 80) 1d0))", "NIL"},
        {"(> (1+ (expt 2 80)) (float (expt 2 80) 1d0))", "T"}, {"(float (1+ (expt 2 53)) 1d0)", "9.007199254740992d15"},
        {"(float (+ 3 (expt 2 53)) 1d0)", "9.007199254740996d15"}, {"(float (/ 1 (expt 3 40)) 1d0)", "8.225263339969959d-20"},
        {"(rational 1d100)",
         "10000000000000000159028911097599180468360808563945281389781327557747838772170381060813469985856815104"},
        {"(sqrt -4)", "#C(0.0 2.0)"}, {"(log -1)", "#C(0.0 3.1415927)"}, {"(expt -8 1/3)", "#C(1.0 1.7320508)"},
        {"(expt #c(0 1) 2)", "-1"}, {"(* #c(1 2) #c(3 4))", "#C(-5 10)"}, {"(/ #c(1 2) #c(3 4))", "#C(11/25 2/25)"},
        {"(+ #c(1 2) 1.0)", "#C(2.0 2.0)"}, {"(abs #c(3.0 4.0))", "5.0"}, {"(conjugate #c(1 2))", "#C(1 -2)"},
        {"(log (expt 10 400))", "921.03406"}, {"(gcd (expt 2 100) (expt 6 50))", "1125899906842624"},
    };
    RUN(cases);
    done();
}
END_TEST

START_TEST(test_num_errors) {
    static const ErrCase cases[] = {
        {"(+ 'a 1)", E_TYPE}, {"(+ 'a)", E_TYPE}, {"(* \"2\")", E_TYPE}, {"(- nil)", E_TYPE},
        {"(< 1 #\\a)", E_TYPE}, {"(< 'a)", E_TYPE}, {"(= 1 'a)", E_TYPE}, {"(max 1 'a)", E_TYPE},
        {"(abs 'x)", E_TYPE}, {"(floor 'x)", E_TYPE}, {"(gcd 1.5)", E_TYPE}, {"(ash 1.0 1)", E_TYPE},
        {"(logand 1 1/2)", E_TYPE}, {"(numerator 0.5)", E_TYPE}, {"(float 'a)", E_TYPE},
        {"(float 1 2)", E_TYPE}, {"(sqrt 'a)", E_TYPE},
        {"(/ 1 0)", E_DIV0}, {"(/ 0)", E_DIV0}, {"(/ 1.0 0)", E_DIV0}, {"(/ 1 0.0)", E_DIV0},
        {"(floor 1 0)", E_DIV0}, {"(mod 1 0)", E_DIV0}, {"(rem 1 0)", E_DIV0},
        {"(expt 0 -1)", E_DIV0}, {"(log 0)", E_DIV0},
        {"(floor 1d300 0d0)", E_DIV0},
        {"(* 1d308 10)", E_FLOAT_OVERFLOW}, {"(* 1d308 10)", E_ARITH}, {"(expt 10.0 100)", E_ARITH},
        {"(exp 1000d0)", E_FLOAT_OVERFLOW}, {"(float (expt 10 400) 1d0)", E_FLOAT_OVERFLOW},
        {"(isqrt -1)", E_TYPE}, {"(logand (expt 2 70) 1.0)", E_TYPE}, {"(complex #c(1 2))", E_TYPE},
        {"(realpart 'a)", E_TYPE}, {"(decode-float 1)", E_TYPE}, {"(boole 99 1 2)", E_TYPE},
        {"(/ (expt 2 100) 0)", E_DIV0}, {"(floor (expt 2 100) 0)", E_DIV0}, {"(/ #c(1 2) 0)", E_DIV0},
        {"(expt 0 (- (expt 2 70)))", E_DIV0}, {"(atanh 1)", E_DIV0},
        {"(random 0)", E_TYPE}, {"(random -1.0)", E_TYPE}, {"(random 1/2)", E_TYPE},
    };
    RUN_ERRORS(cases);
    done();
}
END_TEST

/* ---------------------------------------------------------------- symbols */

START_TEST(test_symbols) {
    static const Case cases[] = {
        {"(symbol-name 'abc)", "\"ABC\""}, {"(symbol-value :k)", ":K"},
        {"(progn (set 'builtins-test-var-1 5) (symbol-value 'builtins-test-var-1))", "5"},
        {"(boundp 'builtins-test-unbound-var)", "NIL"}, {"(boundp 'builtins-test-var-1)", "T"},
        {"(progn (set 'builtins-test-var-2 1) (makunbound 'builtins-test-var-2) (boundp 'builtins-test-var-2))", "NIL"},
        {"(fboundp 'car)", "T"}, {"(fboundp 'builtins-no-such-function)", "NIL"}, {"(fboundp 'if)", "T"},
        {"(eq (symbol-function 'car) #'car)", "T"}, {"(eq (fdefinition 'car) #'car)", "T"},
        {"(symbol-plist (make-symbol \"X\"))", "NIL"}, {"(symbol-package (make-symbol \"X\"))", "NIL"},
        {"(symbol-name (make-symbol \"foo\"))", "\"foo\""},
        {"(eq (symbol-package 'car) (find-package \"COMMON-LISP\"))", "T"},
        {"(package-name (symbol-package :foo))", "\"KEYWORD\""},
        {"(symbolp (gensym))", "T"}, {"(symbol-package (gensym))", "NIL"},
        {"(symbol-name (gensym 7))", "\"G7\""}, {"(symbol-name (gensym \"FOO\"))", NULL},
        {"(eq (gensym) (gensym))", "NIL"},
        {"(multiple-value-call #'list (intern \"CAR\" \"CL\"))", "(CAR :EXTERNAL)"},
        {"(multiple-value-call #'list (find-symbol \"CAR\" \"CL\"))", "(CAR :EXTERNAL)"},
        {"(multiple-value-call #'list (find-symbol \"BUILTINS-NO-SUCH-SYM\" \"CL\"))", "(NIL NIL)"},
        {"(multiple-value-call #'list (intern \"BUILTINS-FRESH-SYM\"))", "(BUILTINS-FRESH-SYM NIL)"},
        {"(multiple-value-call #'list (intern \"BUILTINS-FRESH-SYM\"))", "(BUILTINS-FRESH-SYM :INTERNAL)"},
        {"(multiple-value-call #'list (find-symbol \"CAR\"))", "(CAR :INHERITED)"},
        {"(package-name (find-package \"CL\"))", "\"COMMON-LISP\""},
        {"(package-name \"CL\")", "\"COMMON-LISP\""},
        {"(find-package \"BUILTINS-NO-SUCH-PACKAGE\")", "NIL"},
        {"(eq (find-package 'cl) (find-package \"COMMON-LISP\"))", "T"},
        {"(progn (sys::%set-symbol-function 'builtins-fn-1 #'car) (builtins-fn-1 '(5)))", "5"},
        {"(progn (sys::%set-symbol-function 'builtins-fn-2 #'car) (fmakunbound 'builtins-fn-2) "
         "(fboundp 'builtins-fn-2))", "NIL"},
        {"(progn (sys::%fset '(setf builtins-acc) #'list) (fboundp '(setf builtins-acc)))", "T"},
        {"(funcall (fdefinition '(setf builtins-acc)) 1 2)", "(1 2)"},
        {"(progn (fmakunbound '(setf builtins-acc)) (fboundp '(setf builtins-acc)))", "NIL"},
        {"(progn (sys::%set-symbol-plist 'builtins-test-sym2 '(a 1)) (get 'builtins-test-sym2 'a))", "1"},
        {"(export 'builtins-exported-sym)", "T"},
        {"(multiple-value-call #'list (find-symbol \"BUILTINS-EXPORTED-SYM\"))",
         "(BUILTINS-EXPORTED-SYM :EXTERNAL)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (cases[i].expected) lt_run_cases(&cases[i], 1);
    LispObj g = ev("(symbol-name (gensym \"FOO\"))");
    if (strncmp(printed(g), "\"FOO", 4) != 0) note_failure("(gensym \"FOO\") named %s", printed(g));
    static const ErrCase errors[] = {
        {"(symbol-name 5)", E_TYPE}, {"(symbol-value 'builtins-unbound-xyz)", E_UNBOUND},
        {"(symbol-value 5)", E_TYPE},
        {"(symbol-function 'builtins-no-such-fn)", E_UNDEFINED},
        {"(fdefinition '(setf builtins-no-such-fn))", E_UNDEFINED},
        {"(fboundp 5)", E_TYPE}, {"(fboundp '(foo bar))", E_TYPE},
        {"(set 't 5)", E_ERROR}, {"(set :kw 5)", E_ERROR}, {"(makunbound nil)", E_ERROR},
        {"(find-symbol \"X\" \"BUILTINS-NO-SUCH-PKG\")", E_PACKAGE},
        {"(intern \"X\" \"BUILTINS-NO-SUCH-PKG\")", E_PACKAGE}, {"(intern 'x)", E_TYPE},
        {"(make-symbol 'a)", E_TYPE}, {"(gensym -1)", E_TYPE}, {"(gensym 'a)", E_TYPE},
        {"(sys::%set-symbol-function 'builtins-fn-3 5)", E_TYPE},
        {"(find-package 5)", E_TYPE}, {"(package-name 5)", E_TYPE},
    };
    RUN_ERRORS(errors);
    done();
}
END_TEST

/* ---------------------------------------------------------------- strings, characters */

START_TEST(test_chars) {
    static const Case cases[] = {
        {"(char-code #\\A)", "65"}, {"(code-char 97)", "#\\a"}, {"(char-upcase #\\a)", "#\\A"},
        {"(char-downcase #\\A)", "#\\a"}, {"(char-upcase #\\1)", "#\\1"},
        {"(char-code (char-upcase (code-char 233)))", "201"},
        {"(char-code (char-downcase (code-char 1040)))", "1072"},
        {"(char-code (char-upcase (code-char 223)))", "223"},
        {"(char= #\\a #\\a #\\a)", "T"}, {"(char= #\\a #\\b)", "NIL"}, {"(char= #\\a)", "T"},
        {"(char/= #\\a #\\b #\\a)", "NIL"}, {"(char/= #\\a #\\b #\\c)", "T"},
        {"(char< #\\a #\\b #\\c)", "T"}, {"(char< #\\a #\\a)", "NIL"}, {"(char<= #\\a #\\a)", "T"},
        {"(char> #\\b #\\a)", "T"}, {"(char>= #\\a #\\b)", "NIL"},
        {"(char-equal #\\a #\\A)", "T"}, {"(char-lessp #\\a #\\B)", "T"}, {"(char-not-equal #\\a #\\A)", "NIL"},
        {"(char-greaterp #\\b #\\A)", "T"}, {"(char-not-greaterp #\\a #\\A)", "T"},
        {"(char-not-lessp #\\a #\\B)", "NIL"},
        {"(upper-case-p #\\A)", "T"}, {"(lower-case-p #\\A)", "NIL"}, {"(lower-case-p #\\a)", "T"},
        {"(both-case-p #\\1)", "NIL"}, {"(alpha-char-p #\\1)", "NIL"}, {"(alpha-char-p #\\z)", "T"},
        {"(alpha-char-p (code-char 233))", "T"},
        {"(digit-char-p #\\7)", "7"}, {"(digit-char-p #\\a 16)", "10"}, {"(digit-char-p #\\a)", "NIL"},
        {"(digit-char-p #\\Z 36)", "35"}, {"(digit-char 11 16)", "#\\B"}, {"(digit-char 10)", "NIL"},
        {"(alphanumericp #\\_)", "NIL"}, {"(alphanumericp #\\5)", "T"}, {"(graphic-char-p #\\a)", "T"},
        {"(graphic-char-p (code-char 7))", "NIL"}, {"(character \"x\")", "#\\x"}, {"(character 'a)", "#\\A"},
    };
    RUN(cases);
    done();
}
END_TEST

START_TEST(test_strings) {
    static const Case cases[] = {
        {"(char \"abc\" 1)", "#\\b"}, {"(schar \"abc\" 0)", "#\\a"},
        {"(let ((s (copy-seq \"abc\"))) (sys::%set-char s 1 #\\X) s)", "\"aXc\""},
        {"(string 'abc)", "\"ABC\""}, {"(string #\\a)", "\"a\""}, {"(string \"x\")", "\"x\""},
        {"(string= \"abc\" \"abc\")", "T"}, {"(string= \"abc\" \"abd\")", "NIL"},
        {"(string= \"abc\" 'abc)", "NIL"}, {"(string= \"ABC\" 'abc)", "T"},
        {"(string= \"xabc\" \"abc\" :start1 1)", "T"}, {"(string= \"abcx\" \"abc\" :end1 3)", "T"},
        {"(string= \"abc\" \"xbc\" :start1 1 :start2 1)", "T"}, {"(string= \"\" \"\")", "T"},
        {"(string/= \"abc\" \"abd\")", "2"}, {"(string/= \"abc\" \"abc\")", "NIL"},
        {"(string< \"abc\" \"abd\")", "2"}, {"(string< \"ab\" \"abc\")", "2"}, {"(string< \"abc\" \"ab\")", "NIL"},
        {"(string< \"abc\" \"abc\")", "NIL"}, {"(string> \"b\" \"a\")", "0"}, {"(string> \"abc\" \"ab\")", "2"},
        {"(string<= \"abc\" \"abc\")", "3"}, {"(string>= \"abc\" \"abc\")", "3"},
        {"(string< \"xaby\" \"abz\" :start1 1)", "3"},
        {"(string-equal \"ABC\" \"abc\")", "T"}, {"(string-lessp \"abc\" \"ABD\")", "2"},
        {"(string-not-equal \"a\" \"A\")", "NIL"}, {"(string-greaterp \"B\" \"a\")", "0"},
        {"(string-not-greaterp \"a\" \"A\")", "1"}, {"(string-not-lessp \"a\" \"B\")", "NIL"},
        {"(string-upcase \"abc\")", "\"ABC\""}, {"(string-downcase \"ABC\")", "\"abc\""},
        {"(string-upcase \"abc\" :start 1)", "\"aBC\""}, {"(string-upcase \"abc\" :start 1 :end 2)", "\"aBc\""},
        {"(string-upcase 'abc)", "\"ABC\""}, {"(string-downcase #\\A)", "\"a\""},
        {"(string-capitalize \"hello WORLD foo-bar\")", "\"Hello World Foo-Bar\""},
        {"(string-capitalize \"don't 3rd\")", "\"Don'T 3rd\""},
        {"(let ((s (copy-seq \"abc\"))) (nstring-upcase s) s)", "\"ABC\""},
        {"(let ((s (copy-seq \"ab cd\"))) (nstring-capitalize s :start 3))", "\"ab Cd\""},
        {"(let ((s \"abc\")) (eq s (string-upcase s)))", "NIL"},
        {"(string-trim \" \" \"  ab  \")", "\"ab\""}, {"(string-left-trim \" \" \"  ab  \")", "\"ab  \""},
        {"(string-right-trim '(#\\space) \"  ab  \")", "\"  ab\""}, {"(string-trim \"\" \"\")", "\"\""},
        {"(string-trim \"ab\" \"abba\")", "\"\""}, {"(string-trim #(#\\x) \"xyx\")", "\"y\""},
        {"(make-string 3 :initial-element #\\x)", "\"xxx\""}, {"(length (make-string 0))", "0"},
        {"(length (make-string 4))", "4"},
        {"(subseq \"hello\" 1 3)", "\"el\""}, {"(subseq \"hello\" 2)", "\"llo\""},
        {"(subseq \"hello\" 5)", "\"\""}, {"(subseq '(1 2 3 4) 1 3)", "(2 3)"}, {"(subseq '(1 2) 2)", "NIL"},
        {"(subseq #(1 2 3) 1)", "#(2 3)"}, {"(subseq \"abc\" 0 nil)", "\"abc\""},
        {"(concatenate 'string \"ab\" \"cd\" '(#\\e))", "\"abcde\""},
        {"(concatenate 'list \"ab\" '(1) #(2))", "(#\\a #\\b 1 2)"},
        {"(concatenate 'vector '(1) #(2))", "#(1 2)"}, {"(concatenate 'string)", "\"\""},
        {"(concatenate 'simple-vector)", "#()"}, {"(concatenate '(vector character) \"a\" \"b\")", "\"ab\""},
        {"(concatenate 'list)", "NIL"},
        {"(multiple-value-call #'list (parse-integer \"123\"))", "(123 3)"},
        {"(multiple-value-call #'list (parse-integer \" -42 \"))", "(-42 5)"},
        {"(multiple-value-call #'list (parse-integer \"ff\" :radix 16))", "(255 2)"},
        {"(multiple-value-call #'list (parse-integer \"12abc\" :junk-allowed t))", "(12 2)"},
        {"(multiple-value-call #'list (parse-integer \"abc\" :junk-allowed t))", "(NIL 0)"},
        {"(multiple-value-call #'list (parse-integer \"  \" :junk-allowed t))", "(NIL 2)"},
        {"(multiple-value-call #'list (parse-integer \"+5\"))", "(5 2)"},
        {"(multiple-value-call #'list (parse-integer \"x12y\" :start 1 :end 3))", "(12 3)"},
        {"(multiple-value-call #'list (parse-integer \"-2305843009213693952\"))",
         "(-2305843009213693952 20)"},
    };
    RUN(cases);
    done();
}
END_TEST

START_TEST(test_string_errors) {
    static const ErrCase cases[] = {
        {"(char \"abc\" 3)", E_TYPE}, {"(char \"abc\" -1)", E_TYPE}, {"(char 'abc 0)", E_TYPE},
        {"(char \"\" 0)", E_TYPE}, {"(sys::%set-char (copy-seq \"a\") 0 5)", E_TYPE},
        {"(parse-integer \"12x\")", E_PARSE}, {"(parse-integer \"\")", E_PARSE},
        {"(parse-integer \"-\")", E_PARSE}, {"(parse-integer \"1 2\")", E_PARSE},
        {"(parse-integer 'abc)", E_TYPE}, {"(parse-integer \"1\" :radix 1)", E_TYPE},
        {"(parse-integer \"1\" :bogus 1)", E_PROGRAM},
        {"(subseq \"abc\" 2 1)", E_TYPE}, {"(subseq \"abc\" 0 4)", E_TYPE}, {"(subseq '(1 2) 3)", E_TYPE},
        {"(subseq \"abc\" -1)", E_TYPE}, {"(subseq 5 0)", E_TYPE},
        {"(string= 1 \"a\")", E_TYPE}, {"(string= \"a\" \"b\" :start1 2)", E_TYPE},
        {"(string= \"a\" \"b\" :end2 5)", E_TYPE}, {"(string< \"a\" \"b\" :start1)", E_PROGRAM},
        {"(code-char -1)", E_TYPE}, {"(code-char 1114112)", E_TYPE}, {"(char-code 65)", E_TYPE},
        {"(digit-char-p #\\1 37)", E_TYPE}, {"(char= #\\a 1)", E_TYPE}, {"(char-upcase \"a\")", E_TYPE},
        {"(make-string 2 :initial-element 5)", E_TYPE}, {"(make-string -1)", E_TYPE},
        {"(concatenate 'string '(1))", E_TYPE}, {"(concatenate 'hash-table)", E_ERROR},
        {"(concatenate 'list 5)", E_TYPE},
        {"(string-upcase \"abc\" :start 4)", E_TYPE}, {"(string-upcase \"abc\" :start 2 :end 1)", E_TYPE},
        {"(nstring-upcase 'abc)", E_TYPE}, {"(string-trim 5 \"a\")", E_TYPE},
        {"(character \"ab\")", E_TYPE},
    };
    RUN_ERRORS(cases);
    done();
}
END_TEST

/* ---------------------------------------------------------------- vectors, sequences */

START_TEST(test_vectors) {
    static const Case cases[] = {
        {"(make-array 3)", "#(0 0 0)"}, {"(make-array 2 :initial-element 'x)", "#(X X)"},
        {"(make-array '(2) :initial-contents '(a b))", "#(A B)"}, {"(make-array 0)", "#()"},
        {"(make-array 2 :initial-contents #(1 2))", "#(1 2)"},
        {"(make-array 3 :element-type 'character :initial-element #\\z)", "\"zzz\""},
        {"(make-array 2 :element-type 'character :initial-contents \"hi\")", "\"hi\""},
        {"(make-array 2 :element-type 'fixnum :initial-element 1)", "#(1 1)"},
        {"(vector 1 2)", "#(1 2)"}, {"(vector)", "#()"},
        {"(aref #(1 2 3) 1)", "2"}, {"(aref \"abc\" 2)", "#\\c"}, {"(svref #(1 2) 0)", "1"},
        {"(let ((v (vector 1 2))) (sys::%aset v 0 9) v)", "#(9 2)"},
        {"(let ((v (vector 1 2))) (sys::%aset v 0 9))", "9"},
        {"(let ((s (make-string 2 :initial-element #\\a))) (sys::%aset s 1 #\\b) s)", "\"ab\""},
        {"(let ((v (vector 1 2))) (sys::%svset v 1 8) v)", "#(1 8)"},
        {"(elt '(a b c) 2)", "C"}, {"(elt \"abc\" 0)", "#\\a"}, {"(elt #(1 2) 1)", "2"},
        {"(let ((l (list 1 2))) (sys::%setelt l 1 5) l)", "(1 5)"},
        {"(fill (list 1 2 3) 0 :start 1)", "(1 0 0)"}, {"(fill (make-string 2) #\\q)", "\"qq\""},
        {"(fill (vector 1 2 3) 7 :end 2)", "#(7 7 3)"},
        {"(copy-seq \"abc\")", "\"abc\""}, {"(let ((s \"abc\")) (eq s (copy-seq s)))", "NIL"},
        {"(copy-seq '(1 2))", "(1 2)"}, {"(copy-seq #(1 2))", "#(1 2)"}, {"(copy-seq nil)", "NIL"},
        {"(position 3 '(1 2 3 4))", "2"}, {"(position 3 #(1 3 3) :from-end t)", "2"},
        {"(position #\\b \"abc\")", "1"}, {"(position 9 '(1 2))", "NIL"},
        {"(position 3 '(3 1 3) :start 1)", "2"}, {"(position 3 '(3 1 3) :end 2)", "0"},
        {"(find 2 '(1 2 3))", "2"}, {"(find \"b\" '(\"a\" \"b\") :test #'string=)", "\"b\""},
        {"(find 2 '((1) (2)) :key #'car)", "(2)"}, {"(find 5 #())", "NIL"},
        {"(find 1 '((1 . a) (1 . b)) :key #'car :from-end t)", "(1 . B)"},
        {"(count 1 '(1 2 1 1))", "3"}, {"(count #\\a \"banana\")", "3"}, {"(count 1 '(1 2 1) :end 2)", "1"},
        {"(count 1 '(1 2 1) :test-not #'eql)", "1"},
        {"(find-if #'evenp '(1 2 3 4))", "2"}, {"(find-if-not #'evenp '(2 3))", "3"},
        {"(position-if #'evenp '(1 2 3 4) :from-end t)", "3"}, {"(position-if-not #'evenp #(2 4))", "NIL"},
        {"(count-if-not #'evenp '(1 2 3))", "2"}, {"(count-if #'upper-case-p \"aBcD\")", "2"},
        {"(remove 1 '(1 2 1 3))", "(2 3)"}, {"(remove 1 '(1 2 1 3) :count 1)", "(2 1 3)"},
        {"(remove 1 '(1 2 1 3) :count 1 :from-end t)", "(1 2 3)"}, {"(remove 1 '(1 2) :count 0)", "(1 2)"},
        {"(remove #\\a \"banana\")", "\"bnn\""}, {"(remove 1 #(1 2 1))", "#(2)"},
        {"(remove-if #'evenp '(1 2 3 4))", "(1 3)"}, {"(remove-if-not #'evenp '(1 2 3 4))", "(2 4)"},
        {"(delete 2 (list 1 2 3))", "(1 3)"}, {"(remove 1 '(1 2 1) :start 1)", "(1 2)"},
        {"(delete-if #'evenp (vector 1 2 3))", "#(1 3)"}, {"(delete-if-not #'evenp (list 1 2))", "(2)"},
        {"(remove 'a nil)", "NIL"}, {"(remove 3 '(1 2) :key #'1+ :test #'=)", "(1)"},
    };
    RUN(cases);
    done();
}
END_TEST

START_TEST(test_vector_errors) {
    static const ErrCase cases[] = {
        {"(aref #(1 2) 2)", E_TYPE}, {"(aref #(1 2) -1)", E_TYPE}, {"(aref #(1 2) 'a)", E_TYPE},
        {"(svref \"abc\" 0)", E_TYPE}, {"(aref 5 0)", E_TYPE}, {"(aref #(1) 0 0)", E_ERROR},
        {"(elt '(1 2) 5)", E_TYPE}, {"(elt #() 0)", E_TYPE}, {"(elt 5 0)", E_TYPE},
        {"(make-array '(2 2) :initial-contents '((1) (2 3)))", E_ERROR}, {"(make-array -1)", E_TYPE}, {"(make-array 'a)", E_TYPE},
        {"(make-array 2 :bogus 1)", E_PROGRAM}, {"(make-array 2 :initial-contents '(1))", E_ERROR},
        {"(make-array 2 :displaced-to (vector 1))", E_ERROR}, {"(make-array 2 :fill-pointer 3)", E_ERROR},
        {"(make-array 1 :element-type 'character :initial-element 1)", E_TYPE},
        {"(sys::%aset (copy-seq \"abc\") 0 1)", E_TYPE}, {"(sys::%svset (vector 1) 1 0)", E_TYPE},
        {"(position 1 '(1 2) :start 3)", E_TYPE}, {"(position 1 '(1 2) :end 3)", E_TYPE},
        {"(find 1 5)", E_TYPE}, {"(count 1 '(1 . 2))", E_TYPE}, {"(find 1 '(1) :count 1)", E_PROGRAM},
        {"(remove 1 '(1 2) :test #'eql :test-not #'eql)", E_PROGRAM}, {"(remove-if #'evenp '(1) :test #'eql)", E_PROGRAM},
        {"(remove 1 '(1) :count 'a)", E_TYPE}, {"(fill \"abc\" 1)", E_TYPE}, {"(copy-seq 5)", E_TYPE},
        {"(find-if 5 '(1))", E_TYPE},
    };
    RUN_ERRORS(cases);
    done();
}
END_TEST

static Suite *builtins_suite(void) {
    Suite *s = suite_create("builtins");
    TCase *tcase = tcase_create("core");
    tcase_set_timeout(tcase, 60);
    tcase_add_test(tcase, test_list_basic);
    tcase_add_test(tcase, test_list_search);
    tcase_add_test(tcase, test_list_map);
    tcase_add_test(tcase, test_list_errors);
    tcase_add_test(tcase, test_predicates);
    tcase_add_test(tcase, test_num_arith);
    tcase_add_test(tcase, test_num_compare);
    tcase_add_test(tcase, test_num_division);
    tcase_add_test(tcase, test_num_expt_float);
    tcase_add_test(tcase, test_num_errors);
    tcase_add_test(tcase, test_num_bignum);
    tcase_add_test(tcase, test_symbols);
    tcase_add_test(tcase, test_chars);
    tcase_add_test(tcase, test_strings);
    tcase_add_test(tcase, test_string_errors);
    tcase_add_test(tcase, test_vectors);
    tcase_add_test(tcase, test_vector_errors);
    suite_add_tcase(s, tcase);
    return s;
}

int main(void) { return lt_run_suite(builtins_suite, false); }
