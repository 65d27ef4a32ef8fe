/* lisp/builtins_vm.c — builtins that belong to evaluation itself: calling
 * (funcall, apply), multiple values, eval and macro expansion, function and
 * macro definition, special declarations, and the registration of every
 * builtin table at startup. */
#include "lisp/vm_impl.h"
#include "lisp/builtins_impl.h"

#include <stdlib.h>

/* ---- registration ---- */

static LispObj package_of_spec(ThContext *tc, const char *code) {
    if (!strcmp(code, "CL")) return pkg_common_lisp;
    if (!strcmp(code, "EXT")) return pkg_ext;
    if (!strcmp(code, "THR")) return pkg_find_cstr(tc, "PETREL-THREADS");
    if (!strcmp(code, "FFI")) return pkg_find_cstr(tc, LISP_FFI_PACKAGE);
    return pkg_system;
}

void lisp_register_builtins(ThContext *tc, const BuiltinSpec *specs) {
    for (const BuiltinSpec *s = specs; s->name; s++) {
        LispObj pkg = package_of_spec(tc, s->package);
        LispObj sym = pkg_intern_cstr(tc, s->name, pkg);
        if (pkg != pkg_system) pkg_export(tc, sym, pkg);
        LispObj b = obj_alloc(tc, KIND_BUILTIN, 4);
        LispBuiltin *p = (LispBuiltin *)obj_words(b);
        gc_init_store(&p->name, sym);
        gc_init_store(&p->arity, fx_make((int64_t)s->min_args | ((int64_t)s->max_args << 16)));
        gc_init_store(&p->doc, s->doc ? str_from_cstr(tc, s->doc) : NIL);
        p->fn = s->fn;
        obj_set(&SYM(sym)->function, b);
    }
}

/* Tables from the other builtins files. */
#define TABLES(X) X(builtins_vm) X(builtins_disassemble) X(builtins_macro) X(builtins_cond) X(builtins_ext) X(builtins_io) X(builtins_list) \
    X(builtins_pred) X(builtins_num) X(builtins_symbol) X(builtins_string) X(builtins_vector) \
    X(builtins_types) X(builtins_struct) X(builtins_packages) X(builtins_restarts) X(builtins_setf) X(builtins_fasl) \
    X(builtins_seq) X(builtins_hash) X(builtins_array) X(builtins_threads) X(builtins_sync) \
    X(builtins_readtable) X(builtins_reader_macros) X(builtins_streams) X(builtins_files) \
    X(builtins_num_bits) X(builtins_num_complex) X(builtins_num_float) X(builtins_num_trans) \
    X(builtins_pprint) X(builtins_env) X(builtins_clos) X(builtins_weak) X(builtins_finalize)
#define X(t) extern const BuiltinSpec t[];
TABLES(X)
#undef X

/* The spec the builtin with C function fn and Lisp name name (a symbol) was
 * registered from, or NULL: its lambda list for DESCRIBE. */
const BuiltinSpec *lisp_builtin_spec(BuiltinFn fn, LispObj name) {
    static const BuiltinSpec *const tables[] = {
#define X(t) t,
        TABLES(X)
#undef X
    };
    char buf[256];
    if (!symbol_p(name) || str_to_utf8(SYM(name)->name, buf, sizeof buf) >= sizeof buf) return NULL;
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        for (const BuiltinSpec *s = tables[i]; s->name; s++)
            if (s->fn == fn && !strcmp(s->name, buf)) return s;
    return NULL;
}

void lisp_register_all_builtins(ThContext *tc) {
#define X(t) lisp_register_builtins(tc, t);
    TABLES(X)
#undef X
    sym_set_flag(S(QUASIQUOTE), SYMF_MACRO);
    obj_set(&SYM(S(QUASIQUOTE))->function, sym_function(pkg_intern_cstr(tc, "%QUASIQUOTE-EXPANDER", pkg_system)));
}

/* ---- calling ---- */

static LispObj cl_funcall(ThContext *tc, size_t nargs, LispObj *args) {
    return vm_funcall(tc, args[0], nargs - 1, args + 1);
}

static LispObj cl_apply(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj last = args[nargs - 1];
    size_t nspread = lisp_list_length(tc, last);
    size_t total = nargs - 2 + nspread;
    if (total > 65535) cond_program_error(tc, "APPLY: %zu arguments exceed call-arguments-limit", total);
    LispObj *argv = total <= 64 ? (LispObj[64]){0} : NULL;
    LispObj vec = NIL;
    if (!argv) {  /* a Lisp vector keeps a long argument list alive and leak-free */
        vec = vec_make(tc, total, NIL);
        argv = VEC(vec)->items;
    }
    size_t i = 0;
    for (size_t k = 1; k + 1 < nargs; k++) argv[i++] = args[k];
    for (LispObj l = last; cons_p(l); l = CDR(l)) argv[i++] = CAR(l);
    LispObj r = vm_funcall(tc, args[0], total, argv);
    (void)vec;
    return r;
}

static LispObj cl_values(ThContext *tc, size_t nargs, LispObj *args) { return vm_values(tc, nargs, args); }

static LispObj cl_values_list(ThContext *tc, size_t nargs, LispObj *args) {
    size_t n = lisp_list_length(tc, args[0]);
    if (n > VM_MV_LIMIT) cond_program_error(tc, "VALUES-LIST: %zu values exceed multiple-values-limit", n);
    LispObj vals[64];
    LispObj *v = n <= 64 ? vals : tc->vm->mv;
    size_t i = 0;
    for (LispObj l = args[0]; cons_p(l); l = CDR(l)) v[i++] = CAR(l);
    if (v == tc->vm->mv) {
        tc->vm->nvals = n;
        return n ? v[0] : NIL;
    }
    return vm_values(tc, n, v);
}

static LispObj cl_eval(ThContext *tc, size_t nargs, LispObj *args) { return vm_eval(tc, args[0]); }

static LispObj cl_identity(ThContext *tc, size_t nargs, LispObj *args) { return args[0]; }

/* ---- macros ---- */

static LispObj cl_macroexpand_1(ThContext *tc, size_t nargs, LispObj *args) {
    bool expanded;
    LispObj r = cc_macroexpand_1(tc, args[0], nargs > 1 ? args[1] : NIL, &expanded);
    LispObj vals[2] = {r, expanded ? T : NIL};
    return vm_values(tc, 2, vals);
}

static LispObj cl_macroexpand(ThContext *tc, size_t nargs, LispObj *args) {
    bool expanded;
    LispObj r = cc_macroexpand(tc, args[0], nargs > 1 ? args[1] : NIL, &expanded);
    LispObj vals[2] = {r, expanded ? T : NIL};
    return vm_values(tc, 2, vals);
}

static LispObj cl_macro_function(ThContext *tc, size_t nargs, LispObj *args) {
    arg_symbol(tc, args[0]);
    return cc_macro_function(tc, args[0], nargs > 1 ? args[1] : NIL);
}

static LispObj cl_special_operator_p(ThContext *tc, size_t nargs, LispObj *args) {
    arg_symbol(tc, args[0]);
    return sym_flag_p(args[0], SYMF_SPECIAL_OPERATOR) ? T : NIL;
}

static LispObj sys_quasiquote_expander(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj form = args[0];
    if (!cons_p(CDR(form)) || CDR(CDR(form)) != NIL) cond_program_error(tc, "malformed backquote form %v", form);
    return rd_expand_quasiquote(tc, CAR(CDR(form)));
}

/* ---- definitions ---- */

static void check_function_name(ThContext *tc, LispObj name) {
    if (symbol_p(name)) return;
    if (cons_p(name) && CAR(name) == S(SETF) && cons_p(CDR(name)) && symbol_p(CAR(CDR(name))) && CDR(CDR(name)) == NIL)
        return;
    cond_type_error(tc, name, lisp_list(tc, 3, S(OR), S(SYMBOL), lisp_list(tc, 2, S(CONS_TYPE), S(SETF))));
}

static void set_plist_value(ThContext *tc, LispObj sym, LispObj key, LispObj value) {
    for (LispObj l = SYM(sym)->plist; cons_p(l) && cons_p(CDR(l)); l = CDR(CDR(l)))
        if (CAR(l) == key) {
            cons_set_car(CDR(l), value);
            return;
        }
    obj_set(&SYM(sym)->plist, lisp_cons(tc, key, lisp_cons(tc, value, SYM(sym)->plist)));
}

/* (sys:%fset name function) — what defun and (setf fdefinition) do. */
static LispObj sys_fset(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj name = args[0], fn = args[1];
    check_function_name(tc, name);
    if (!function_p(fn)) cond_type_error(tc, fn, S(FUNCTION));
    /* Named before it is published: threads calling the old definition
     * never see the new one half set up. */
    if (kind_p(fn, KIND_CLOSURE) && CODE(CLO(fn)->code)->name == NIL)
        obj_set(&CODE(CLO(fn)->code)->name, name);
    if (symbol_p(name)) {
        if (sym_flag_p(name, SYMF_SPECIAL_OPERATOR))
            cond_program_error(tc, "cannot define %v as a function: it is a special operator", name);
        if (sym_flag_p(name, SYMF_MACRO)) sym_clear_flag(name, SYMF_MACRO);
        obj_set(&SYM(name)->function, fn);
    } else {
        set_plist_value(tc, CAR(CDR(name)), S(SETF_FUNCTION), fn);
    }
    return fn;
}

/* (sys:%set-macro name expander) */
static LispObj sys_set_macro(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj name = arg_symbol(tc, args[0]);
    if (sym_flag_p(name, SYMF_SPECIAL_OPERATOR))
        cond_program_error(tc, "cannot define %v as a macro: it is a special operator", name);
    if (!function_p(args[1])) cond_type_error(tc, args[1], S(FUNCTION));
    if (kind_p(args[1], KIND_CLOSURE) && CODE(CLO(args[1])->code)->name == NIL)
        obj_set(&CODE(CLO(args[1])->code)->name, name);
    obj_set(&SYM(name)->function, args[1]);
    sym_set_flag(name, SYMF_MACRO);
    return name;
}

static LispObj cl_fdefinition(ThContext *tc, size_t nargs, LispObj *args) {
    check_function_name(tc, args[0]);
    return vm_fdefinition(tc, args[0]);
}

static LispObj sys_proclaim_special(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = arg_symbol(tc, args[0]);
    if (sym_flag_p(s, SYMF_CONSTANT)) cond_program_error(tc, "cannot declare the constant %v special", s);
    sym_set_flag(s, SYMF_SPECIAL);
    return s;
}

/* (sys:%defconstant name value) */
static LispObj sys_defconstant(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = arg_symbol(tc, args[0]);
    if (sym_flag_p(s, SYMF_CONSTANT) && SYM(s)->value != LISP_UNBOUND) {
        LispObj old = SYM(s)->value, new = args[1];
        bool same = old == new || (string_p(old) && string_p(new) && str_length(old) == str_length(new) &&
                                   !memcmp(STR(old)->chars, STR(new)->chars, 4 * str_length(old)));
        if (!same && SYM(s)->package != pkg_keyword)
            cond_error(tc, "DEFCONSTANT: %v is already a constant with value %v, not %v", s, old, new);
        return s;
    }
    obj_set(&SYM(s)->value, args[1]);
    sym_set_flag(s, SYMF_CONSTANT | SYMF_SPECIAL);
    return s;
}

/* (sys:%define-symbol-macro name expansion) */
static LispObj sys_define_symbol_macro(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = arg_symbol(tc, args[0]);
    if (sym_flag_p(s, SYMF_SPECIAL | SYMF_CONSTANT))
        cond_program_error(tc, "DEFINE-SYMBOL-MACRO: %v is a special variable or constant", s);
    set_plist_value(tc, s, S(SYMBOL_MACRO), args[1]);
    return s;
}

static LispObj cl_constantp(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj x = args[0];
    if (symbol_p(x)) return sym_flag_p(x, SYMF_CONSTANT) || x == NIL || sym_keyword_p(x) ? T : NIL;
    if (cons_p(x)) return CAR(x) == S(QUOTE) ? T : NIL;
    return T;
}

static LispObj cl_compile(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj name = args[0], def = nargs > 1 ? args[1] : NIL;
    LispObj fn;
    if (def != NIL) fn = function_p(def) ? def : vm_eval(tc, lisp_list(tc, 2, S(FUNCTION), def));
    else fn = vm_fdefinition(tc, name);
    if (name != NIL) {
        LispObj a[2] = {name, fn};
        if (def != NIL) sys_fset(tc, 2, a);
        fn = name;
    }
    LispObj vals[3] = {fn, NIL, NIL};
    return vm_values(tc, 3, vals);
}

static LispObj cl_load(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj path = arg_string_designator(tc, args[0]);
    bool verbose = false, must_exist = true;
    for (size_t i = 1; i + 1 < nargs; i += 2) {
        if (args[i] == pkg_intern_cstr(tc, "VERBOSE", pkg_keyword)) verbose = args[i + 1] != NIL;
        if (args[i] == pkg_intern_cstr(tc, "IF-DOES-NOT-EXIST", pkg_keyword)) must_exist = args[i + 1] != NIL;
    }
    char buf[4096];
    if (str_to_utf8(path, buf, sizeof buf) >= sizeof buf) cond_error_of_type(tc, S(FILE_ERROR), "LOAD: path too long");
    FILE *probe = fopen(buf, "r");
    if (probe) fclose(probe);
    else if (!must_exist) return NIL;
    vm_load_file(tc, buf, verbose);  /* source or FASL, by its magic header */
    return T;
}

static LispObj sys_backtrace(ThContext *tc, size_t nargs, LispObj *args) {
    return vm_backtrace_string(tc, nargs ? (size_t)arg_fixnum(tc, args[0]) : 40);
}

static LispObj cl_function_name(ThContext *tc, size_t nargs, LispObj *args) {
    if (!function_p(args[0])) cond_type_error(tc, args[0], S(FUNCTION));
    return vm_function_name(args[0]);
}

static LispObj cl_throw_fn(ThContext *tc, size_t nargs, LispObj *args) {
    vm_throw(tc, args[0], args[1]);
}

const BuiltinSpec builtins_vm[] = {
    {"FUNCALL", "CL", cl_funcall, 1, BUILTIN_REST, "function &rest args", "Calls FUNCTION with ARGS."},
    {"APPLY", "CL", cl_apply, 2, BUILTIN_REST, "function &rest args+", "Calls FUNCTION with ARGS, the last a list spread."},
    {"VALUES", "CL", cl_values, 0, BUILTIN_REST, "&rest objects", "Returns OBJECTS as multiple values."},
    {"VALUES-LIST", "CL", cl_values_list, 1, 1, "list", "Returns the elements of LIST as multiple values."},
    {"EVAL", "CL", cl_eval, 1, 1, "form", "Evaluates FORM in the null lexical environment."},
    {"IDENTITY", "CL", cl_identity, 1, 1, "object", "Returns OBJECT."},
    {"MACROEXPAND-1", "CL", cl_macroexpand_1, 1, 2, "form &optional env", "Expands FORM once."},
    {"MACROEXPAND", "CL", cl_macroexpand, 1, 2, "form &optional env", "Expands FORM until it is no macro form."},
    {"MACRO-FUNCTION", "CL", cl_macro_function, 1, 2, "symbol &optional env", "The expander of macro SYMBOL, or NIL."},
    {"SPECIAL-OPERATOR-P", "CL", cl_special_operator_p, 1, 1, "symbol", "True if SYMBOL names a special operator."},
    {"FDEFINITION", "CL", cl_fdefinition, 1, 1, "name", "The global function named NAME."},
    {"CONSTANTP", "CL", cl_constantp, 1, 2, "form &optional env", "True if FORM is a constant form."},
    {"COMPILE", "CL", cl_compile, 1, 2, "name &optional definition", "Compiles DEFINITION (everything is compiled already)."},
    {"LOAD", "CL", cl_load, 1, BUILTIN_REST, "filespec &key verbose print if-does-not-exist external-format", "Loads a source or FASL file."},
    {"%QUASIQUOTE-EXPANDER", "SYS", sys_quasiquote_expander, 2, 2, "form env", "The backquote macro."},
    {"%FSET", "SYS", sys_fset, 2, 2, "name function", "Defines NAME as FUNCTION."},
    {"%SET-MACRO", "SYS", sys_set_macro, 2, 2, "name expander", "Defines NAME as a macro."},
    {"%PROCLAIM-SPECIAL", "SYS", sys_proclaim_special, 1, 1, "symbol", "Proclaims SYMBOL special."},
    {"%DEFCONSTANT", "SYS", sys_defconstant, 2, 2, "name value", "Defines a constant."},
    {"%DEFINE-SYMBOL-MACRO", "SYS", sys_define_symbol_macro, 2, 2, "name expansion", "Defines a global symbol macro."},
    {"%BACKTRACE", "SYS", sys_backtrace, 0, 1, "&optional count", "The current backtrace as a string."},
    {"%FUNCTION-NAME", "SYS", cl_function_name, 1, 1, "function", "The name of FUNCTION, or NIL."},
    {"%THROW", "SYS", cl_throw_fn, 2, 2, "tag value", "THROW as a function."},
    {0},
};
