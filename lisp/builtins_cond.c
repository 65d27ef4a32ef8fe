/* lisp/builtins_cond.c — the Lisp face of the condition system's C core:
 * ERROR, SIGNAL, MAKE-CONDITION, INVOKE-DEBUGGER, the standard condition
 * readers and the helpers define-condition expands into.  WARN, CERROR,
 * the restarts and the debugger are Lisp (conditions.lisp);
 * handler-bind/handler-case/ignore-errors are macros in boot.lisp over
 * SYS:*HANDLER-CLUSTERS* (see cond.c). */
#include "lisp/cond_impl.h"

/* datum + arguments → condition (CLHS 9.1.2.1 "Condition Designators");
 * op names the operator for messages. */
static LispObj coerce_to_condition(ThContext *tc, LispObj datum, LispObj args, LispObj dflt, const char *op) {
    if (condition_p(datum) && !cond_restart_p(datum)) {
        if (args != NIL) cond_error_of_type(tc, S(TYPE_ERROR), "%s: a condition given as datum takes no arguments", op);
        return datum;
    }
    if (symbol_p(datum)) {
        if (!cond_condition_type_p(datum))
            cond_type_error(tc, datum, lisp_list(tc, 3, S(OR), S(STRING), S(CONDITION)));
        if (lisp_list_length(tc, args) & 1) cond_program_error(tc, "%s: odd number of initargs for condition %v", op, datum);
        return cond_make(tc, datum, args);
    }
    if (string_p(datum) || function_p(datum)) {
        LispObj plist = lisp_list(tc, 4, S(FORMAT_CONTROL_KW), datum, S(FORMAT_ARGUMENTS_KW), args);
        return cond_make(tc, dflt, plist);
    }
    cond_type_error(tc, datum, lisp_list(tc, 4, S(OR), S(STRING), S(SYMBOL), S(CONDITION)));
}

static LispObj cl_error(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj rest = lisp_list_from(tc, nargs - 1, args + 1);
    cond_signal_error(tc, coerce_to_condition(tc, args[0], rest, S(SIMPLE_ERROR), "ERROR"));
}

static LispObj cl_signal(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj rest = lisp_list_from(tc, nargs - 1, args + 1);
    cond_signal(tc, coerce_to_condition(tc, args[0], rest, S(SIMPLE_CONDITION), "SIGNAL"));
    return NIL;
}

/* (%coerce-to-condition datum arguments default-type operator): for the
 * Lisp side (cerror, warn, restart-case). */
static LispObj sys_coerce_to_condition(ThContext *tc, size_t nargs, LispObj *args) {
    char op[64] = "SIGNAL";
    if (nargs > 3 && symbol_p(args[3])) str_to_utf8(SYM(args[3])->name, op, sizeof op);
    return coerce_to_condition(tc, args[0], arg_list(tc, args[1]), arg_symbol(tc, args[2]), op);
}

static LispObj cl_invoke_debugger(ThContext *tc, size_t nargs, LispObj *args) {
    if (!condition_p(args[0]) || cond_restart_p(args[0])) cond_type_error(tc, args[0], S(CONDITION));
    cond_invoke_debugger(tc, args[0]);
}

/* The backtrace recorded when the debugger was last entered (cond.c). */
static LispObj sys_debugger_backtrace(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj bt = tc->vm->last_backtrace;
    return string_p(bt) ? bt : str_from_cstr(tc, "");
}

static LispObj cl_make_condition(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj type = arg_symbol(tc, args[0]);
    if (!cond_condition_type_p(type)) cond_type_error(tc, type, S(CONDITION));
    if ((nargs - 1) & 1) cond_program_error(tc, "MAKE-CONDITION: odd number of initargs");
    return cond_make(tc, type, lisp_list_from(tc, nargs - 1, args + 1));
}

static LispObj sys_condition_typep(ThContext *tc, size_t nargs, LispObj *args) {
    return cond_typep(args[0], args[1]) ? T : NIL;
}

static LispObj sys_condition_report(ThContext *tc, size_t nargs, LispObj *args) {
    if (!condition_p(args[0])) cond_type_error(tc, args[0], S(CONDITION));
    return cond_report_string(tc, args[0]);
}

/* Readers: each looks its initarg up in the condition's plist. */
static LispObj reader(ThContext *tc, LispObj c, LispObj type, const char *key) {
    if (!condition_p(c) || !cond_typep(c, type)) cond_type_error(tc, c, type);
    LispObj k = pkg_intern_cstr(tc, key, pkg_keyword);
    LispObj v = lisp_plist_get(CND(c)->plist, k, LISP_UNBOUND);
    if (v != LISP_UNBOUND) return v;
    /* Conditions C made with a format control in the message word. */
    if (!strcmp(key, "FORMAT-CONTROL") && string_p(CND(c)->message)) return CND(c)->message;
    if (!strcmp(key, "FORMAT-ARGUMENTS")) return CND(c)->args;
    return NIL;
}

#define READER(cname, type, key) \
    static LispObj cname(ThContext *tc, size_t nargs, LispObj *args) { return reader(tc, args[0], S(type), key); }
READER(cl_simple_condition_format_control, SIMPLE_CONDITION, "FORMAT-CONTROL")
READER(cl_simple_condition_format_arguments, SIMPLE_CONDITION, "FORMAT-ARGUMENTS")
READER(cl_type_error_datum, TYPE_ERROR, "DATUM")
READER(cl_type_error_expected_type, TYPE_ERROR, "EXPECTED-TYPE")
READER(cl_cell_error_name, CELL_ERROR, "NAME")
READER(cl_stream_error_stream, STREAM_ERROR, "STREAM")
READER(cl_arithmetic_error_operation, ARITHMETIC_ERROR, "OPERATION")
READER(cl_arithmetic_error_operands, ARITHMETIC_ERROR, "OPERANDS")
READER(cl_package_error_package, PACKAGE_ERROR, "PACKAGE")
READER(cl_file_error_pathname, FILE_ERROR, "PATHNAME")
READER(cl_print_not_readable_object, PRINT_NOT_READABLE, "OBJECT")
#undef READER

/* (%define-condition-type name parents &optional slots default-initargs
 * report documentation): slots are (name initargs initfunction) lists,
 * default-initargs a plist of initarg → thunk, report a string or function
 * (see cond.c).  Only the direct slots are recorded; inheritance is
 * resolved when a condition is made. */
static LispObj sys_define_condition_type(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj name = arg_symbol(tc, args[0]), parents = arg_list(tc, args[1]);
    if (name == S(CONDITION) || name == S(TY_RESTART) || name == NIL)
        cond_error(tc, "DEFINE-CONDITION: cannot redefine %v", name);
    for (LispObj l = parents; cons_p(l); l = CDR(l))
        if (!cond_condition_type_p(CAR(l)))
            cond_error(tc, "DEFINE-CONDITION %v: the parent %v is not a condition type", name, CAR(l));
    cond_define_type(tc, name, parents == NIL ? lisp_list(tc, 1, S(CONDITION)) : parents);
    cond_set_type_property(tc, name, S(CND_SLOTS_KEY), nargs > 2 ? arg_list(tc, args[2]) : NIL);
    cond_set_type_property(tc, name, S(CND_DEFAULT_INITARGS_KEY), nargs > 3 ? arg_list(tc, args[3]) : NIL);
    cond_set_type_property(tc, name, S(CND_REPORTER_KEY), nargs > 4 ? args[4] : NIL);
    cond_set_type_property(tc, name, S(CND_DOCUMENTATION_KEY), nargs > 5 ? args[5] : NIL);
    return name;
}

static LispObj sys_condition_slot_value(ThContext *tc, size_t nargs, LispObj *args) {
    return cond_slot_value(tc, args[0], args[1]);
}

static LispObj sys_set_condition_slot_value(ThContext *tc, size_t nargs, LispObj *args) {
    cond_set_slot_value(tc, args[0], args[1], args[2]);
    return args[2];
}

static LispObj sys_condition_type_p(ThContext *tc, size_t nargs, LispObj *args) {
    return cond_condition_type_p(args[0]) ? T : NIL;
}

const BuiltinSpec builtins_cond[] = {
    {"ERROR", "CL", cl_error, 1, BUILTIN_REST, "datum &rest arguments", "Signals an error; enters the debugger if unhandled."},
    {"SIGNAL", "CL", cl_signal, 1, BUILTIN_REST, "datum &rest arguments", "Signals a condition; returns NIL if unhandled."},
    {"INVOKE-DEBUGGER", "CL", cl_invoke_debugger, 1, 1, "condition", "Enters the debugger with CONDITION (after *debugger-hook*)."},
    {"MAKE-CONDITION", "CL", cl_make_condition, 1, BUILTIN_REST, "type &rest initargs", "Makes a condition."},
    {"SIMPLE-CONDITION-FORMAT-CONTROL", "CL", cl_simple_condition_format_control, 1, 1, "condition", NULL},
    {"SIMPLE-CONDITION-FORMAT-ARGUMENTS", "CL", cl_simple_condition_format_arguments, 1, 1, "condition", NULL},
    {"TYPE-ERROR-DATUM", "CL", cl_type_error_datum, 1, 1, "condition", NULL},
    {"TYPE-ERROR-EXPECTED-TYPE", "CL", cl_type_error_expected_type, 1, 1, "condition", NULL},
    {"CELL-ERROR-NAME", "CL", cl_cell_error_name, 1, 1, "condition", NULL},
    {"STREAM-ERROR-STREAM", "CL", cl_stream_error_stream, 1, 1, "condition", NULL},
    {"ARITHMETIC-ERROR-OPERATION", "CL", cl_arithmetic_error_operation, 1, 1, "condition", NULL},
    {"ARITHMETIC-ERROR-OPERANDS", "CL", cl_arithmetic_error_operands, 1, 1, "condition", NULL},
    {"PACKAGE-ERROR-PACKAGE", "CL", cl_package_error_package, 1, 1, "condition", NULL},
    {"FILE-ERROR-PATHNAME", "CL", cl_file_error_pathname, 1, 1, "condition", NULL},
    {"PRINT-NOT-READABLE-OBJECT", "CL", cl_print_not_readable_object, 1, 1, "condition", NULL},
    {"%CONDITION-TYPEP", "SYS", sys_condition_typep, 2, 2, "condition type", "Handler type matching."},
    {"%CONDITION-REPORT", "SYS", sys_condition_report, 1, 1, "condition", "The report text of CONDITION."},
    {"%DEFINE-CONDITION-TYPE", "SYS", sys_define_condition_type, 2, 6,
     "name parents &optional slots default-initargs report documentation", "Defines a condition type."},
    {"%CONDITION-SLOT-VALUE", "SYS", sys_condition_slot_value, 2, 2, "condition slot", "A slot's value."},
    {"%SET-CONDITION-SLOT-VALUE", "SYS", sys_set_condition_slot_value, 3, 3, "condition slot value", NULL},
    {"%DEBUGGER-BACKTRACE", "SYS", sys_debugger_backtrace, 0, 0, "", "Backtrace recorded on entry to the debugger."},
    {"%CONDITION-TYPE-P", "SYS", sys_condition_type_p, 1, 1, "object", "True for a condition type name."},
    {"%COERCE-TO-CONDITION", "SYS", sys_coerce_to_condition, 3, 4, "datum arguments default-type &optional operator",
     "The condition a condition designator denotes (CLHS 9.1.2.1)."},
    {0},
};
