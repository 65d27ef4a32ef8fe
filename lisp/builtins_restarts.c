/* lisp/builtins_restarts.c — restart objects (layout in cond_impl.h): the
 * constructor and accessors the Lisp side (conditions.lisp: restart-bind,
 * restart-case, compute-restarts, invoke-restart, the debugger) is built
 * on.  The table is registered by builtins_vm.c.
 *
 * A restart is immutable once made; which conditions it is associated with
 * is the dynamic SYS:*CONDITION-RESTARTS* (with-condition-restarts), so the
 * association ends with the extent that made it. */
#include "lisp/cond_impl.h"

static LispObj check_restart(ThContext *tc, LispObj x) {
    if (!cond_restart_p(x)) cond_type_error(tc, x, S(TY_RESTART));
    return x;
}

static LispObj field(LispObj r, enum RestartField f) { return VEC(CND(r)->args)->items[f]; }

/* (%make-restart name function &optional report interactive test) */
static LispObj sys_make_restart(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj values[RESTART_NFIELDS];
    values[RESTART_NAME] = arg_symbol(tc, args[0]);
    values[RESTART_FUNCTION] = arg_function_designator(tc, args[1]);
    for (size_t f = RESTART_REPORT; f < RESTART_NFIELDS; f++) {
        size_t i = f - RESTART_REPORT + 2;
        LispObj v = i < nargs ? args[i] : NIL;
        if (v != NIL && !(f == RESTART_REPORT && string_p(v))) v = arg_function_designator(tc, v);
        values[f] = v;
    }
    LispObj fields = vec_make(tc, RESTART_NFIELDS, NIL);
    for (size_t f = 0; f < RESTART_NFIELDS; f++) gc_init_store(&VEC(fields)->items[f], values[f]);
    return condition_make(tc, S(TY_RESTART), NIL, fields, NIL);
}

static LispObj cl_restart_name(ThContext *tc, size_t nargs, LispObj *args) {
    return field(check_restart(tc, args[0]), RESTART_NAME);
}

static LispObj sys_restart_function(ThContext *tc, size_t nargs, LispObj *args) {
    return field(check_restart(tc, args[0]), RESTART_FUNCTION);
}

static LispObj sys_restart_interactive(ThContext *tc, size_t nargs, LispObj *args) {
    return field(check_restart(tc, args[0]), RESTART_INTERACTIVE);
}

/* True if the restart's test function (if any) accepts condition. */
static LispObj sys_restart_visible_p(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj test = field(check_restart(tc, args[0]), RESTART_TEST);
    if (test == NIL) return T;
    return vm_funcall1(tc, test, nargs > 1 ? args[1] : NIL) != NIL ? T : NIL;
}

static LispObj sys_restart_p(ThContext *tc, size_t nargs, LispObj *args) {
    return cond_restart_p(args[0]) ? T : NIL;
}

static LispObj sys_restart_report(ThContext *tc, size_t nargs, LispObj *args) {
    return cond_restart_report(tc, check_restart(tc, args[0]));
}

const BuiltinSpec builtins_restarts[] = {
    {"%MAKE-RESTART", "SYS", sys_make_restart, 2, 5, "name function &optional report interactive test",
     "A restart object (restart-bind)."},
    {"RESTART-NAME", "CL", cl_restart_name, 1, 1, "restart", "The name of RESTART (a symbol or NIL)."},
    {"%RESTART-FUNCTION", "SYS", sys_restart_function, 1, 1, "restart", NULL},
    {"%RESTART-INTERACTIVE", "SYS", sys_restart_interactive, 1, 1, "restart", NULL},
    {"%RESTART-VISIBLE-P", "SYS", sys_restart_visible_p, 1, 2, "restart &optional condition",
     "True if RESTART's test function accepts CONDITION."},
    {"%RESTART-P", "SYS", sys_restart_p, 1, 1, "object", "True for a restart."},
    {"%RESTART-REPORT", "SYS", sys_restart_report, 1, 1, "restart", "The report text of RESTART."},
    {0},
};
