/* lisp/builtins_setf.c — the C side of generalised references (CLHS 5.1):
 * one question about a lexical environment that lisp/src/setf.lisp cannot
 * answer from Lisp, because the environment's entries are the compiler's
 * private vectors (compiler_impl.h).
 *
 * GET-SETF-EXPANSION must not use a setf expander (defsetf,
 * define-setf-expander) or a global macro of F when F is lexically bound
 * as a function or macro by FLET, LABELS or MACROLET (CLHS 5.1.2.9 and the
 * DEFSETF / DEFINE-SETF-EXPANDER pages); MACRO-FUNCTION sees local macros
 * but cannot tell a local function from a global one.
 * Shared state: none (environments are immutable lists of entry vectors). */
#include "lisp/compiler_impl.h"

/* The innermost function-namespace entry for name in env: ENT_FUN or
 * ENT_MACRO, or 0 when name is not lexically bound as an operator.
 * Anything that is not a well-formed environment reads as the empty one. */
static int64_t local_operator_kind(LispObj name, LispObj env) {
    for (LispObj l = env; cons_p(l); l = CDR(l)) {
        LispObj e = CAR(l);
        if (!vector_p(e) || vec_length(e) < 1 || !fx_p(VEC(e)->items[E_KIND])) return 0;
        if (vec_length(e) < 2) continue; /* [kind] entries (ENT_FRAME) name nothing */
        int64_t k = fx_value(VEC(e)->items[E_KIND]);
        if ((k == ENT_FUN || k == ENT_MACRO) && VEC(e)->items[E_NAME] == name) return k;
    }
    return 0;
}

/* (%LOCAL-OPERATOR-P name env) → T when name is a local function or macro. */
static LispObj sys_local_operator_p(ThContext *tc, size_t nargs, LispObj *args) {
    (void)tc;
    (void)nargs;
    return local_operator_kind(args[0], args[1]) != 0 ? T : NIL;
}

const BuiltinSpec builtins_setf[] = {
    {"%LOCAL-OPERATOR-P", "SYS", sys_local_operator_p, 2, 2, "name env",
     "True when NAME is bound by FLET, LABELS or MACROLET in the lexical "
     "environment ENV (setf expanders yield to local operators)."},
    {0},
};
