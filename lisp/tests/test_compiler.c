/* lisp/tests/test_compiler.c — Check suite for the bytecode compiler and VM
 * (compiler*.c, vm.c, the macros of src/boot.lisp, cond.c), exercised
 * through the public entry points: read a string, vm_eval each form, print
 * the last value.
 *
 * A case is a source string (one or more forms, evaluated in order in the
 * one Lisp image the whole run shares) and the prin1 text of the last value,
 * or "!TYPE" when evaluation must signal a condition of that type.  Names
 * defined by cases start with CC- so suites do not collide.  Expected texts
 * are SBCL 2.x answers, except where Petrel deliberately differs: fixnum
 * overflow signals ARITHMETIC-ERROR (no bignums yet).
 *
 * GC: the "gc" tcase forces collections in the middle of evaluation; the
 * "torture" tcase re-runs the suites in a child process with
 * PETREL_GC_TORTURE=97 (the collector reads it once, at lisp_init), leaving
 * out the heaviest cases.  When the variable is already set (ctest may set
 * it), every suite runs in that mode directly and no child is started.
 *
 * The Lisp is initialised once in main; the runner does not fork. */
#include "lisp/tests/lisp_test.h"
#include "lisp/vm_impl.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>


typedef struct Case { const char *src, *expected; } Case;

/* ---- evaluation helpers ---- */

/* Evaluates src under an error trap: NIL and the condition in *cond if it signalled. */
static LispObj ev_protected(const char *src, LispObj *cond) {
    LispObj result = NIL;
    if (vm_call_protected(tc, lt_eval_all, (void *)src, &result, cond)) return result;
    return NIL;
}

/* Evaluates src; an unhandled condition fails the test. */
static LispObj ev(const char *src) {
    LispObj cond = NIL, r = ev_protected(src, &cond);
    ck_assert_msg(cond == NIL, "%s signalled: %s", src, report(cond));
    return r;
}

static const char *ev_str(const char *src) { return printed(ev(src)); }

/* The condition src signals (fails the test if it returns normally). */
static LispObj ev_cond(const char *src) {
    LispObj cond = NIL, r = ev_protected(src, &cond);
    ck_assert_msg(cond != NIL, "%s should have signalled, returned %s", src, printed(r));
    return cond;
}

static bool cond_is(LispObj cond, const char *type) {
    return condition_p(cond) && cond_typep(cond, rd_read_from_cstr(tc, type));
}

/* ---- tables: every case runs; failures are listed, then the test fails ---- */

static int checks;

static void run_error_case(const Case *c, LispObj cond, LispObj result) {
    if (cond == NIL)
        note_failure("%s should signal %s, returned %s", c->src, c->expected + 1, printed(result));
    else if (!cond_is(cond, c->expected + 1))
        note_failure("%s signalled %s (%s), expected %s", c->src,
                     condition_p(cond) ? printed(CND(cond)->type) : "?", report(cond), c->expected + 1);
}

static void run_cases(const Case *cases, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const Case *c = &cases[i];
        LispObj cond = NIL, result = ev_protected(c->src, &cond);
        checks++;
        if (c->expected[0] == '!') {
            run_error_case(c, cond, result);
        } else if (cond != NIL) {
            note_failure("%s signalled: %s", c->src, report(cond));
        } else {
            const char *got = printed(result);
            if (strcmp(got, c->expected) != 0) note_failure("%s => %s, expected %s", c->src, got, c->expected);
        }
    }
}

static void done(void) {
    int n = failures;
    failures = 0;
    ck_assert_msg(n == 0, "%d failed, first: %s", n, first_failure);
}

#define RUN(cases) (run_cases(cases, sizeof cases / sizeof cases[0]), done())
#define CHECK_STR(src, want) do { checks++; ck_assert_str_eq(ev_str(src), want); } while (0)

/* ==== special operators (CLHS 3.1.2.1.2.1) ==== */

START_TEST(test_block_return_from) {
    static const Case cases[] = {
        {"(block b 1 (return-from b 2) 3)", "2"},
        {"(block nil (return 5) 6)", "5"},
        {"(block b)", "NIL"},
        {"(block b (return-from b))", "NIL"},
        {"(multiple-value-list (block b (return-from b (values 1 2)) 3))", "(1 2)"},
        {"(block outer (block inner (return-from outer 1)) 2)", "1"},
        {"(block b (block b (return-from b 1)) 2)", "2"},
        {"(block b (mapc (lambda (x) (when (> x 2) (return-from b x))) '(1 2 3 4)) nil)", "3"},
        {"(block b (flet ((f () (return-from b 10))) (+ 1 (f))))", "10"},
        {"(defun cc-find-first (pred l) (dolist (x l) (when (funcall pred x) (return-from cc-find-first x))))"
         "(cc-find-first #'evenp '(1 3 4 5))", "4"},
        {"(defun cc-ret-deep (n) (block b (labels ((r (k) (if (= k 0) (return-from b :bottom) (r (1- k))))) (+ 1 (r n)))))"
         "(cc-ret-deep 50)", ":BOTTOM"},
        {"(funcall (block b (lambda () (return-from b 1))))", "!CONTROL-ERROR"},
        {"(let ((f nil)) (block b (setq f (lambda () (return-from b 2)))) (funcall f))", "!CONTROL-ERROR"},
        {"(block b (+ 1 (block c (return-from b 5))))", "5"},
        {"(defvar *cc-b* 1)(list (block b (let ((*cc-b* 2)) (return-from b *cc-b*))) *cc-b*)", "(2 1)"},
        {"(let ((x 0)) (dotimes (i 10) (block nil (when (oddp i) (return)) (incf x))) x)", "5"},
    };
    RUN(cases);
}
END_TEST

START_TEST(test_catch_throw) {
    static const Case cases[] = {
        {"(catch 'a (throw 'a 1) 2)", "1"},
        {"(catch 'a 5)", "5"},
        {"(catch 'a (catch 'b (throw 'a 1)) 2)", "1"},
        {"(catch 'a (catch 'a (throw 'a 1)) 2)", "2"},
        {"(defun cc-thrower (x) (throw 'cc-tag x))(catch 'cc-tag (cc-thrower 7) 8)", "7"},
        {"(multiple-value-list (catch 'a (throw 'a (values 1 2 3))))", "(1 2 3)"},
        {"(let ((tag (list 1))) (catch tag (throw tag :ok)))", ":OK"},
        {"(catch 'a (funcall (lambda () (throw 'a 9))))", "9"},
        {"(catch 'a (mapcar (lambda (x) (if (= x 2) (throw 'a :two) x)) '(1 2 3)))", ":TWO"},
        {"(throw 'cc-nonexistent 1)", "!CONTROL-ERROR"},
        {"(catch 'a (throw 'b 1))", "!CONTROL-ERROR"},
        {"(list (catch 'a (catch 'b (throw 'a 1)) 2) (catch 'b 3))", "(1 3)"},
        {"(defun cc-catch-rec (n) (if (= n 0) (throw 'cc-r :deep) (catch 'cc-other (cc-catch-rec (1- n)))))"
         "(catch 'cc-r (cc-catch-rec 1000))", ":DEEP"},
    };
    RUN(cases);
}
END_TEST

START_TEST(test_eval_when_if_progn_quote) {
    static const Case cases[] = {
        {"(eval-when (:execute) 1)", "1"},
        {"(let () (eval-when (:compile-toplevel) 1))", "NIL"},
        {"(eval-when (:compile-toplevel :load-toplevel :execute) (defun cc-ew () 3)) (cc-ew)", "3"},
        {"(if nil 1 2)", "2"},
        {"(if 0 1 2)", "1"},
        {"(if nil 1)", "NIL"},
        {"(multiple-value-list (if t (values 1 2) 3))", "(1 2)"},
        {"(multiple-value-list (if nil 3 (values 1 2)))", "(1 2)"},
        {"(progn)", "NIL"},
        {"(progn 1 2 3)", "3"},
        {"(multiple-value-list (progn 1 (values 2 3)))", "(2 3)"},
        {"(quote (a b))", "(A B)"},
        {"(car ''a)", "QUOTE"},
        {"(let ((f (lambda () '(1 2)))) (eq (funcall f) (funcall f)))", "T"},
        {"(quote #(1 2))", "#(1 2)"},
        {"(the fixnum (+ 1 2))", "3"},
        {"(multiple-value-list (the (values integer integer) (floor 7 2)))", "(3 1)"},
        {"(let ((x 1)) (setf (the fixnum x) 5) x)", "5"},
    };
    RUN(cases);
}
END_TEST

START_TEST(test_flet_labels) {
    static const Case cases[] = {
        {"(flet ((f (x) (* x 2))) (f 5))", "10"},
        {"(labels ((fact (n) (if (< n 2) 1 (* n (fact (1- n)))))) (fact 10))", "3628800"},
        {"(labels ((ev? (n) (if (= n 0) t (od? (1- n)))) (od? (n) (if (= n 0) nil (ev? (1- n)))))"
         " (list (ev? 10) (od? 7) (ev? 7)))", "(T T NIL)"},
        {"(defun cc-g (x) (list :global x))"
         "(flet ((cc-g (x) (list :local x))) (list (cc-g 1) (funcall #'cc-g 2) (funcall 'cc-g 3)))",
         "((:LOCAL 1) (:LOCAL 2) (:GLOBAL 3))"},
        {"(flet ((cc-g (x) (if (eql x 0) (cc-g 1) :local))) (cc-g 0))", "(:GLOBAL 1)"},
        {"(labels ((cc-g (x) (if (eql x 0) (cc-g 1) :local))) (cc-g 0))", ":LOCAL"},
        {"(let ((n 0)) (flet ((inc () (incf n))) (inc) (inc) n))", "2"},
        {"(flet ((f (x) (+ x 1))) (mapcar #'f '(1 2 3)))", "(2 3 4)"},
        {"(flet ((f () (return-from f 1) 2)) (f))", "1"},
        {"(labels ((f (a &optional (b 10)) (+ a b))) (list (f 1) (f 1 2)))", "(11 3)"},
        {"(flet ((f (&key (k 3)) k)) (list (f) (f :k 4)))", "(3 4)"},
        {"(flet ((f () 1)) (flet ((f () (+ 10 (f)))) (f)))", "11"},
        {"(labels ((count-up (n acc) (if (= n 0) acc (count-up (1- n) (cons n acc))))) (count-up 5 nil))",
         "(1 2 3 4 5)"},
        {"(flet ((f (x) x)) (f))", "!PROGRAM-ERROR"},
        {"(labels ((f (x) x)) (f 1 2))", "!PROGRAM-ERROR"},
    };
    RUN(cases);
}
END_TEST

START_TEST(test_function) {
    static const Case cases[] = {
        {"(funcall #'car '(1 2))", "1"},
        {"(funcall #'(lambda (x) (* x x)) 4)", "16"},
        {"((lambda (x y) (- x y)) 5 3)", "2"},
        {"(eq #'car (symbol-function 'car))", "T"},
        {"(defun (setf cc-thing) (new obj) (setf (car obj) new) new)"
         "(let ((c (list 1 2))) (list (setf (cc-thing c) 9) c))", "(9 (9 2))"},
        {"(functionp #'(setf cc-thing))", "T"},
        {"(funcall #'(setf cc-thing) 5 (list 1))", "5"},
        {"(functionp (function (lambda () 1)))", "T"},
        {"(defun cc-sq (x) (* x x))(mapcar #'cc-sq '(1 2 3))", "(1 4 9)"},
        {"(funcall (function cc-undefined-fn-xyz))", "!UNDEFINED-FUNCTION"},
    };
    RUN(cases);
}
END_TEST

START_TEST(test_tagbody_go) {
    static const Case cases[] = {
        {"(let ((i 0) (acc nil)) (tagbody top (when (< i 3) (push i acc) (incf i) (go top))) acc)", "(2 1 0)"},
        {"(tagbody 1 2)", "NIL"},
        {"(let ((r nil)) (tagbody (go 10) 5 (push 5 r) 10 (push 10 r)) r)", "(10)"},
        {"(let ((r nil)) (tagbody (mapc (lambda (x) (if (> x 1) (go out) (push x r))) '(0 1 2 3)) out) r)", "(1 0)"},
        {"(let ((r nil)) (tagbody (tagbody (go a) a (push :inner r)) (go end) a (push :outer r) end) r)", "(:INNER)"},
        {"(let ((r nil)) (tagbody (tagbody (push 1 r) (go out) (push 2 r)) (push 3 r) out (push 4 r)) r)", "(4 1)"},
        {"(let ((f nil)) (tagbody (setq f (lambda () (go x))) x) (funcall f))", "!CONTROL-ERROR"},
        {"(let ((r nil)) (tagbody (unwind-protect (go out) (push :cleanup r)) out (push :out r)) r)",
         "(:OUT :CLEANUP)"},
        {"(prog ((i 0)) top (if (= i 5) (return i)) (incf i) (go top))", "5"},
        {"(let ((n 0)) (tagbody top (incf n) (when (< n 100000) (go top))) n)", "100000"},
        {"(defun cc-go-helper (f) (funcall f))"
         "(let ((r 0)) (tagbody (cc-go-helper (lambda () (go done))) (setq r 1) done) r)", "0"},
        {"(let ((r nil) (i 0)) (tagbody again (let ((j i)) (push (lambda () j) r)) (incf i) (when (< i 3) (go again)))"
         " (mapcar #'funcall r))", "(2 1 0)"},
        {"(block nil (tagbody (return (values 1 2))))", "1"},
    };
    RUN(cases);
}
END_TEST

START_TEST(test_let_setq) {
    static const Case cases[] = {
        {"(let ((x 1)) (let ((x 2) (y x)) (list x y)))", "(2 1)"},
        {"(let ((x 1)) (let* ((x 2) (y x)) (list x y)))", "(2 2)"},
        {"(let (a (b) (c 3)) (list a b c))", "(NIL NIL 3)"},
        {"(let* ((x 1) (x (+ x 1))) x)", "2"},
        {"(let () 5)", "5"},
        {"(let ((x 1) (y 2)) (setq x 10 y (+ x 1)) (list x y))", "(10 11)"},
        {"(setq)", "NIL"},
        {"(let (a b) (setq a 1 b 2))", "2"},
        {"(defvar *cc-sq* 1)(defun cc-get-sq () *cc-sq*)"
         "(list (let ((*cc-sq* 2)) (setq *cc-sq* 3) (list (cc-get-sq) *cc-sq*)) *cc-sq*)", "((3 3) 1)"},
        {"(setq *cc-sq* 4)(cc-get-sq)", "4"},
        {"(let ((x 1)) (let ((f (lambda () x))) (setq x 2) (funcall f)))", "2"},
        {"(let ((x 1)) (funcall (lambda () (setq x 5))) x)", "5"},
        {"(let ((x 1) (y 2)) (psetq x y y x) (list x y))", "(2 1)"},
        {"(let ((a 1)) (setq a))", "!PROGRAM-ERROR"},
    };
    RUN(cases);
}
END_TEST

START_TEST(test_ltv_locally_progv) {
    static const Case cases[] = {
        {"(load-time-value (+ 1 2))", "3"},
        {"(load-time-value 5 t)", "5"},
        {"(defun cc-ltv () (load-time-value (list 1 2)))(eq (cc-ltv) (cc-ltv))", "T"},
        {"(defvar *cc-ltv-count* 0)(defun cc-ltv2 () (load-time-value (incf *cc-ltv-count*)))"
         "(list (cc-ltv2) (cc-ltv2) *cc-ltv-count*)", "(1 1 1)"},
        {"(locally 1 2)", "2"},
        {"(locally)", "NIL"},
        {"(setf (symbol-value 'cc-lv) :global)"
         "(let ((cc-lv :lexical)) (list cc-lv (locally (declare (special cc-lv)) cc-lv)))", "(:LEXICAL :GLOBAL)"},
        {"(progv '(cc-pv1 cc-pv2) '(1 2) (list (symbol-value 'cc-pv1) (symbol-value 'cc-pv2)))", "(1 2)"},
        {"(progv '(cc-pv3) '() (boundp 'cc-pv3))", "NIL"},
        {"(defvar *cc-pv* 0)(list (progv '(*cc-pv*) '(5) *cc-pv*) *cc-pv*)", "(5 0)"},
        {"(defun cc-read-pv () *cc-pv*)(progv '(*cc-pv*) '(7) (cc-read-pv))", "7"},
        {"(list (catch 'cc-pvt (progv '(*cc-pv*) '(8) (throw 'cc-pvt (cc-read-pv)))) *cc-pv*)", "(8 0)"},
        {"(multiple-value-list (progv '(*cc-pv*) '(1) (values *cc-pv* 2)))", "(1 2)"},
        {"(progv nil nil 9)", "9"},
    };
    RUN(cases);
}
END_TEST

START_TEST(test_macrolet_symbol_macrolet) {
    static const Case cases[] = {
        {"(macrolet ((twice (x) `(* 2 ,x))) (twice 21))", "42"},
        {"(defmacro cc-m () :global)(list (cc-m) (macrolet ((cc-m () :local)) (cc-m)))", "(:GLOBAL :LOCAL)"},
        {"(flet ((f () :fn)) (macrolet ((f () :mac)) (f)))", ":MAC"},
        {"(macrolet ((f () :mac)) (flet ((f () :fn)) (f)))", ":FN"},
        {"(macrolet ((a () 1)) (macrolet ((b () `(+ (a) 10))) (b)))", "11"},
        {"(macrolet ((my-let1 ((v e) &body b) `(let ((,v ,e)) ,@b))) (my-let1 (x 5) (* x x)))", "25"},
        {"(let ((cell (list 1 2))) (symbol-macrolet ((x (car cell))) (setq x 10) (setf x (+ x 1)) (list x cell)))",
         "(11 (11 2))"},
        {"(symbol-macrolet ((x 1)) (let ((x 2)) x))", "2"},
        {"(symbol-macrolet ((x 'foo)) (list x (let ((x 'bar)) x) x))", "(FOO BAR FOO)"},
        {"(let ((v (vector 0))) (symbol-macrolet ((s (svref v 0))) (incf s 5) (incf s) v))", "#(6)"},
        {"(defvar *cc-gsm-cell* (list 1))(define-symbol-macro cc-gsm (car *cc-gsm-cell*))"
         "(setq cc-gsm 4)*cc-gsm-cell*", "(4)"},
        {"(symbol-macrolet ((x (list 1 2))) (let ((f (lambda () x))) (funcall f)))", "(1 2)"},
        {"(symbol-macrolet ((x 1)) (macrolet ((m () 'x)) (m)))", "1"},
        {"(let ((l (list 1 2 3))) (symbol-macrolet ((h (car l))) (multiple-value-setq (h) (values 7 8)) l))",
         "(7 2 3)"},
    };
    RUN(cases);
}
END_TEST

START_TEST(test_mv_call_prog1) {
    static const Case cases[] = {
        {"(multiple-value-call #'list 1 (values 2 3) (values) (floor 7 2))", "(1 2 3 3 1)"},
        {"(multiple-value-call #'+)", "0"},
        {"(multiple-value-call (lambda (&rest r) (length r)) (values 1 2) (values 3 4 5))", "5"},
        {"(multiple-value-call #'list (values-list '(a b c)) (values-list nil))", "(A B C)"},
        {"(multiple-value-list (multiple-value-prog1 (values 1 2 3) (values 4 5) 6))", "(1 2 3)"},
        {"(let ((x 0)) (list (multiple-value-prog1 x (setq x 1)) x))", "(0 1)"},
        {"(multiple-value-list (multiple-value-prog1 (values)))", "NIL"},
    };
    RUN(cases);
}
END_TEST

START_TEST(test_unwind_protect) {
    static const Case cases[] = {
        {"(let ((r nil)) (list (unwind-protect 1 (push :c r)) r))", "(1 (:C))"},
        {"(let ((r nil)) (catch 'x (unwind-protect (throw 'x 1) (push :c r))) r)", "(:C)"},
        {"(let ((r nil)) (block b (unwind-protect (return-from b 1) (push :c r))) r)", "(:C)"},
        {"(let ((r nil)) (handler-case (unwind-protect (error \"boom\") (push :c r)) (error () (push :handled r))) r)",
         "(:HANDLED :C)"},
        {"(multiple-value-list (unwind-protect (values 1 2 3) (values 4 5)))", "(1 2 3)"},
        {"(let ((r nil)) (catch 'x (unwind-protect (unwind-protect (throw 'x 0) (push 1 r)) (push 2 r))) r)", "(2 1)"},
        {"(multiple-value-list (block b (unwind-protect (return-from b (values 1 2)) (values 3 4))))", "(1 2)"},
        {"(multiple-value-list (catch 'x (unwind-protect (throw 'x (values 1 2)) (list 3))))", "(1 2)"},
        {"(let ((n 0)) (dotimes (i 5 n) (block nil (unwind-protect (return) (incf n)))))", "5"},
        {"(let ((r nil)) (catch 'x (unwind-protect (push :body r) (push :cleanup1 r) (push :cleanup2 r))) r)",
         "(:CLEANUP2 :CLEANUP1 :BODY)"},
        {"(defvar *cc-uw* :outer)(let ((seen nil)) (catch 'x (let ((*cc-uw* :inner)) (unwind-protect (throw 'x 1)"
         " (setq seen *cc-uw*)))) (list seen *cc-uw*))", "(:INNER :OUTER)"},
        {"(let ((r nil)) (block b (unwind-protect (unwind-protect (return-from b) (push 1 r))"
         " (catch 'y (unwind-protect (throw 'y 0) (push 2 r))) (push 3 r))) r)", "(3 2 1)"},
        {"(defun cc-uwp-fn (r) (unwind-protect (return-from cc-uwp-fn (car r)) (rplaca r :cleaned)))"
         "(let ((r (list :orig))) (list (cc-uwp-fn r) r))", "(:ORIG (:CLEANED))"},
    };
    RUN(cases);
}
END_TEST

/* ==== lambda lists ==== */

START_TEST(test_lambda_lists) {
    static const Case cases[] = {
        {"(defun cc-opt (a &optional (b (* a 2)) (c (+ a b) c-p)) (list a b c c-p))"
         "(list (cc-opt 1) (cc-opt 1 5) (cc-opt 1 5 0))", "((1 2 3 NIL) (1 5 6 NIL) (1 5 0 T))"},
        {"(defun cc-rest (a &rest r) (list a r))(list (cc-rest 1) (cc-rest 1 2 3))", "((1 NIL) (1 (2 3)))"},
        {"(defun cc-key (&key a (b 2) ((:cee c) 3 c-p)) (list a b c c-p))"
         "(list (cc-key) (cc-key :b 5 :a 1) (cc-key :cee 9))", "((NIL 2 3 NIL) (1 5 3 NIL) (NIL 2 9 T))"},
        {"(cc-key :a 1 :a 2)", "(1 2 3 NIL)"},
        {"(defun cc-aok (&key a &allow-other-keys) a)(cc-aok :z 1 :a 2)", "2"},
        {"(cc-key :z 1 :allow-other-keys t)", "(NIL 2 3 NIL)"},
        {"(cc-key :allow-other-keys t :z 1 :a 5)", "(5 2 3 NIL)"},
        {"(defun cc-rk (&rest r &key a) (list r a))(cc-rk :a 1)", "((:A 1) 1)"},
        {"(defun cc-aux (a &aux (b (* a 10)) c) (list a b c))(cc-aux 2)", "(2 20 NIL)"},
        {"(defun cc-ok (&optional o &key k) (list o k))(list (cc-ok) (cc-ok 1 :k 2))", "((NIL NIL) (1 2))"},
        {"(defun cc-kd (a &key (b a) (c (list a b))) (list a b c))(cc-kd 4)", "(4 4 (4 4))"},
        {"((lambda (&optional (a 1 a-p)) (list a a-p)) nil)", "(NIL T)"},
        {"((lambda (&key x) x) :x 3)", "3"},
        {"(apply #'cc-key '(:b 7))", "(NIL 7 3 NIL)"},
        {"(funcall (lambda (a &optional b &rest c &key d &allow-other-keys) (list a b c d)) 1 2 :d 4 :e 5)",
         "(1 2 (:D 4 :E 5) 4)"},
        {"(defun cc-many (a b c d e f g h) (list h g f e d c b a))(cc-many 1 2 3 4 5 6 7 8)", "(8 7 6 5 4 3 2 1)"},
        {"(let ((l nil)) (dotimes (i 200) (push i l)) (length (apply #'list l)))", "200"},
        {"(cc-opt)", "!PROGRAM-ERROR"},
        {"(cc-opt 1 2 3 4)", "!PROGRAM-ERROR"},
        {"(cc-key :d 1)", "!PROGRAM-ERROR"},
        {"(cc-key :a)", "!PROGRAM-ERROR"},
        {"(cc-key :a 1 :b)", "!PROGRAM-ERROR"},
        {"(cc-key 1 2)", "!PROGRAM-ERROR"},
        {"(funcall (lambda (a b) a) 1)", "!PROGRAM-ERROR"},
        {"(funcall (lambda () 1) 1)", "!PROGRAM-ERROR"},
        {"(cc-key :allow-other-keys nil :z 1)", "!PROGRAM-ERROR"},
        {"(apply #'cc-key '(:z 1))", "!PROGRAM-ERROR"},
    };
    RUN(cases);
}
END_TEST

/* ==== closures ==== */

START_TEST(test_closures) {
    static const Case cases[] = {
        {"(defun cc-make-counter () (let ((n 0)) (lambda () (incf n))))"
         "(let ((c1 (cc-make-counter)) (c2 (cc-make-counter))) (funcall c1) (funcall c1) (funcall c2)"
         " (list (funcall c1) (funcall c2)))", "(3 2)"},
        {"(let ((fs nil)) (dotimes (i 3) (let ((j i)) (push (lambda () j) fs))) (mapcar #'funcall fs))", "(2 1 0)"},
        {"(mapcar #'funcall (mapcar (lambda (i) (lambda () (* i i))) '(1 2 3)))", "(1 4 9)"},
        {"(let ((fs nil) (i 0)) (loop (when (= i 3) (return)) (push (lambda () i) fs) (incf i))"
         " (mapcar #'funcall fs))", "(3 3 3)"},
        {"(defun cc-outer (a) (lambda (b) (lambda (c) (list a b c))))(funcall (funcall (cc-outer 1) 2) 3)", "(1 2 3)"},
        {"(defun cc-adder (a) (let ((g (lambda (b) (lambda (c) (setq a (+ a b c))))))"
         " (list (funcall (funcall g 10) 1) a)))(cc-adder 1)", "(12 12)"},
        {"(defun cc-capture-param (x) (let ((f (lambda () x))) (setq x (* x 10)) (funcall f)))(cc-capture-param 3)",
         "30"},
        {"(defun cc-cp2 (x) (setq x (+ x 1)) (lambda () x))(funcall (cc-cp2 1))", "2"},
        {"(defun cc-cp3 (&optional (x 1) &key (y 2)) (let ((f (lambda () (list x y)))) (setq x 10 y 20) (funcall f)))"
         "(cc-cp3)", "(10 20)"},
        {"(let* ((n 0) (inc (lambda () (incf n))) (dec (lambda () (decf n))) (get (lambda () n)))"
         " (funcall inc) (funcall inc) (funcall inc) (funcall dec) (list (funcall get) n))", "(2 2)"},
        {"(let* ((n 0) (fs (mapcar (lambda (k) (lambda () (incf n k))) '(1 2 3 4)))) (mapc #'funcall fs) n)", "10"},
        {"(defun cc-counter-pair () (let ((n 0)) (labels ((inc () (incf n)) (fetch () n)) (values #'inc #'fetch))))"
         "(multiple-value-bind (i g) (cc-counter-pair) (funcall i) (funcall i) (funcall g))", "2"},
        {"(defun cc-cap-rest (&rest r) (lambda () r))(funcall (cc-cap-rest 1 2))", "(1 2)"},
        {"(defun cc-rec-clos (n) (if (= n 0) nil (cons (lambda () n) (cc-rec-clos (1- n)))))"
         "(mapcar #'funcall (cc-rec-clos 3))", "(3 2 1)"},
        {"(let ((x 1)) (flet ((fetch () x)) (let ((x 2)) (list x (fetch)))))", "(2 1)"},
        {"(let ((a 1)) (let ((f (lambda () (let ((b 2)) (lambda () (incf a b))))))"
         " (funcall (funcall f)) (funcall (funcall f)) a))", "5"},
        {"(defun cc-make-acc (total) (lambda (n) (incf total n)))"
         "(let ((a (cc-make-acc 100))) (funcall a 10) (funcall a 10))", "120"},
        {"(let ((x 0)) (labels ((f (n) (if (= n 0) x (progn (incf x n) (f (1- n)))))) (f 10)))", "55"},
        {"(let ((y 5)) (symbol-macrolet ((z (* y 2))) (funcall (lambda () (setq y 1) z))))", "2"},
        {"(let ((v (let ((x 1)) (vector (lambda () x) (lambda (n) (setq x n)))))) (funcall (svref v 1) 42)"
         " (funcall (svref v 0)))", "42"},
    };
    RUN(cases);
}
END_TEST

/* ==== special variables ==== */

START_TEST(test_specials) {
    static const Case cases[] = {
        {"(defvar *cc-v1* 10)(defun cc-v1 () *cc-v1*)(list (cc-v1) (let ((*cc-v1* 20)) (cc-v1)) (cc-v1))",
         "(10 20 10)"},
        {"(defvar *cc-v1* 99)*cc-v1*", "10"},
        {"(defparameter *cc-p1* 1)(defparameter *cc-p1* 2)*cc-p1*", "2"},
        {"(defvar *cc-v2* 1)", "*CC-V2*"},
        {"(defparameter *cc-p2* 1)", "*CC-P2*"},
        {"(defvar *cc-unbound-v*)(boundp '*cc-unbound-v*)", "NIL"},
        {"(list (catch 'cc-t (let ((*cc-v1* 30)) (throw 'cc-t (cc-v1)))) *cc-v1*)", "(30 10)"},
        {"(list (handler-case (let ((*cc-v1* 40)) (error \"x\")) (error () *cc-v1*)) *cc-v1*)", "(10 10)"},
        {"(catch 'cc-hb (handler-bind ((error (lambda (c) (throw 'cc-hb (list *cc-v1* (type-of c))))))"
         " (let ((*cc-v1* 50)) (error \"y\"))))", "(50 SIMPLE-ERROR)"},
        {"(defun cc-sp (*cc-v1*) (cc-v1))(list (cc-sp 60) *cc-v1*)", "(60 10)"},
        {"(defun cc-sp2 (&optional (*cc-v1* 70)) (cc-v1))(list (cc-sp2) (cc-sp2 71) *cc-v1*)", "(70 71 10)"},
        {"(defun cc-sp3 (&key ((:v *cc-v1*) 80)) (cc-v1))(list (cc-sp3) (cc-sp3 :v 81))", "(80 81)"},
        {"(defun cc-ls () (declare (special cc-ls-x)) cc-ls-x)"
         "(let ((cc-ls-x 5)) (declare (special cc-ls-x)) (cc-ls))", "5"},
        {"(let ((cc-ls-x 6)) (handler-case (cc-ls) (unbound-variable () :unbound)))", ":UNBOUND"},
        {"(let ((f (let ((*cc-v1* 90)) (lambda () *cc-v1*)))) (funcall f))", "10"},
        {"(let* ((*cc-v1* 1) (y *cc-v1*)) y)", "1"},
        {"(let ((*cc-v1* 2) (y *cc-v1*)) (list *cc-v1* y))", "(2 10)"},
        {"(defun cc-tail-special (n) (let ((*cc-v1* n)) (if (= n 0) (cc-v1) (cc-tail-special (1- n)))))"
         "(list (cc-tail-special 100) *cc-v1*)", "(0 10)"},
        {"(let ((*cc-v1* 3)) (symbol-value '*cc-v1*))", "3"},
        {"(let ((*cc-v1* 3)) (setf (symbol-value '*cc-v1*) 4) *cc-v1*)", "4"},
        {"*cc-v1*", "10"},
        {"(multiple-value-bind (*cc-v1* b) (values 5 6) (list (cc-v1) b))", "(5 6)"},
        {"(list (block b (let ((*cc-v1* 7)) (let ((*cc-v1* 8)) (return-from b (cc-v1))))) *cc-v1*)", "(8 10)"},
        {"(let ((x 1)) (declare (special x)) (let ((x 2)) (list x (symbol-value 'x))))", "(2 1)"},
        {"(defun cc-dyn-closure () (let ((*cc-v1* 11)) (funcall (lambda () (cc-v1)))))(cc-dyn-closure)", "11"},
        {"(progv '(*cc-v1*) '(12) (let ((*cc-v1* 13)) (cc-v1)))", "13"},
    };
    RUN(cases);
}
END_TEST

/* ==== macros and backquote ==== */

START_TEST(test_defmacro) {
    static const Case cases[] = {
        {"(defmacro cc-whole (&whole w a) `(quote (,w ,a)))(cc-whole 1)", "((CC-WHOLE 1) 1)"},
        {"(defmacro cc-body (n &body b) `(list ,n ,@b))(cc-body 1 2 3)", "(1 2 3)"},
        {"(defmacro cc-opt-m (a &optional (b 2 b-p)) `(list ,a ,b ,b-p))(list (cc-opt-m 1) (cc-opt-m 1 3))",
         "((1 2 NIL) (1 3 T))"},
        {"(defmacro cc-key-m (&key (x 1) y) `(list ,x ',y))(cc-key-m :y foo)", "(1 FOO)"},
        {"(defmacro cc-ds ((a (b c)) &rest d) `'(,a ,b ,c ,d))(cc-ds (1 (2 3)) 4 5)", "(1 2 3 (4 5))"},
        {"(defmacro cc-dot ((a . b)) `'(,a ,b))(cc-dot (1 2 3))", "(1 (2 3))"},
        {"(defmacro cc-dso ((a &optional (b 'dflt)) &key ((:k (k1 k2)) '(x y))) `'(,a ,b ,k1 ,k2))"
         "(list (cc-dso (1)) (cc-dso (1 2) :k (3 4)))", "((1 DFLT X Y) (1 2 3 4))"},
        {"(defmacro cc-expand-in-env (form &environment env) `',(macroexpand-1 form env))"
         "(macrolet ((loc () :expanded)) (cc-expand-in-env (loc)))", ":EXPANDED"},
        {"(symbol-macrolet ((sm (car x))) (cc-expand-in-env sm))", "(CAR X)"},
        {"(cc-expand-in-env (loc))", "(LOC)"},
        {"(defmacro cc-m1 (x) `(cc-m2 ,x))(defmacro cc-m2 (x) `(+ ,x 1))"
         "(multiple-value-list (macroexpand-1 '(cc-m1 5)))", "((CC-M2 5) T)"},
        {"(multiple-value-list (macroexpand '(cc-m1 5)))", "((+ 5 1) T)"},
        {"(multiple-value-list (macroexpand-1 '(+ 1 2)))", "((+ 1 2) NIL)"},
        {"(multiple-value-list (macroexpand 'cc-not-a-macro))", "(CC-NOT-A-MACRO NIL)"},
        {"(cc-m1 5)", "6"},
        {"(functionp (macro-function 'cc-m1))", "T"},
        {"(defmacro cc-ret () ''first)(defmacro cc-ret () ''second)(cc-ret)", "SECOND"},
        {"(defun cc-uses-m () (cc-m1 10))(cc-uses-m)", "11"},
        {"(cc-m1)", "!ERROR"},
        {"(cc-m1 1 2)", "!ERROR"},
        {"(defmacro cc-swap (a b) (let ((tmp (gensym))) `(let ((,tmp ,a)) (setq ,a ,b ,b ,tmp))))"
         "(let ((x 1) (y 2)) (cc-swap x y) (list x y))", "(2 1)"},
        {"(defmacro cc-while (test &body body) `(loop (unless ,test (return)) ,@body))"
         "(let ((i 0) (s 0)) (cc-while (< i 5) (incf s i) (incf i)) s)", "10"},
        {"(defmacro cc-doc-m () \"docstring\" 7)(cc-doc-m)", "7"},
    };
    RUN(cases);
}
END_TEST

START_TEST(test_backquote) {
    static const Case cases[] = {
        {"(let ((x 1) (l '(2 3))) `(a ,x ,@l b))", "(A 1 2 3 B)"},
        {"`(1 . ,(+ 1 1))", "(1 . 2)"},
        {"(let ((x 1)) `#(a ,x))", "#(A 1)"},
        {"`(1 ,@'(2 3) . 4)", "(1 2 3 . 4)"},
        {"`(,@nil)", "NIL"},
        {"`(a (b ,(+ 1 2)) ,@(list 4 5))", "(A (B 3) 4 5)"},
        {"(defmacro cc-def-getter (name val) `(defmacro ,name () `(list ,',val)))(cc-def-getter cc-get42 42)(cc-get42)",
         "(42)"},
        {"(defvar *cc-bq-a* 10)(let ((b '(*cc-bq-a*))) (eval ``(,,@b ,@',b)))", "(10 *CC-BQ-A*)"},
        {"(let ((x '(1 2))) `(,x ,@x))", "((1 2) 1 2)"},
        {"(let ((l (list 1 2))) (eq (cdr `(0 ,@l)) l))", "T"},
    };
    RUN(cases);
}
END_TEST

/* ==== multiple values ==== */

START_TEST(test_multiple_values) {
    static const Case cases[] = {
        {"(multiple-value-list (values 1 2 3))", "(1 2 3)"},
        {"(multiple-value-list (values))", "NIL"},
        {"(list (values))", "(NIL)"},
        {"(let ((x (values))) x)", "NIL"},
        {"(multiple-value-bind (a b) (values 1 2 3) (list a b))", "(1 2)"},
        {"(multiple-value-bind (a b c) (values 1) (list a b c))", "(1 NIL NIL)"},
        {"(multiple-value-bind (a b) (values 1 2) (let ((f (lambda () (+ a b)))) (setq a 10) (funcall f)))", "12"},
        {"(multiple-value-bind () (values 1 2) 3)", "3"},
        {"(nth-value 1 (floor 7 2))", "1"},
        {"(nth-value 5 (values 1 2))", "NIL"},
        {"(multiple-value-list (values-list '(1 2 3)))", "(1 2 3)"},
        {"(+ (values 1 2) (values 3 4))", "4"},
        {"(multiple-value-list (let ((x 1)) (values x 2)))", "(1 2)"},
        {"(defun cc-mv () (values 1 2))(multiple-value-list (cc-mv))", "(1 2)"},
        {"(defun cc-mv2 () (cc-mv))(multiple-value-list (cc-mv2))", "(1 2)"},
        {"(multiple-value-list (let ((x (cc-mv))) x))", "(1)"},
        {"(multiple-value-list (prog1 (values 1 2) 3))", "(1)"},
        {"(let (a b) (multiple-value-setq (a b) (values 1 2)) (list a b))", "(1 2)"},
        {"(let ((a 0) (b 0)) (list (multiple-value-setq (a b) (values 5)) a b))", "(5 5 NIL)"},
        {"(multiple-value-list (funcall #'values 1 2))", "(1 2)"},
        {"(multiple-value-list (apply #'values '(1 2)))", "(1 2)"},
        {"(multiple-value-list (or nil (values 1 2)))", "(1 2)"},
        {"(multiple-value-list (or (values 1 2) 3))", "(1)"},
        {"(multiple-value-list (and t (values 1 2)))", "(1 2)"},
        {"(multiple-value-list (cond (t (values 1 2))))", "(1 2)"},
        {"(multiple-value-list (when t (values 1 2)))", "(1 2)"},
        {"(flet ((f () (values 1 2))) (multiple-value-list (f)))", "(1 2)"},
        {"(multiple-value-list (block nil (return (values 1 2))))", "(1 2)"},
        {"(multiple-value-list (let* ((a 1)) (progn (values a (1+ a)))))", "(1 2)"},
        {"(let ((l nil)) (dotimes (i 100) (push i l)) (length (multiple-value-list (values-list l))))", "100"},
        {"(multiple-value-list (case 1 (1 (values :a :b))))", "(:A :B)"},
        {"(defun cc-mv-special () (let ((*cc-sq* 0)) (values *cc-sq* 1)))(multiple-value-list (cc-mv-special))",
         "(0 1)"},
        {"(multiple-value-list (labels ((f (n) (if (= n 0) (values :x :y) (f (1- n))))) (f 10)))", "(:X :Y)"},
        {"(let ((r (multiple-value-list (floor 7 2)))) r)", "(3 1)"},
        {"(multiple-value-list (values 1 (values 2 3)))", "(1 2)"},
    };
    RUN(cases);
}
END_TEST

/* ==== tail calls and stack depth ==== */

START_TEST(test_tail_calls) {
    static const Case cases[] = {
        {"(defun cc-count-down (n) (if (= n 0) :done (cc-count-down (1- n))))(cc-count-down 1000000)", ":DONE"},
        {"(labels ((e (n) (if (= n 0) t (o (1- n)))) (o (n) (if (= n 0) nil (e (1- n))))) (list (e 1000000) (o 1000001)))",
         "(T T)"},
        {"(defun cc-sum-to (n acc) (if (= n 0) acc (cc-sum-to (1- n) (+ acc n))))(cc-sum-to 1000000 0)",
         "500000500000"},
        {"(defun cc-tk (n &key (acc 0)) (if (= n 0) acc (cc-tk (1- n) :acc (1+ acc))))(cc-tk 1000000)", "1000000"},
        {"(defun cc-tl (n) (let ((m (1- n))) (cond ((< m 0) :end) (t (progn (cc-tl m))))))(cc-tl 1000000)", ":END"},
        {"(defun cc-tc-funcall (n) (if (= n 0) :ok (funcall #'cc-tc-funcall (1- n))))(cc-tc-funcall 1000000)", ":OK"},
        {"(defun cc-tc-opt (n &optional (k 1)) (if (<= n 0) k (cc-tc-opt (- n k))))(cc-tc-opt 1000000)", "1"},
        {"(defun cc-tc-closure (n) (let ((f (lambda () n))) (if (= n 0) (funcall f) (cc-tc-closure (1- n)))))"
         "(cc-tc-closure 1000000)", "0"},
        {"(defun cc-deep (n) (if (= n 0) 0 (+ 1 (cc-deep (1- n)))))(cc-deep 100000)", "100000"},
        {"(defun cc-deep-list (n) (if (= n 0) nil (cons n (cc-deep-list (1- n)))))(length (cc-deep-list 100000))",
         "100000"},
        {"(defun cc-inf (n) (+ 1 (cc-inf n)))(handler-case (cc-inf 1) (storage-condition () :caught))", ":CAUGHT"},
        {"(+ 1 2)", "3"},
        {"(handler-case (cc-inf 1) (storage-condition () :caught-again))", ":CAUGHT-AGAIN"},
        {"(defun cc-inf2 (l) (mapcar #'cc-inf2 (list l)))(handler-case (cc-inf2 1) (storage-condition () :c-stack))",
         ":C-STACK"},
        {"(cc-deep 1000)", "1000"},
        {"(defvar *cc-inf-v* 10)(defun cc-inf3 (n) (let ((*cc-inf-v* n)) (+ 1 (cc-inf3 n))))"
         "(list (handler-case (cc-inf3 1) (storage-condition () :caught)) *cc-inf-v*)", "(:CAUGHT 10)"},
        {"(cc-inf 1)", "!STORAGE-CONDITION"},
        {"(cc-count-down 10)", ":DONE"},
    };
    RUN(cases);
}
END_TEST

/* ==== conditions ==== */

START_TEST(test_handlers) {
    static const Case cases[] = {
        {"(handler-case (error \"x\") (type-error () :type) (simple-error () :simple) (error () :error))", ":SIMPLE"},
        {"(handler-case (car 5) ((or program-error type-error) (c) (list :or (type-error-datum c))))", "(:OR 5)"},
        {"(handler-case (values 1 2) (error () :err) (:no-error (a b) (list a b)))", "(1 2)"},
        {"(handler-case (handler-case (error \"x\") (type-error () :inner)) (error () :outer))", ":OUTER"},
        {"(let ((log nil)) (list (handler-case (handler-bind ((error (lambda (c) (declare (ignore c))"
         " (push :declined log)))) (error \"x\")) (error () :outer)) log))", "(:OUTER (:DECLINED))"},
        {"(let ((log nil)) (handler-case (handler-bind ((error (lambda (c) (declare (ignore c)) (push :outer log))))"
         " (handler-bind ((error (lambda (c) (declare (ignore c)) (push :inner log)))) (error \"x\")))"
         " (error () nil)) log)", "(:OUTER :INNER)"},
        {"(handler-case (handler-bind ((error (lambda (c) (declare (ignore c)) (error \"second\")))) (error \"first\"))"
         " (error (c) (format nil \"~a\" c)))", "\"second\""},
        {"(handler-case (error \"bad ~a and ~s\" 1 \"two\") (error (c) (princ-to-string c)))",
         "\"bad 1 and \\\"two\\\"\""},
        {"(multiple-value-bind (v c) (ignore-errors (error \"x\")) (list v (type-of c)))", "(NIL SIMPLE-ERROR)"},
        {"(ignore-errors (+ 1 2))", "3"},
        {"(multiple-value-list (ignore-errors (values 1 2)))", "(1 2)"},
        {"(handler-case (car 5) (type-error (c) (list (type-error-datum c) (type-error-expected-type c))))", "(5 LIST)"},
        {"(handler-case cc-no-such-var (unbound-variable (c) (cell-error-name c)))", "CC-NO-SUCH-VAR"},
        {"(handler-case (cc-no-such-fn 1) (undefined-function (c) (cell-error-name c)))", "CC-NO-SUCH-FN"},
        {"(handler-case (funcall 'cc-no-such-fn) (undefined-function (c) (cell-error-name c)))", "CC-NO-SUCH-FN"},
        {"(handler-case (error 'type-error :datum 1 :expected-type 'string)"
         " (type-error (c) (list (type-error-datum c) (type-error-expected-type c))))", "(1 STRING)"},
        {"(signal \"cc unhandled\")", "NIL"},
        {"(let ((n 0)) (dotimes (i 1000 n) (handler-case (error \"x\") (error () (incf n)))))", "1000"},
        {"(handler-case (/ 1 0) (division-by-zero () :div0))", ":DIV0"},
        {"(handler-case (/ 1 0) (arithmetic-error () :arith))", ":ARITH"},
        {"(handler-case (error \"x\") (condition () :condition))", ":CONDITION"},
        {"(handler-case (progn (error \"x\") :not-here) (error (c) (declare (ignore c)) :first :second))", ":SECOND"},
        {"(handler-case 5 (error () :no))", "5"},
        {"(multiple-value-list (handler-case (values 1 2 3) (error () :no)))", "(1 2 3)"},
        {"(defun cc-signal-deep (n) (if (= n 0) (error \"deep\") (1+ (cc-signal-deep (1- n)))))"
         "(handler-case (cc-signal-deep 10000) (error (c) (princ-to-string c)))", "\"deep\""},
        {"(catch 'cc-h (handler-bind ((type-error (lambda (c) (throw 'cc-h (type-error-datum c))))) (car 'sym)))",
         "SYM"},
        {"(handler-bind ((warning (lambda (c) (declare (ignore c)) (throw 'never 1)))) (+ 1 1))", "2"},
        {"(error \"cc top ~a\" 1)", "!SIMPLE-ERROR"},
        {"(car 5)", "!TYPE-ERROR"},
        {"cc-no-such-var", "!UNBOUND-VARIABLE"},
        {"(cc-no-such-fn)", "!UNDEFINED-FUNCTION"},
    };
    RUN(cases);
}
END_TEST

/* Conditions returned to C: type, report text, cell names. */
START_TEST(test_condition_objects) {
    LispObj c = ev_cond("(error \"bad ~a and ~s\" 1 \"two\")");
    checks += 4;
    ck_assert(cond_is(c, "SIMPLE-ERROR"));
    ck_assert(cond_typep(c, S(ERROR)));
    ck_assert(!cond_typep(c, S(TYPE_ERROR)));
    ck_assert_str_eq(report(c), "bad 1 and \"two\"");
    c = ev_cond("(car 5)");
    checks += 2;
    ck_assert(cond_typep(c, S(TYPE_ERROR)));
    ck_assert_str_eq(printed(lisp_plist_get(CND(c)->plist, rd_read_from_cstr(tc, ":DATUM"), NIL)), "5");
    c = ev_cond("(throw 'cc-no-catcher 1)");
    checks++;
    ck_assert(cond_typep(c, S(CONTROL_ERROR)));
    c = ev_cond("(funcall (lambda (x) x))");
    checks++;
    ck_assert(cond_typep(c, S(PROGRAM_ERROR)));
    CHECK_STR("(+ 40 2)", "42");  /* the image is usable after errors */
}
END_TEST

/* Regressions.  vm_throw (the debugger's throw to the top level) carried
 * the value registers instead of its one value, so an error signalled from
 * C right after a multiple-value form reached vm_call_protected as the stale
 * first value ("control stack exhausted past its reserve").  SETQ of a
 * define-symbol-macro symbol assigned the symbol's value cell, and reading
 * one anywhere but at top level read the value cell.  (setf aref) passed the
 * value where %aset wants the index.  An odd keyword tail such as (f :a)
 * made the :allow-other-keys scan take CDR of NIL (UBSan; pinned by the
 * lambda-list errors). */
START_TEST(test_regressions) {
    static const Case cases[] = {
        {"(multiple-value-bind (v c) (values 1 2) (car 5))", "!TYPE-ERROR"},
        {"(multiple-value-bind (v c) (values 1 2) (cc-undef-after-mv c))", "!UNDEFINED-FUNCTION"},
        {"(multiple-value-call (lambda (&optional v c) (car v)) (values 1 2))", "!TYPE-ERROR"},
        {"(handler-bind ((error (lambda (c) (declare (ignore c)) (values 1 2)))) (car 5))", "!TYPE-ERROR"},
        {"(defvar *cc-rsm-cell* (list 4))(define-symbol-macro cc-rsm (car *cc-rsm-cell*))"
         "(list (let ((cc-rsm 1)) (setq cc-rsm 2) cc-rsm) *cc-rsm-cell*)", "(2 (4))"},
        {"(progn (setq cc-rsm 5) (incf cc-rsm) (list cc-rsm (let ((f (lambda () cc-rsm))) (funcall f)) *cc-rsm-cell*))",
         "(6 6 (6))"},
        {"(let ((v (vector 1 2 3))) (setf (aref v 1) :x) (incf (aref v 0)) v)", "#(2 :X 3)"},
        {"(let ((s (copy-seq \"abc\"))) (setf (aref s 0) #\\z) s)", "\"zbc\""},
    };
    RUN(cases);
    LispObj c = ev_cond("(multiple-value-prog1 (values 1 2 3) (car 5))");
    checks++;
    ck_assert_msg(cond_is(c, "TYPE-ERROR"), "got %s", condition_p(c) ? report(c) : printed(c));
}
END_TEST

/* Assorted compiler stress: scope corners, many slots and constants, deep nesting. */
START_TEST(test_compiler_corners) {
    static const Case cases[] = {
        {"(catch 'outer (catch 'inner (unwind-protect (throw 'inner 1) (throw 'outer 2))))", "2"},
        {"(block a (block b (unwind-protect (return-from a 1) (return-from b 2))) 3)", "3"},
        {"(let ((n 0)) (tagbody (unwind-protect (go end) (incf n)) end) n)", "1"},
        {"(multiple-value-call #'list (values 1 2) (catch 'x (throw 'x (values 3 4))))", "(1 2 3 4)"},
        {"(let ((x 1)) (declare (special x)) (flet ((f () x)) (let ((x 2)) (list x (f)))))", "(2 1)"},
        {"(labels ((f (n) (if (= n 0) (lambda () :done) (f (1- n))))) (funcall (f 5)))", ":DONE"},
        {"((lambda (x) \"doc\" (declare (ignore x)) 5) 1)", "5"},
        {"((lambda () \"doc\"))", "\"doc\""},
        {"(defun cc-name () 1)", "CC-NAME"},
        {"(let ((r nil)) (dotimes (k 3) (let ((i k)) (push (lambda () (block b (mapc (lambda (x) (when (= x i)"
         " (return-from b x))) '(0 1 2)))) r))) (mapcar #'funcall r))", "(2 1 0)"},
        {"(let ((x 0)) (labels ((a () (b)) (b () (setq x (1+ x)))) (a) (a) x))", "2"},
        {"(defvar *cc-aux*)(defun cc-aux-sp (&aux (*cc-aux* 5)) (symbol-value '*cc-aux*))(cc-aux-sp)", "5"},
        {"(defun cc-deep-special (n) (let ((*cc-aux* n)) (if (= n 0) (symbol-value '*cc-aux*)"
         " (+ 0 (cc-deep-special (1- n))))))(cc-deep-special 10000)", "0"},
        {"(let ((acc nil)) (block nil (unwind-protect (return 1) (push :a acc) (block nil (unwind-protect (return 2)"
         " (push :b acc))))) acc)", "(:B :A)"},
        {"(let ((x 10)) (symbol-macrolet ((y x)) (let ((f (lambda () (setq y 20)))) (funcall f) x)))", "20"},
        {"(funcall (let ((n 5)) (lambda (&key (m n)) (+ m n))) :m 1)", "6"},
        {"(let ((c 0)) (let ((f (lambda (&optional (n (incf c))) n))) (list (funcall f) (funcall f 10) (funcall f) c)))",
         "(1 10 2 2)"},
        {"(let ((x :outer)) (flet ((f (&optional (y x)) y)) (let ((x :inner)) (f))))", ":OUTER"},
        {"(let ((x 1)) (let* ((f (lambda () x)) (x 2)) (list x (funcall f))))", "(2 1)"},
        {"(defvar *cc-tg* 0)(defun cc-rec-uwp (n) (if (= n 0) (throw 'cc-done 0) (unwind-protect (cc-rec-uwp (1- n))"
         " (incf *cc-tg*))))(catch 'cc-done (cc-rec-uwp 1000))*cc-tg*", "1000"},
        {"(let ((n 0)) (tagbody top (let ((*cc-tg* n)) (incf n) (when (< n 5) (go top)))) (list n *cc-tg*))", "(5 1000)"},
        {"(funcall (lambda (&key ((secret s) 1)) s) 'secret 5)", "5"},
        {"(flet ((f (x) (* x 2))) (macrolet ((g (y) `(f ,y))) (g 21)))", "42"},
        {"(funcall (compile nil '(lambda (x) (* x 3))) 5)", "15"},
        {"(let ((f (eval '(lambda (x) (lambda () x))))) (funcall (funcall f 7)))", "7"},
        {"(let ((x 1)) (list (eval 'x)))", "!UNBOUND-VARIABLE"},
        {"(let ((f 0)) (dotimes (i 1000) (setq f (list '+ 1 f))) (eval f))", "1000"},
        {"(handler-case (let ((f 0)) (dotimes (i 100000) (setq f (list '+ 1 f))) (eval f))"
         " (storage-condition () :too-deep))", ":TOO-DEEP"},
        {"(let ((vars nil)) (dotimes (i 300) (push (intern (format nil \"CC-W~d\" i)) vars))"
         " (eval `(let ,(mapcar (lambda (v) (list v 2)) vars) (let ((fs (list ,@(mapcar (lambda (v) `(lambda () ,v))"
         " vars)))) (apply #'+ (mapcar #'funcall fs))))))", "600"},
        {"(let ((forms nil)) (dotimes (i 400) (push (list 'quote (intern (format nil \"CC-C~d\" i))) forms))"
         " (length (eval (cons 'list forms))))", "400"},
        {"(destructuring-bind (a (b &optional c) &key d) '(1 (2) :d 4) (list a b c d))", "(1 2 NIL 4)"},
        {"(do* ((i 0 (1+ i)) (j i i)) ((= i 3) j))", "3"},
        {"(let ((p (list :a 1))) (setf (getf p :b) 2) (setf (getf p :a) 3) p)", "(:B 2 :A 3)"},
    };
    RUN(cases);
}
END_TEST

/* The VM's fixnum fast paths (ADD SUB ADD1 SUB1 and the generic calls)
 * overflowed into ARITHMETIC-ERROR before bignums: now the slow path
 * returns the exact bignum, and comparisons see bignums. */
START_TEST(test_fixnum_overflow) {
    static const Case cases[] = {
        {"(+ most-positive-fixnum 1)", "2305843009213693952"},
        {"(* most-positive-fixnum 2)", "4611686018427387902"},
        {"(- most-negative-fixnum 1)", "-2305843009213693953"},
        {"(1+ most-positive-fixnum)", "2305843009213693952"},
        {"(1- most-negative-fixnum)", "-2305843009213693953"},
        {"(- most-negative-fixnum)", "2305843009213693952"},
        {"(* most-negative-fixnum -1)", "2305843009213693952"},
        {"(let ((x most-positive-fixnum)) (+ x 1))", "2305843009213693952"},
        {"(let ((x most-positive-fixnum)) (1+ x))", "2305843009213693952"},
        {"(let ((x most-negative-fixnum)) (- x 1))", "-2305843009213693953"},
        {"(let ((x most-negative-fixnum)) (1- x))", "-2305843009213693953"},
        {"(let ((x most-positive-fixnum) (y 3)) (* x y))", "6917529027641081853"},
        {"(funcall #'+ most-positive-fixnum 1)", "2305843009213693952"},
        {"(apply #'* (list most-positive-fixnum 2))", "4611686018427387902"},
        {"(let ((x 1)) (dotimes (i 70) (setq x (* x 2))) x)", "1180591620717411303424"},
        {"(let ((x most-positive-fixnum)) (incf x))", "2305843009213693952"},
        {"(let ((x most-positive-fixnum)) (- (+ x 1) 1))", "2305843009213693951"},
        {"(typep (- (+ most-positive-fixnum 1) 1) 'fixnum)", "T"},
        {"(let ((x (+ most-positive-fixnum 1))) (list (< most-positive-fixnum x) (> x 0) (= x x) (<= x x) (>= 0 x)))",
         "(T T T T NIL)"},
        {"(let ((x most-positive-fixnum)) (- (+ x 0) x))", "0"},
        {"(= (- most-positive-fixnum 1) (1- most-positive-fixnum))", "T"},
        {"(+ most-positive-fixnum most-negative-fixnum)", "-1"},
        {"(typep (+ most-positive-fixnum 1) 'bignum)", "T"},
    };
    RUN(cases);
}
END_TEST

/* ==== GC interplay ==== */

START_TEST(test_gc) {
    static const Case cases[] = {
        {"(defparameter *cc-big* (let ((l nil)) (dotimes (i 100000 l) (push i l))))(petrel-ext:gc)"
         "(list (length *cc-big*) (car *cc-big*) (nth 50000 *cc-big*) (let ((s 0)) (dolist (x *cc-big* s) (incf s x))))",
         "(100000 99999 49999 4999950000)"},
        {"(let ((l (let ((l nil)) (dotimes (i 100000 l) (push (cons i (* i i)) l))))) (petrel-ext:gc)"
         " (let ((s 0)) (dolist (p l) (incf s (- (cdr p) (* (car p) (car p))))) (list s (length l))))", "(0 100000)"},
        {"(defun cc-make-adders (n) (let ((fs nil)) (dotimes (i n fs) (let ((j i)) (push (lambda (x) (+ x j)) fs)))))"
         "(let ((fs (cc-make-adders 10000))) (petrel-ext:gc) (let ((s 0)) (dolist (f fs s) (incf s (funcall f 1)))))",
         "50005000"},
        {"(defun cc-chain (n) (let ((f (lambda () 0))) (dotimes (i n f) (let ((g f) (k i))"
         " (setq f (lambda () (+ k (funcall g))))))))"
         "(let ((f (cc-chain 1000))) (petrel-ext:gc) (funcall f))", "499500"},
        {"(defun cc-gc-deep (n) (if (= n 0) (progn (petrel-ext:gc) (list 0)) (cons n (cc-gc-deep (1- n)))))"
         "(let ((l (cc-gc-deep 10000))) (list (length l) (car l) (car (last l))))", "(10001 10000 0)"},
        {"(let ((v (make-array 1000 :initial-element nil))) (dotimes (i 1000) (setf (aref v i) (format nil \"s~d\" i)))"
         " (petrel-ext:gc) (list (aref v 0) (aref v 999)))", "(\"s0\" \"s999\")"},
        {"(handler-case (progn (petrel-ext:gc) (error \"x~a\" (list 1 2))) (error (c) (petrel-ext:gc) (format nil \"~a\" c)))",
         "\"x(1 2)\""},
        {"(let ((*cc-v1* (list 1 2 3))) (unwind-protect (petrel-ext:gc) (petrel-ext:gc)) *cc-v1*)", "(1 2 3)"},
        {"(multiple-value-list (multiple-value-prog1 (values (list 1) (list 2) (list 3)) (petrel-ext:gc)))",
         "((1) (2) (3))"},
        {"(catch 'cc-gct (let ((x (list :a))) (unwind-protect (throw 'cc-gct (list x (list :b))) (petrel-ext:gc))))",
         "((:A) (:B))"},
        {"(let* ((n 0) (fs (let ((l nil)) (dotimes (i 1000 l) (push (lambda () (incf n)) l)))))"
         " (petrel-ext:gc) (mapc #'funcall fs) n)", "1000"},
        {"(multiple-value-call #'list (petrel-ext:gc) (values (list 1 2) (vector 3)) (petrel-ext:gc))",
         "(NIL (1 2) #(3) NIL)"},
        {"(defun cc-gc-args (a b &rest r) (petrel-ext:gc) (list a b r))(cc-gc-args (list 1) \"s\" (list 2) (list 3))",
         "((1) \"s\" ((2) (3)))"},
        {"(let ((a nil)) (dotimes (i 1000) (push (cons (format nil \"k~d\" i) i) a))"
         " (petrel-ext:gc) (list (cdr (assoc \"k0\" a :test #'string=)) (cdr (assoc \"k999\" a :test #'string=))))",
         "(0 999)"},
        {"(let ((s 0)) (dotimes (i 200 s) (let ((l nil)) (dotimes (j 1000) (push (list i j) l)) (incf s (length l)))))",
         "200000"},
    };
    RUN(cases);
}
END_TEST

/* The same interplay at sizes a collection every 97 allocations can afford. */
START_TEST(test_gc_light) {
    static const Case cases[] = {
        {"(let ((l (let ((l nil)) (dotimes (i 5000 l) (push (cons i (* i i)) l))))) (petrel-ext:gc)"
         " (let ((s 0)) (dolist (p l) (incf s (- (cdr p) (* (car p) (car p))))) (list s (length l))))", "(0 5000)"},
        {"(defun cc-make-adders-l (n) (let ((fs nil)) (dotimes (i n fs) (let ((j i)) (push (lambda (x) (+ x j)) fs)))))"
         "(let ((fs (cc-make-adders-l 1000))) (petrel-ext:gc) (let ((s 0)) (dolist (f fs s) (incf s (funcall f 1)))))",
         "500500"},
        {"(defun cc-chain-l (n) (let ((f (lambda () 0))) (dotimes (i n f) (let ((g f) (k i))"
         " (setq f (lambda () (+ k (funcall g))))))))(funcall (cc-chain-l 300))", "44850"},
        {"(multiple-value-list (multiple-value-prog1 (values (list 1) (list 2) (list 3)) (list 4)))", "((1) (2) (3))"},
        {"(catch 'cc-gct (let ((x (list :a))) (unwind-protect (throw 'cc-gct (list x (list :b))) (list :c))))",
         "((:A) (:B))"},
        {"(defun cc-gc-args-l (a b &rest r) (list a b r))(cc-gc-args-l (list 1) \"s\" (list 2) (list 3))",
         "((1) \"s\" ((2) (3)))"},
        {"(defun cc-tk-l (n &key (acc 0)) (if (= n 0) acc (cc-tk-l (1- n) :acc (1+ acc))))(cc-tk-l 10000)", "10000"},
        {"(defun cc-deep-l (n) (if (= n 0) nil (cons (list n) (cc-deep-l (1- n)))))(length (cc-deep-l 5000))", "5000"},
    };
    RUN(cases);
}
END_TEST

#if !defined(PETREL_SANITIZE_ADDRESS) && !defined(PETREL_SANITIZE_THREAD)
/* The child process of the torture tcase: every suite with PETREL_GC_TORTURE set. */
START_TEST(test_torture_child) {
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    ck_assert_msg(n > 0, "readlink /proc/self/exe failed");
    exe[n] = 0;
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_msg(pid >= 0, "fork failed");
    if (pid == 0) {
        setenv("PETREL_GC_TORTURE", "97", 1);
        execl(exe, exe, "--torture", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    ck_assert(waitpid(pid, &status, 0) == pid);
    checks++;
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "suites failed under PETREL_GC_TORTURE=97 (status %d)",
                  status);
}
END_TEST
#endif

static TCase *tcase(const char *name, const TTest *const *tests) {
    TCase *tc_ = tcase_create(name);
    tcase_set_timeout(tc_, 600);
    for (; *tests; tests++) tcase_add_test(tc_, *tests);
    return tc_;
}

/* light: the torture child, which leaves out the million-step tail calls and
 * the 100,000-element heaps (the parent runs them with explicit collections). */
static Suite *compiler_suite(bool torture, bool light) {
    Suite *s = suite_create("compiler");
    suite_add_tcase(s, tcase("special-operators", (const TTest *const[]){
        test_block_return_from, test_catch_throw, test_eval_when_if_progn_quote, test_flet_labels, test_function,
        test_tagbody_go, test_let_setq, test_ltv_locally_progv, test_macrolet_symbol_macrolet, test_mv_call_prog1,
        test_unwind_protect, test_compiler_corners, NULL}));
    suite_add_tcase(s, tcase("lambda-lists", (const TTest *const[]){test_lambda_lists, NULL}));
    suite_add_tcase(s, tcase("closures", (const TTest *const[]){test_closures, NULL}));
    suite_add_tcase(s, tcase("specials", (const TTest *const[]){test_specials, NULL}));
    suite_add_tcase(s, tcase("macros", (const TTest *const[]){test_defmacro, test_backquote, NULL}));
    suite_add_tcase(s, tcase("multiple-values", (const TTest *const[]){test_multiple_values, NULL}));
    if (!light) suite_add_tcase(s, tcase("tail-calls", (const TTest *const[]){test_tail_calls, NULL}));
    suite_add_tcase(s, tcase("conditions", (const TTest *const[]){test_handlers, test_condition_objects, test_regressions,
                                                               NULL}));
    suite_add_tcase(s, tcase("arithmetic", (const TTest *const[]){test_fixnum_overflow, NULL}));
    suite_add_tcase(s, tcase("gc", light ? (const TTest *const[]){test_gc_light, NULL}
                                         : (const TTest *const[]){test_gc, test_gc_light, NULL}));
#if !defined(PETREL_SANITIZE_ADDRESS) && !defined(PETREL_SANITIZE_THREAD)
    /* Under a sanitizer the child takes minutes; CI's torture job runs this
     * whole suite with PETREL_GC_TORTURE set instead. */
    if (!torture) suite_add_tcase(s, tcase("torture", (const TTest *const[]){test_torture_child, NULL}));
#endif
    return s;
}

int main(int argc, char **argv) {
    int stack_marker;
    const char *t = getenv("PETREL_GC_TORTURE");
    bool child = argc > 1 && strcmp(argv[1], "--torture") == 0;
    bool torture = child || (t && *t && strcmp(t, "0") != 0);
    tc = lisp_init(&(LispOptions){0}, &stack_marker);
    SRunner *sr = srunner_create(compiler_suite(torture, child));
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    printf("%s: %d checks%s\n", argv[0], checks, torture ? " (GC torture)" : "");
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
