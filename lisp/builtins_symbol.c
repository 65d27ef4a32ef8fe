/* lisp/builtins_symbol.c — symbols (CLHS chapter 10) and the package
 * functions the kernel needs (chapter 11): names, values, function cells,
 * property lists, MAKE-SYMBOL/GENSYM, INTERN/FIND-SYMBOL, FIND-PACKAGE,
 * EXPORT, and the SYS setf helpers for symbol cells.
 *
 * Function names are symbols or (SETF symbol) lists; the function of a setf
 * name lives on the symbol's plist under SYS::SETF-FUNCTION.
 * Invariants: constants (T, NIL, keywords, defconstant) are never
 * assigned or made unbound here; all stores go through obj_set.
 * Shared state: none of its own (symbol cells are the symbols'; the
 * gensym counter is the Lisp variable *GENSYM-COUNTER*). */
#include "lisp/lisp.h"
#include "lisp/builtins_impl.h"
#include "lisp/array_impl.h"

/* ---------------------------------------------------------------- helpers */

/* The symbol of a function name; *setf tells whether it was (SETF sym). */
static LispObj fname_symbol(ThContext *tc, LispObj name, bool *setf) {
    *setf = false;
    if (symbol_p(name)) return name;
    if (cons_p(name) && CAR(name) == S(SETF) && cons_p(CDR(name)) &&
        symbol_p(CAR(CDR(name))) && CDR(CDR(name)) == NIL) {
        *setf = true;
        return CAR(CDR(name));
    }
    cond_type_error(tc, name, lisp_list(tc, 3, S(OR), S(SYMBOL), S(CONS_TYPE)));
}

static void plist_remove(LispObj symbol, LispObj indicator) {
    LispObj prev = NIL;
    for (LispObj l = SYM(symbol)->plist; cons_p(l) && cons_p(CDR(l)); prev = CDR(l), l = CDR(CDR(l))) {
        if (CAR(l) != indicator) continue;
        if (prev == NIL) obj_set(&SYM(symbol)->plist, CDR(CDR(l)));
        else cons_set_cdr(prev, CDR(CDR(l)));
        return;
    }
}

static void clear_flag(LispObj s, unsigned f) { sym_clear_flag(s, f); }

static void check_not_constant(ThContext *tc, const char *op, LispObj s) {
    if (sym_flag_p(s, SYMF_CONSTANT) || sym_keyword_p(s) || s == NIL || s == T)
        cond_error(tc, "%s: %v is a constant and cannot be changed", op, s);
}

/* A package from a designator (package, string, symbol or character);
 * no such package → package-error. */
static LispObj package_arg(ThContext *tc, LispObj x) {
    if (package_p(x)) return x;
    if (arr_string_p(x)) x = arr_simple_string(tc, x);
    if (!string_p(x) && !symbol_p(x) && !char_p(x))
        cond_type_error(tc, x, lisp_list(tc, 3, S(OR), S(PACKAGE), S(STRING)));
    LispObj p = pkg_find(tc, x);
    if (p == NIL) {
        LispObj plist = lisp_list(tc, 2, pkg_intern_cstr(tc, "PACKAGE", pkg_keyword), x);
        LispObj msg = cond_format_message_v(tc, "There is no package named %v.", arg_string_designator(tc, x));
        cond_signal_error(tc, condition_make(tc, S(PACKAGE_ERROR), msg, NIL, plist));
    }
    return p;
}
static LispObj optional_package(ThContext *tc, size_t nargs, LispObj *args, size_t i) {
    return nargs > i ? package_arg(tc, args[i]) : pkg_current(tc);
}

/* ---------------------------------------------------------------- names, values */

static LispObj cl_symbol_name(ThContext *tc, size_t nargs, LispObj *args) {
    return SYM(arg_symbol(tc, args[0]))->name;
}
static LispObj cl_symbol_package(ThContext *tc, size_t nargs, LispObj *args) {
    return SYM(arg_symbol(tc, args[0]))->package;
}
static LispObj cl_symbol_plist(ThContext *tc, size_t nargs, LispObj *args) {
    return SYM(arg_symbol(tc, args[0]))->plist;
}
static LispObj cl_symbol_value(ThContext *tc, size_t nargs, LispObj *args) {
    return sym_value_checked(tc, arg_symbol(tc, args[0]));
}

static LispObj cl_set(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = arg_symbol(tc, args[0]);
    check_not_constant(tc, "SET", s);
    sym_set_value(tc, s, args[1]);
    return args[1];
}

static LispObj cl_boundp(ThContext *tc, size_t nargs, LispObj *args) {
    return sym_value(tc, arg_symbol(tc, args[0])) != LISP_UNBOUND ? T : NIL;
}

static LispObj cl_makunbound(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = arg_symbol(tc, args[0]);
    check_not_constant(tc, "MAKUNBOUND", s);
    sym_set_value(tc, s, LISP_UNBOUND);
    return s;
}

static LispObj sys_set_symbol_plist(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = arg_symbol(tc, args[0]);
    obj_set(&SYM(s)->plist, args[1]);
    return args[1];
}

/* ---------------------------------------------------------------- function cells */

/* Function of a name, or LISP_UNBOUND. */
static LispObj fdefinition_of(ThContext *tc, LispObj name) {
    bool setf;
    LispObj s = fname_symbol(tc, name, &setf);
    if (!setf) return __atomic_load_n(&SYM(s)->function, __ATOMIC_ACQUIRE);  /* may be redefined concurrently */
    return lisp_plist_get(SYM(s)->plist, S(SETF_FUNCTION), LISP_UNBOUND);
}

static LispObj cl_fboundp(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj name = args[0];
    if (symbol_p(name) && sym_flag_p(name, SYMF_SPECIAL_OPERATOR)) return T;
    LispObj f = fdefinition_of(tc, name);
    return f != LISP_UNBOUND && f != NIL ? T : NIL;
}

static LispObj cl_symbol_function(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = arg_symbol(tc, args[0]);
    LispObj f = __atomic_load_n(&SYM(s)->function, __ATOMIC_ACQUIRE);
    if (f == LISP_UNBOUND) f = cond_undefined_function(tc, s);
    return f;
}

static LispObj cl_fmakunbound(ThContext *tc, size_t nargs, LispObj *args) {
    bool setf;
    LispObj s = fname_symbol(tc, args[0], &setf);
    if (setf) {
        plist_remove(s, S(SETF_FUNCTION));
    } else {
        if (sym_flag_p(s, SYMF_SPECIAL_OPERATOR))
            cond_error(tc, "FMAKUNBOUND: %v names a special operator", s);
        obj_set(&SYM(s)->function, LISP_UNBOUND);
        clear_flag(s, SYMF_MACRO);
    }
    return args[0];
}

/* (setf symbol-function); (setf fdefinition) is SYS::%FSET (builtins_vm.c). */
static LispObj sys_set_symbol_function(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = arg_symbol(tc, args[0]), fn = args[1];
    if (!function_p(fn)) cond_type_error(tc, fn, S(FUNCTION));
    if (sym_flag_p(s, SYMF_SPECIAL_OPERATOR))
        cond_error(tc, "%v names a special operator; its definition cannot be changed", s);
    obj_set(&SYM(s)->function, fn);
    clear_flag(s, SYMF_MACRO);
    return fn;
}

/* ---------------------------------------------------------------- making symbols */

static LispObj copy_string(ThContext *tc, LispObj s) {
    size_t n = str_length(s);
    LispObj r = str_make(tc, n, 0);
    memcpy(STR(r)->chars, STR(s)->chars, n * sizeof(uint32_t));
    return r;
}

static LispObj cl_make_symbol(ThContext *tc, size_t nargs, LispObj *args) {
    return sym_make(tc, copy_string(tc, arg_string(tc, args[0])));
}

static LispObj cl_copy_symbol(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = arg_symbol(tc, args[0]);
    LispObj r = sym_make(tc, SYM(s)->name);
    if (nargs > 1 && args[1] != NIL) {
        LispObj v = SYM(s)->value;
        obj_set(&SYM(r)->value, v);
        obj_set(&SYM(r)->function, sym_function(s));
        lisp_list_length(tc, SYM(s)->plist);
        LispObj copy = NIL;
        for (LispObj l = SYM(s)->plist; cons_p(l); l = CDR(l)) copy = lisp_cons(tc, CAR(l), copy);
        obj_set(&SYM(r)->plist, lisp_nreverse(copy));
    }
    return r;
}

/* prefix followed by the decimal digits of n. */
static LispObj name_with_number(ThContext *tc, LispObj prefix, uint64_t n) {
    char digits[24];
    int nd = snprintf(digits, sizeof digits, "%llu", (unsigned long long)n);
    size_t np = str_length(prefix);
    LispObj r = str_make(tc, np + (size_t)nd, 0);
    memcpy(STR(r)->chars, STR(prefix)->chars, np * sizeof(uint32_t));
    for (int i = 0; i < nd; i++) STR(r)->chars[np + (size_t)i] = (uint32_t)digits[i];
    return r;
}

static LispObj cl_gensym(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj prefix = NIL;
    int64_t n;
    if (nargs > 0 && fx_p(args[0])) {
        n = (int64_t)bi_nonneg(tc, args[0]);
    } else {
        if (nargs > 0) prefix = arg_string(tc, args[0]);
        LispObj counter = sym_value(tc, S(STAR_GENSYM_COUNTER));
        if (counter == LISP_UNBOUND) counter = fx_make(0);
        if (!fx_p(counter) || fx_value(counter) < 0)
            cond_type_error(tc, counter, lisp_list(tc, 3, S(INTEGER), fx_make(0), S(STAR)));
        n = fx_value(counter);
        if (n == FIXNUM_MAX) num_overflow(tc, "GENSYM");
        sym_set_value(tc, S(STAR_GENSYM_COUNTER), fx_make(n + 1));
    }
    if (prefix == NIL) prefix = str_from_cstr(tc, "G");
    return sym_make(tc, name_with_number(tc, prefix, (uint64_t)n));
}

/* ---------------------------------------------------------------- packages */

static LispObj cl_intern(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj name = arg_string(tc, args[0]);
    LispObj pkg = optional_package(tc, nargs, args, 1);
    LispObj v[2];
    v[1] = NIL;
    v[0] = pkg_intern(tc, name, pkg, &v[1]);
    return vm_values(tc, 2, v);
}

static LispObj cl_find_symbol(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj name = arg_string(tc, args[0]);
    LispObj pkg = optional_package(tc, nargs, args, 1);
    LispObj v[2];
    v[1] = NIL;
    v[0] = pkg_find_symbol(tc, name, pkg, &v[1]);
    if (v[1] == NIL) v[0] = NIL;
    return vm_values(tc, 2, v);
}

static LispObj cl_find_package(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj x = args[0];
    if (package_p(x)) return x;
    if (arr_string_p(x)) x = arr_simple_string(tc, x);
    if (!string_p(x) && !symbol_p(x) && !char_p(x))
        cond_type_error(tc, x, lisp_list(tc, 3, S(OR), S(PACKAGE), S(STRING)));
    return pkg_find(tc, x);
}

static LispObj cl_package_name(ThContext *tc, size_t nargs, LispObj *args) {
    return PKG(package_arg(tc, args[0]))->name;
}
static LispObj cl_package_nicknames(ThContext *tc, size_t nargs, LispObj *args) {
    return PKG(package_arg(tc, args[0]))->nicknames;
}
static LispObj cl_package_use_list(ThContext *tc, size_t nargs, LispObj *args) {
    return PKG(package_arg(tc, args[0]))->use_list;
}

/* EXPORT and USE-PACKAGE here serve the library files loaded before
 * packages.lisp, which replaces them with versions that check for name
 * conflicts in the using packages and offer restarts. */
static LispObj cl_export(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj pkg = optional_package(tc, nargs, args, 1);
    LispObj syms = args[0];
    if (!list_p(syms)) syms = lisp_list(tc, 1, syms);
    lisp_list_length(tc, syms);
    for (LispObj l = syms; cons_p(l); l = CDR(l)) arg_symbol(tc, CAR(l));
    for (LispObj l = syms; cons_p(l); l = CDR(l)) pkg_export(tc, CAR(l), pkg);
    return T;
}

static LispObj cl_use_package(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj pkg = optional_package(tc, nargs, args, 1);
    LispObj used = args[0];
    if (!list_p(used)) used = lisp_list(tc, 1, used);
    lisp_list_length(tc, used);
    for (LispObj l = used; cons_p(l); l = CDR(l)) pkg_use(tc, pkg, package_arg(tc, CAR(l)));
    return T;
}

/* ---------------------------------------------------------------- table */

const BuiltinSpec builtins_symbol[] = {
    {"SYMBOL-NAME", "CL", cl_symbol_name, 1, 1, "symbol", "Returns the name of SYMBOL."},
    {"SYMBOL-PACKAGE", "CL", cl_symbol_package, 1, 1, "symbol", "Returns the home package of SYMBOL, or NIL."},
    {"SYMBOL-PLIST", "CL", cl_symbol_plist, 1, 1, "symbol", "Returns the property list of SYMBOL."},
    {"SYMBOL-VALUE", "CL", cl_symbol_value, 1, 1, "symbol",
     "Returns the current dynamic (or global) value of SYMBOL; unbound-variable if it has none."},
    {"SET", "CL", cl_set, 2, 2, "symbol value", "Sets the current dynamic value of SYMBOL to VALUE."},
    {"BOUNDP", "CL", cl_boundp, 1, 1, "symbol", "True if SYMBOL has a dynamic or global value."},
    {"MAKUNBOUND", "CL", cl_makunbound, 1, 1, "symbol", "Makes SYMBOL unbound; returns SYMBOL."},
    {"FBOUNDP", "CL", cl_fboundp, 1, 1, "name",
     "True if NAME (a symbol or (setf symbol)) names a function, macro or special operator."},
    {"SYMBOL-FUNCTION", "CL", cl_symbol_function, 1, 1, "symbol",
     "Returns the global function (or macro expander) of SYMBOL; undefined-function if none."},
    {"FMAKUNBOUND", "CL", cl_fmakunbound, 1, 1, "name", "Removes the global function definition of NAME."},
    {"%SET-SYMBOL-FUNCTION", "SYS", sys_set_symbol_function, 2, 2, "symbol function",
     "Sets the global function of SYMBOL; returns FUNCTION (setf of SYMBOL-FUNCTION)."},
    {"%SET-SYMBOL-PLIST", "SYS", sys_set_symbol_plist, 2, 2, "symbol plist",
     "Sets the property list of SYMBOL; returns PLIST (setf of SYMBOL-PLIST)."},
    {"MAKE-SYMBOL", "CL", cl_make_symbol, 1, 1, "name", "Returns a fresh uninterned symbol named NAME."},
    {"COPY-SYMBOL", "CL", cl_copy_symbol, 1, 2, "symbol &optional copy-properties",
     "Returns a fresh uninterned symbol with SYMBOL's name (and value, function and plist if asked)."},
    {"GENSYM", "CL", cl_gensym, 0, 1, "&optional x",
     "Returns a fresh uninterned symbol named by prefix X (default \"G\") and a counter."},
    {"INTERN", "CL", cl_intern, 1, 2, "string &optional package",
     "Finds or creates the symbol named STRING in PACKAGE; second value its status."},
    {"FIND-SYMBOL", "CL", cl_find_symbol, 1, 2, "string &optional package",
     "Finds the symbol named STRING accessible in PACKAGE: symbol and status, or NIL NIL."},
    {"FIND-PACKAGE", "CL", cl_find_package, 1, 1, "name", "Returns the package named NAME, or NIL."},
    {"PACKAGE-NAME", "CL", cl_package_name, 1, 1, "package", "Returns the name of PACKAGE."},
    {"PACKAGE-NICKNAMES", "CL", cl_package_nicknames, 1, 1, "package", "Returns the nicknames of PACKAGE."},
    {"PACKAGE-USE-LIST", "CL", cl_package_use_list, 1, 1, "package", "Returns the packages PACKAGE uses."},
    {"EXPORT", "CL", cl_export, 1, 2, "symbols &optional package",
     "Makes SYMBOLS (a symbol or list) external in PACKAGE."},
    {"USE-PACKAGE", "CL", cl_use_package, 1, 2, "packages-to-use &optional package",
     "Makes PACKAGE inherit the external symbols of PACKAGES-TO-USE."},
    {0},
};
