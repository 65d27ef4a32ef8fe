/* lisp/cond_impl.h — the condition system's internals shared by cond.c,
 * builtins_cond.c, builtins_restarts.c and the REPL.  Private to lisp/.
 *
 * A restart is a condition-kind object whose type is RESTART and whose
 * args word holds a simple vector of RESTART_NFIELDS fields (below); the
 * active restarts are the special SYS:*RESTART-CLUSTERS*, a list of
 * clusters (lists of restarts), innermost first, bound by restart-bind.
 * The top level's ABORT restart is in its global value. */
#ifndef PETREL_LISP_COND_IMPL_H
#define PETREL_LISP_COND_IMPL_H

#include "lisp/vm_impl.h"

enum RestartField {
    RESTART_NAME,         /* symbol or NIL */
    RESTART_FUNCTION,     /* called with invoke-restart's arguments */
    RESTART_REPORT,       /* function of (restart stream), string, or NIL */
    RESTART_INTERACTIVE,  /* function of no arguments → argument list, or NIL */
    RESTART_TEST,         /* function of (condition) → visible?, or NIL */
    RESTART_NFIELDS
};

bool cond_restart_p(LispObj x);
LispObj cond_restart_report(ThContext *tc, LispObj restart);
/* A symbol naming CONDITION or a subtype (not RESTART). */
bool cond_condition_type_p(LispObj sym);
void cond_set_type_property(ThContext *tc, LispObj type, LispObj key, LispObj value);
/* make-condition: slot values from initargs, default initargs, initforms. */
LispObj cond_make(ThContext *tc, LispObj type, LispObj initargs);
/* Slot access by slot name; reading an unbound slot signals unbound-slot. */
LispObj cond_slot_value(ThContext *tc, LispObj condition, LispObj slot);
void cond_set_slot_value(ThContext *tc, LispObj condition, LispObj slot, LispObj value);

#endif
