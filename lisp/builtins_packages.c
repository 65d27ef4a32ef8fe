/* lisp/builtins_packages.c — packages (CLHS chapter 11): the builtins that
 * read a package's structure (LIST-ALL-PACKAGES, PACKAGE-USED-BY-LIST,
 * PACKAGE-SHADOWING-SYMBOLS) and the SYS::% primitives that change it, on
 * which lisp/src/packages.lisp builds the standard operators with their
 * name-conflict checks and restarts.  The table is registered by
 * builtins_vm.c.
 *
 * Invariants: the primitives do no conflict checking; every change goes
 * through a locked pkg_ function in package.c.  Shared state: none of its
 * own (package slots are guarded by package.c's package_lock). */
#include "lisp/vm_impl.h"
#include "lisp/array_impl.h"

/* The :PACKAGE initarg of package-error (interned on first use: symbols.def
 * is shared, and the keyword is only needed here). */
static LispObj package_kw(ThContext *tc) { return pkg_intern_cstr(tc, "PACKAGE", pkg_keyword); }

/* Signals a package-error about pkg (a package or the name that found
 * none), message control formatted with args. */
static _Noreturn void package_error(ThContext *tc, LispObj pkg, LispObj control, LispObj args) {
    LispObj out = stm_make_string_output(tc);
    pr_format(tc, out, control, args);
    LispObj msg = stm_get_output_string(tc, out);
    LispObj plist = lisp_list(tc, 2, package_kw(tc), pkg);
    cond_signal_error(tc, condition_make(tc, S(PACKAGE_ERROR), msg, NIL, plist));
}

static LispObj arg_package(ThContext *tc, LispObj x) {
    if (package_p(x)) return x;
    if (arr_string_p(x)) x = arr_simple_string(tc, x);
    LispObj p = string_p(x) || symbol_p(x) || char_p(x) ? pkg_find(tc, x) : NIL;
    if (!package_p(p)) {
        if (!string_p(x) && !symbol_p(x) && !char_p(x))
            cond_type_error(tc, x, lisp_list(tc, 3, S(OR), S(PACKAGE), S(STRING)));
        package_error(tc, x, str_from_cstr(tc, "There is no package named ~S."),
                      lisp_list(tc, 1, arg_string_designator(tc, x)));
    }
    return p;
}

static LispObj arg_live_package(ThContext *tc, LispObj x) {
    LispObj p = arg_package(tc, x);
    if (PKG(p)->name == NIL)
        package_error(tc, p, str_from_cstr(tc, "The package ~S has been deleted."), lisp_list(tc, 1, p));
    return p;
}

/* ---------------------------------------------------------------- CL readers */

static LispObj cl_list_all_packages(ThContext *tc, size_t nargs, LispObj *args) {
    return pkg_list_all(tc);
}

static LispObj copy_list(ThContext *tc, LispObj l) {
    LispObj r = NIL;
    for (; cons_p(l); l = CDR(l)) r = lisp_cons(tc, CAR(l), r);
    return lisp_nreverse(r);
}

static LispObj cl_package_used_by_list(ThContext *tc, size_t nargs, LispObj *args) {
    return copy_list(tc, __atomic_load_n(&PKG(arg_package(tc, args[0]))->used_by, __ATOMIC_ACQUIRE));
}

static LispObj cl_package_shadowing_symbols(ThContext *tc, size_t nargs, LispObj *args) {
    /* The list is replaced whole under the package lock: one acquire load
     * gets a consistent one without taking the lock. */
    return copy_list(tc, __atomic_load_n(&PKG(arg_package(tc, args[0]))->shadowing, __ATOMIC_ACQUIRE));
}

/* ---------------------------------------------------------------- SYS primitives */

static LispObj sys_package_or_lose(ThContext *tc, size_t nargs, LispObj *args) {
    return arg_live_package(tc, args[0]);
}

static LispObj sys_package_error(ThContext *tc, size_t nargs, LispObj *args) {
    package_error(tc, args[0], arg_string(tc, args[1]), lisp_list_from(tc, nargs - 2, args + 2));
}

static LispObj sys_package_add_present(ThContext *tc, size_t nargs, LispObj *args) {
    bool adopt = nargs < 4 || args[3] != NIL;
    pkg_add_present(tc, arg_live_package(tc, args[0]), arg_symbol(tc, args[1]), args[2] != NIL, adopt);
    return args[1];
}

static LispObj sys_package_remove_present(ThContext *tc, size_t nargs, LispObj *args) {
    return pkg_remove_present(tc, arg_live_package(tc, args[0]), arg_symbol(tc, args[1])) ? T : NIL;
}

static LispObj sys_package_set_external(ThContext *tc, size_t nargs, LispObj *args) {
    pkg_set_external(tc, arg_live_package(tc, args[0]), arg_symbol(tc, args[1]), args[2] != NIL);
    return args[1];
}

static LispObj sys_package_add_shadowing(ThContext *tc, size_t nargs, LispObj *args) {
    pkg_add_shadowing(tc, arg_live_package(tc, args[0]), arg_symbol(tc, args[1]));
    return args[1];
}

static LispObj sys_package_use(ThContext *tc, size_t nargs, LispObj *args) {
    pkg_use(tc, arg_live_package(tc, args[0]), arg_live_package(tc, args[1]));
    return T;
}

static LispObj sys_package_unuse(ThContext *tc, size_t nargs, LispObj *args) {
    pkg_unuse(tc, arg_package(tc, args[0]), arg_package(tc, args[1]));
    return T;
}

/* Names must be a list of strings (the Lisp caller normalises them). */
static LispObj check_names(ThContext *tc, LispObj names) {
    lisp_list_length(tc, names);
    for (LispObj l = names; cons_p(l); l = CDR(l)) arg_string(tc, CAR(l));
    return names;
}

static LispObj sys_find_package_any(ThContext *tc, size_t nargs, LispObj *args) {
    return pkg_find_any(tc, check_names(tc, args[0]), args[1]);
}

static LispObj sys_make_package_object(ThContext *tc, size_t nargs, LispObj *args) {
    return pkg_make_named(tc, arg_string(tc, args[0]), check_names(tc, args[1]));
}

static LispObj sys_rename_package_object(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj p = arg_live_package(tc, args[0]);
    pkg_rename(tc, p, arg_string(tc, args[1]), check_names(tc, args[2]));
    return p;
}

static LispObj sys_delete_package_object(ThContext *tc, size_t nargs, LispObj *args) {
    pkg_delete(tc, arg_live_package(tc, args[0]));
    return T;
}

static LispObj sys_package_symbols(ThContext *tc, size_t nargs, LispObj *args) {
    return pkg_symbols(tc, arg_live_package(tc, args[0]), args[1] != NIL, args[2] != NIL, args[3] != NIL);
}

const BuiltinSpec builtins_packages[] = {
    {"LIST-ALL-PACKAGES", "CL", cl_list_all_packages, 0, 0, "", "Returns a fresh list of all registered packages."},
    {"PACKAGE-USED-BY-LIST", "CL", cl_package_used_by_list, 1, 1, "package",
     "Returns a fresh list of the packages that use PACKAGE."},
    {"PACKAGE-SHADOWING-SYMBOLS", "CL", cl_package_shadowing_symbols, 1, 1, "package",
     "Returns a fresh list of PACKAGE's shadowing symbols."},
    {"%PACKAGE-OR-LOSE", "SYS", sys_package_or_lose, 1, 1, "designator",
     "The live package DESIGNATOR names; package-error if none (or deleted)."},
    {"%PACKAGE-ERROR", "SYS", sys_package_error, 2, BUILTIN_REST, "package control &rest args",
     "Signals a package-error about PACKAGE with a message from CONTROL and ARGS."},
    {"%PACKAGE-ADD-PRESENT", "SYS", sys_package_add_present, 3, 4, "package symbol externalp &optional (adopt t)",
     "Makes SYMBOL present in PACKAGE, replacing any present symbol of its name (no conflict checks); "
     "a homeless SYMBOL gets PACKAGE as home if ADOPT."},
    {"%PACKAGE-REMOVE-PRESENT", "SYS", sys_package_remove_present, 2, 2, "package symbol",
     "Removes SYMBOL from PACKAGE if present (and from its shadowing list); true if it was."},
    {"%PACKAGE-SET-EXTERNAL", "SYS", sys_package_set_external, 3, 3, "package symbol externalp",
     "Makes present SYMBOL external (EXTERNALP true) or internal in PACKAGE."},
    {"%PACKAGE-ADD-SHADOWING", "SYS", sys_package_add_shadowing, 2, 2, "package symbol",
     "Adds present SYMBOL to PACKAGE's shadowing symbols."},
    {"%PACKAGE-USE", "SYS", sys_package_use, 2, 2, "package used",
     "Adds USED to PACKAGE's use list (no conflict checks)."},
    {"%PACKAGE-UNUSE", "SYS", sys_package_unuse, 2, 2, "package used", "Removes USED from PACKAGE's use list."},
    {"%FIND-PACKAGE-ANY", "SYS", sys_find_package_any, 2, 2, "names except",
     "A package other than EXCEPT named or nicknamed by one of NAMES (strings), or NIL."},
    {"%MAKE-PACKAGE-OBJECT", "SYS", sys_make_package_object, 2, 2, "name nicknames",
     "Registers a fresh package (names already checked free)."},
    {"%RENAME-PACKAGE-OBJECT", "SYS", sys_rename_package_object, 3, 3, "package name nicknames",
     "Sets PACKAGE's name and nicknames (already checked free)."},
    {"%DELETE-PACKAGE-OBJECT", "SYS", sys_delete_package_object, 1, 1, "package",
     "Unregisters PACKAGE, drops it from use lists and makes its own symbols homeless."},
    {"%PACKAGE-SYMBOLS", "SYS", sys_package_symbols, 4, 4, "package internal external inherited",
     "A fresh list of PACKAGE's symbols of the kinds asked for."},
    {0},
};
