/* lisp/builtins_cond.c — the Lisp face of the kernel condition system:
 * ERROR, SIGNAL, WARN, CERROR, MAKE-CONDITION and the standard condition
 * readers.  handler-bind/handler-case/ignore-errors are macros in boot.lisp
 * over SYS:*HANDLER-CLUSTERS* (see cond.c). */
#include "lisp/vm_impl.h"

/* datum + arguments → condition (CLHS 9.1.2.1 "Condition Designators"). */
static LispObj coerce_to_condition(ThContext *tc, LispObj datum, size_t nargs, LispObj *args, LispObj dflt) {
    if (condition_p(datum)) {
        if (nargs) cond_error_of_type(tc, S(TYPE_ERROR), "a condition given as datum takes no arguments");
        return datum;
    }
    if (symbol_p(datum)) {
        if (!cond_type_known_p(datum))
            cond_type_error(tc, datum, lisp_list(tc, 3, S(OR), S(STRING), S(CONDITION)));
        if (nargs & 1) cond_program_error(tc, "odd number of initargs for condition %v", datum);
        return condition_make(tc, datum, NIL, NIL, lisp_list_from(tc, nargs, args));
    }
    if (string_p(datum) || function_p(datum)) {
        LispObj plist = lisp_list(tc, 4, S(FORMAT_CONTROL_KW), datum, S(FORMAT_ARGUMENTS_KW),
                                  lisp_list_from(tc, nargs, args));
        return condition_make(tc, dflt, NIL, NIL, plist);
    }
    cond_type_error(tc, datum, lisp_list(tc, 4, S(OR), S(STRING), S(SYMBOL), S(CONDITION)));
}

static LispObj cl_error(ThContext *tc, size_t nargs, LispObj *args) {
    cond_signal_error(tc, coerce_to_condition(tc, args[0], nargs - 1, args + 1, S(SIMPLE_ERROR)));
}

static LispObj cl_cerror(ThContext *tc, size_t nargs, LispObj *args) {
    cond_signal_error(tc, coerce_to_condition(tc, args[1], nargs - 2, args + 2, S(SIMPLE_ERROR)));
}

static LispObj cl_signal(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj c = coerce_to_condition(tc, args[0], nargs - 1, args + 1, S(SIMPLE_CONDITION));
    cond_signal(tc, c);
    return NIL;
}

static LispObj cl_warn(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj c = coerce_to_condition(tc, args[0], nargs - 1, args + 1, S(SIMPLE_WARNING));
    if (!cond_typep(c, S(WARNING))) cond_type_error(tc, c, S(WARNING));
    cond_signal(tc, c);
    LispObj out = stm_output_designator(tc, sym_value(tc, S(STAR_ERROR_OUTPUT)));
    stm_write_cstr(tc, out, "WARNING: ");
    LispObj msg = cond_report_string(tc, c);
    stm_write_string(tc, out, msg, 0, str_length(msg));
    stm_write_char(tc, out, '\n');
    return NIL;
}

static LispObj cl_make_condition(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj type = arg_symbol(tc, args[0]);
    if (!cond_type_known_p(type)) cond_type_error(tc, type, S(CONDITION));
    if ((nargs - 1) & 1) cond_program_error(tc, "MAKE-CONDITION: odd number of initargs");
    return condition_make(tc, type, NIL, NIL, lisp_list_from(tc, nargs - 1, args + 1));
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
    if (!strcmp(key, "FORMAT-CONTROL") && string_p(CND(c)->message)) return CND(c)->message;
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

static LispObj sys_define_condition_type(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj name = arg_symbol(tc, args[0]), parents = arg_list(tc, args[1]);
    for (LispObj l = parents; cons_p(l); l = CDR(l))
        if (!cond_type_known_p(CAR(l))) cond_error(tc, "DEFINE-CONDITION %v: unknown parent type %v", name, CAR(l));
    cond_define_type(tc, name, parents == NIL ? lisp_list(tc, 1, S(CONDITION)) : parents);
    return name;
}

const BuiltinSpec builtins_cond[] = {
    {"ERROR", "CL", cl_error, 1, BUILTIN_REST, "datum &rest arguments", "Signals an error; enters the debugger if unhandled."},
    {"CERROR", "CL", cl_cerror, 2, BUILTIN_REST, "continue-format datum &rest arguments", "Signals a continuable error."},
    {"SIGNAL", "CL", cl_signal, 1, BUILTIN_REST, "datum &rest arguments", "Signals a condition; returns NIL if unhandled."},
    {"WARN", "CL", cl_warn, 1, BUILTIN_REST, "datum &rest arguments", "Signals a warning; prints it if unhandled."},
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
    {"%DEFINE-CONDITION-TYPE", "SYS", sys_define_condition_type, 2, 2, "name parents", "Kernel define-condition."},
    {0},
};
