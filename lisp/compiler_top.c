/* lisp/compiler_top.c — macro expansion, compiling a top-level form (with the
 * recompile-until-stable loop of compiler_impl.h), EVAL with top-level form
 * processing (CLHS 3.2.3.1: progn, eval-when and macro forms at top level
 * are processed form by form so a defmacro is usable by the next form), and
 * LOAD of source files (FASLs are handed to lisp/fasl.c). */
#include "lisp/compiler_impl.h"

#include <errno.h>
#include <stdlib.h>

#include "lisp/fasl_impl.h"

LispObj cc_macro_function(ThContext *tc, LispObj sym, LispObj env) {
    for (LispObj l = env; cons_p(l); l = CDR(l)) {
        LispObj e = CAR(l);
        int64_t k = fx_value(VEC(e)->items[E_KIND]);
        if ((k == ENT_FUN || k == ENT_MACRO) && VEC(e)->items[E_NAME] == sym)
            return k == ENT_MACRO ? VEC(e)->items[2] : NIL;
    }
    if (symbol_p(sym) && sym_flag_p(sym, SYMF_MACRO) && sym_function(sym) != LISP_UNBOUND)
        return sym_function(sym);
    return NIL;
}

static LispObj symbol_macro_expansion(LispObj sym, LispObj env, bool *found) {
    for (LispObj l = env; cons_p(l); l = CDR(l)) {
        LispObj e = CAR(l);
        int64_t k = fx_value(VEC(e)->items[E_KIND]);
        if ((k == ENT_VAR || k == ENT_SMACRO || k == ENT_SPECIAL) && VEC(e)->items[E_NAME] == sym) {
            *found = k == ENT_SMACRO;
            return *found ? VEC(e)->items[2] : NIL;
        }
    }
    LispObj exp = lisp_plist_get(SYM(sym)->plist, S(SYMBOL_MACRO), LISP_UNBOUND);
    *found = exp != LISP_UNBOUND;
    return *found ? exp : NIL;
}

LispObj cc_macroexpand_1(ThContext *tc, LispObj form, LispObj env, bool *expanded) {
    *expanded = false;
    if (symbol_p(form) && form != NIL) {
        bool found;
        LispObj exp = symbol_macro_expansion(form, env, &found);
        if (found) {
            *expanded = true;
            return exp;
        }
        return form;
    }
    if (!cons_p(form) || !symbol_p(CAR(form))) return form;
    LispObj mf = cc_macro_function(tc, CAR(form), env);
    if (mf == NIL) return form;
    LispObj hook = sym_value(tc, S(STAR_MACROEXPAND_HOOK));
    if (hook == LISP_UNBOUND || hook == S(FUNCALL)) hook = NIL;
    LispObj result = hook == NIL ? vm_funcall2(tc, mf, form, env)
                                 : vm_funcall(tc, hook, 3, (LispObj[]){mf, form, env});
    *expanded = true;
    return result;
}

LispObj cc_macroexpand(ThContext *tc, LispObj form, LispObj env, bool *expanded) {
    bool any = false, once = true;
    while (once) {
        form = cc_macroexpand_1(tc, form, env, &once);
        any |= once;
    }
    *expanded = any;
    return form;
}

static bool member_eq(LispObj x, LispObj list) {
    for (; cons_p(list); list = CDR(list))
        if (CAR(list) == x) return true;
    return false;
}

void cc_note_free_variable(CcFn *fs, LispObj sym) {
    if (!fs->unit->file_mode || sym_flag_p(sym, SYMF_SPECIAL | SYMF_CONSTANT)) return;
    if (SYM(sym)->value != LISP_UNBOUND || member_eq(sym, fs->unit->free_variables)) return;
    fs->unit->free_variables = lisp_cons(fs->tc, sym, fs->unit->free_variables);
}

static bool function_defined_p(LispObj name) {
    if (symbol_p(name)) return sym_function(name) != LISP_UNBOUND;
    return lisp_plist_get(SYM(CAR(CDR(name)))->plist, S(SETF_FUNCTION), LISP_UNBOUND) != LISP_UNBOUND;
}

void cc_note_free_function(CcFn *fs, LispObj name) {
    if (!fs->unit->file_mode || function_defined_p(name)) return;
    for (LispObj l = fs->unit->free_functions; cons_p(l); l = CDR(l))
        if (cc_same_name(CAR(l), name)) return;
    fs->unit->free_functions = lisp_cons(fs->tc, name, fs->unit->free_functions);
}

/* Hands what the last pass met to the Lisp side (compile.lisp), which warns
 * about variables now and about functions at the end of the compilation unit. */
static void report_free_references(ThContext *tc, CcUnit *unit) {
    LispObj fn = sym_function(S(CC_NOTE_UNDEFINED));
    if (fn == LISP_UNBOUND || (unit->free_variables == NIL && unit->free_functions == NIL)) return;
    vm_funcall2(tc, fn, lisp_nreverse(unit->free_variables), lisp_nreverse(unit->free_functions));
}

LispObj cc_compile_toplevel_code(ThContext *tc, LispObj form, LispObj env, bool file_mode) {
    CcUnit unit = {0, NIL, NIL, false, file_mode, NIL, NIL};
    for (int pass = 0;; pass++) {
        unit.next_site = 0;
        unit.changed = false;
        unit.free_variables = unit.free_functions = NIL;
        CcFn fs;
        cc_init_fn(&fs, NULL, &unit, tc, NIL);
        LispObj code = cc_function(&fs, NIL, NIL, lisp_list(tc, 1, form), env, false);
        if (!unit.changed) {
            report_free_references(tc, &unit);
            return code;
        }
        if (pass > 64) pt_fatal("compiler did not settle after %d passes", pass);
    }
}

/* Compiles form as the body of a zero-argument function. */
LispObj cc_compile_toplevel(ThContext *tc, LispObj form) {
    LispObj code = cc_compile_toplevel_code(tc, form, NIL, false);
    LispObj closure = obj_alloc(tc, KIND_CLOSURE, 1);
    gc_init_store(&CLO(closure)->code, code);
    return closure;
}

static bool eval_when_executes(LispObj situations) {
    for (LispObj l = situations; cons_p(l); l = CDR(l))
        if (CAR(l) == S(EXECUTE_KW) || CAR(l) == S(EVAL)) return true;
    return false;
}

LispObj vm_eval(ThContext *tc, LispObj form) {
    vm_check_c_stack(tc);
    for (;;) {
        if (cons_p(form) && CAR(form) == S(PROGN)) {
            LispObj result = NIL;
            tc->vm->nvals = 1;
            lisp_list_length(tc, form);
            for (LispObj l = CDR(form); cons_p(l); l = CDR(l)) result = vm_eval(tc, CAR(l));
            return result;
        }
        if (cons_p(form) && CAR(form) == S(EVAL_WHEN) && cons_p(CDR(form))) {
            if (!eval_when_executes(CAR(CDR(form)))) {
                tc->vm->nvals = 1;
                return NIL;
            }
            form = lisp_cons(tc, S(PROGN), CDR(CDR(form)));
            continue;
        }
        if (cons_p(form) && symbol_p(CAR(form)) && !sym_flag_p(CAR(form), SYMF_SPECIAL_OPERATOR)) {
            bool expanded;
            LispObj exp = cc_macroexpand_1(tc, form, NIL, &expanded);
            if (expanded) {
                form = exp;
                continue;
            }
        }
        LispObj fn = cc_compile_toplevel(tc, form);
        return vm_funcall(tc, fn, 0, NULL);
    }
}


typedef struct LoadState { const char *path; FILE *file; bool verbose; } LoadState;

static LispObj load_forms(ThContext *tc, void *data) {
    LoadState *ls = data;
    LispObj stream = stm_make_file(tc, ls->file, false, ls->path);
    sym_bind(tc, S(STAR_PACKAGE), sym_value(tc, S(STAR_PACKAGE)));
    sym_bind(tc, S(STAR_READTABLE), sym_value(tc, S(STAR_READTABLE)));
    sym_bind(tc, S(STAR_LOAD_PATHNAME), stm_pathname_of(tc, str_from_cstr(tc, ls->path)));
    char real[4096];
    sym_bind(tc, S(STAR_LOAD_TRUENAME),
             stm_pathname_of(tc, str_from_cstr(tc, realpath(ls->path, real) ? real : ls->path)));
    if (ls->verbose) {
        LispObj out = stm_output_designator(tc, NIL);
        stm_write_cstr(tc, out, "; loading ");
        stm_write_cstr(tc, out, ls->path);
        stm_write_char(tc, out, '\n');
    }
    LispObj eof = lisp_cons(tc, NIL, NIL);
    for (;;) {
        LispObj form = rd_read(tc, stream, false, eof, false);
        if (form == eof) break;
        vm_eval(tc, form);
    }
    STM(stream)->file = NULL;
    return T;
}

static void close_load_file(ThContext *tc, void *data) {
    LoadState *ls = data;
    if (ls->file) fclose(ls->file);
    ls->file = NULL;
}

/* Bindings made in load_forms are undone by the protect frame.  A FASL is
 * recognised by its magic header, whatever the file is called. */
void vm_load_file(ThContext *tc, const char *path, bool verbose) {
    if (fasl_file_p(path)) {
        fasl_load_file(tc, path, verbose);
        return;
    }
    LoadState ls = {path, fopen(path, "r"), verbose};
    if (!ls.file) {
        LispObj msg = str_from_cstr(tc, strerror(errno));
        cond_error_of_type(tc, S(FILE_ERROR), "LOAD: cannot open %s: %a", path, msg);
    }
    vm_protect_call(tc, load_forms, &ls, close_load_file, &ls);
}
