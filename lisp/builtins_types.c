/* lisp/builtins_types.c — the type system's builtins: TYPEP, the checks
 * behind THE in safe code, and the C predicates src/types.lisp builds
 * SUBTYPEP on (condition and structure type hierarchies).  The table is
 * registered by builtins_vm.c.  No state of its own. */
#include "lisp/types_impl.h"

static inline LispObj boolean(bool b) { return b ? T : NIL; }

static LispObj cl_typep(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs; /* the environment argument: types are global */
    return boolean(lisp_typep(tc, args[0], args[1]));
}

/* (sys:%the-check value type): THE on one value in safe code. */
static LispObj sys_the_check(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    if (!lisp_typep(tc, args[0], args[1])) cond_type_error(tc, args[0], args[1]);
    return args[0];
}

static bool lambda_keyword_p(LispObj x) {
    return x == S(AND_OPTIONAL) || x == S(AND_REST) || x == S(AND_ALLOW_OTHER_KEYS) || x == S(AND_KEY);
}

/* Checks values[0..n) against a (values ...) type's positional and &rest
 * types; values that are absent are not checked. */
static void check_values_type(ThContext *tc, LispObj type, size_t n, LispObj *values) {
    size_t i = 0;
    LispObj rest_type = LISP_UNBOUND;
    for (LispObj l = CDR(type); cons_p(l) && i < n; l = CDR(l)) {
        LispObj t = CAR(l);
        if (t == S(AND_REST)) {
            if (cons_p(CDR(l))) rest_type = CAR(CDR(l));
            break;
        }
        if (lambda_keyword_p(t)) continue;
        if (!lisp_typep(tc, values[i], t)) cond_type_error(tc, values[i], t);
        i++;
    }
    if (rest_type != LISP_UNBOUND)
        for (; i < n; i++)
            if (!lisp_typep(tc, values[i], rest_type)) cond_type_error(tc, values[i], rest_type);
}

/* (sys:%the-check-values type &rest values): THE when every value is
 * wanted; returns the values unchanged. */
static LispObj sys_the_check_values(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj type = args[0];
    size_t n = nargs - 1;
    if (cons_p(type) && CAR(type) == S(VALUES)) check_values_type(tc, type, n, args + 1);
    else if (n > 0 && !lisp_typep(tc, args[1], type)) cond_type_error(tc, args[1], type);
    return vm_values(tc, n, args + 1);
}

static LispObj sys_known_type_name_p(ThContext *tc, size_t nargs, LispObj *args) {
    (void)tc, (void)nargs;
    return boolean(symbol_p(args[0]) && ty_known_atomic_p(args[0]));
}
static LispObj sys_condition_type_p(ThContext *tc, size_t nargs, LispObj *args) {
    (void)tc, (void)nargs;
    return boolean(symbol_p(args[0]) && cond_type_known_p(args[0]));
}
static LispObj sys_condition_subtype_p(ThContext *tc, size_t nargs, LispObj *args) {
    (void)tc, (void)nargs;
    return boolean(cond_subtype_p(args[0], args[1]));
}
static LispObj sys_structure_type_p(ThContext *tc, size_t nargs, LispObj *args) {
    (void)tc, (void)nargs;
    return boolean(symbol_p(args[0]) && lisp_structure_type_p(args[0]));
}
static LispObj sys_structure_subtype_p(ThContext *tc, size_t nargs, LispObj *args) {
    (void)tc, (void)nargs;
    return boolean(args[0] == args[1] || lisp_structure_subtype_p(args[0], args[1]));
}

const BuiltinSpec builtins_types[] = {
    {"TYPEP", "CL", cl_typep, 2, 3, "object type-specifier &optional environment",
     "True if OBJECT is of the type TYPE-SPECIFIER."},
    {"%THE-CHECK", "SYS", sys_the_check, 2, 2, "value type",
     "VALUE if it is of TYPE, else a type-error (THE in safe code)."},
    {"%THE-CHECK-VALUES", "SYS", sys_the_check_values, 1, BUILTIN_REST, "type &rest values",
     "The VALUES if they match the values type TYPE, else a type-error."},
    {"%KNOWN-TYPE-NAME-P", "SYS", sys_known_type_name_p, 1, 1, "symbol",
     "True if SYMBOL is a built-in, structure or condition type name."},
    {"%CONDITION-TYPE-P", "SYS", sys_condition_type_p, 1, 1, "symbol",
     "True if SYMBOL names a condition type."},
    {"%CONDITION-SUBTYPE-P", "SYS", sys_condition_subtype_p, 2, 2, "sub super",
     "True if condition type SUB is SUPER or inherits from it."},
    {"%STRUCTURE-TYPE-P", "SYS", sys_structure_type_p, 1, 1, "symbol",
     "True if SYMBOL names a structure type."},
    {"%STRUCTURE-SUBTYPE-P", "SYS", sys_structure_subtype_p, 2, 2, "sub super",
     "True if structure type SUB is SUPER or includes it."},
    {0},
};
