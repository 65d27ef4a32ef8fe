/* lisp/builtins_fasl.c — files and compilation: COMPILE-FILE with the
 * top-level form processing of CLHS 3.2.3.1, COMPILE-FILE-PATHNAME, and
 * PROVIDE/REQUIRE with *MODULES*.  The FASL format is lisp/fasl.c; LOAD
 * (builtins_vm.c) recognises a FASL by its magic header.
 *
 * Top-level processing (3.2.3.1, figure 3-7): each form read from the file
 * is macroexpanded in the compile-time environment; progn, locally, macrolet
 * and symbol-macrolet bodies are processed as top-level forms (the latter
 * three in an extended environment); eval-when decides per its situations
 * whether the body is processed (:load-toplevel, in compile-time-too mode if
 * :compile-toplevel or :execute in that mode), evaluated now, or dropped;
 * any other form is evaluated now in compile-time-too mode, then compiled
 * into one FASL record.  Paths are strings (there are no pathname objects
 * yet).  All state is owner-thread only. */
#include "lisp/builtins_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "lisp/compiler_impl.h"
#include "lisp/fasl_impl.h"

typedef struct CompileFile {
    FaslOut out;
    const char *input, *output;
    FILE *file;
} CompileFile;

static void eval_in_env(ThContext *tc, LispObj form, LispObj env) {
    LispObj code = cc_compile_toplevel_code(tc, form, env, false);
    LispObj closure = obj_alloc(tc, KIND_CLOSURE, 1);
    gc_init_store(&CLO(closure)->code, code);
    vm_funcall(tc, closure, 0, NULL);
}

static void situations(ThContext *tc, LispObj list, bool *ct, bool *lt, bool *ex) {
    *ct = *lt = *ex = false;
    lisp_list_length(tc, list);
    for (LispObj l = list; cons_p(l); l = CDR(l)) {
        LispObj s = CAR(l);
        if (s == S(COMPILE_TOPLEVEL_KW) || s == S(COMPILE)) *ct = true;
        else if (s == S(LOAD_TOPLEVEL_KW) || s == S(LOAD)) *lt = true;
        else if (s == S(EXECUTE_KW) || s == S(EVAL)) *ex = true;
        else cond_program_error(tc, "EVAL-WHEN: unknown situation %v", s);
    }
}

static void process_form(CompileFile *cf, LispObj form, LispObj env, bool ctt);

static void process_body(CompileFile *cf, LispObj body, LispObj env, bool ctt) {
    lisp_list_length(cf->out.tc, body);
    for (LispObj l = body; cons_p(l); l = CDR(l)) process_form(cf, CAR(l), env, ctt);
}

/* One top-level form; ctt = compile-time-too mode. */
static void process_form(CompileFile *cf, LispObj form, LispObj env, bool ctt) {
    ThContext *tc = cf->out.tc;
    vm_check_c_stack(tc);
    for (bool expanded = true; expanded;) {
        if (cons_p(form) && symbol_p(CAR(form)) && sym_flag_p(CAR(form), SYMF_SPECIAL_OPERATOR)) break;
        form = cc_macroexpand_1(tc, form, env, &expanded);
    }
    LispObj op = cons_p(form) ? CAR(form) : NIL;
    if (op == S(PROGN)) {
        process_body(cf, CDR(form), env, ctt);
    } else if (op == S(LOCALLY) || op == S(MACROLET) || op == S(SYMBOL_MACROLET)) {
        LispObj body;
        LispObj inner = cc_toplevel_env(tc, form, env, &body);
        process_body(cf, body, inner, ctt);
    } else if (op == S(EVAL_WHEN)) {
        if (!cons_p(CDR(form))) cond_program_error(tc, "EVAL-WHEN: missing situations in %v", form);
        bool ct, lt, ex;
        situations(tc, CAR(CDR(form)), &ct, &lt, &ex);
        LispObj body = CDR(CDR(form));
        if (lt) process_body(cf, body, env, ct || (ex && ctt));
        else if (ct || (ex && ctt)) eval_in_env(tc, lisp_cons(tc, S(PROGN), body), env);
    } else {
        if (ctt) eval_in_env(tc, form, env);
        fasl_out_form(&cf->out, cc_compile_toplevel_code(tc, form, env, true));
    }
}

static LispObj compile_forms(ThContext *tc, void *data) {
    CompileFile *cf = data;
    LispObj stream = stm_make_file(tc, cf->file, false, cf->input);
    LispObj eof = lisp_cons(tc, NIL, NIL);
    for (;;) {
        LispObj form = rd_read(tc, stream, false, eof, false);
        if (form == eof) break;
        process_form(cf, form, NIL, false);
    }
    STM(stream)->file = NULL;
    fasl_out_write(&cf->out, cf->output);
    return T;
}

static void close_input(ThContext *tc, void *data) {
    CompileFile *cf = data;
    if (cf->file) fclose(cf->file);
    cf->file = NULL;
}

/* "dir/name.lisp" → "dir/name.fasl": the type after the last dot of the
 * last component is replaced, or ".fasl" appended. */
static LispObj fasl_pathname(ThContext *tc, LispObj input) {
    char buf[4096];
    if (str_to_utf8(input, buf, sizeof buf - 8) >= sizeof buf - 8)
        cond_error_of_type(tc, S(FILE_ERROR), "COMPILE-FILE-PATHNAME: path too long");
    char *slash = strrchr(buf, '/');
    char *dot = strrchr(slash ? slash + 1 : buf, '.');
    if (dot && dot != (slash ? slash + 1 : buf)) *dot = 0;
    strcat(buf, ".fasl");
    return str_from_cstr(tc, buf);
}

static void path_arg(ThContext *tc, LispObj s, char *buf, size_t cap, const char *op) {
    if (str_to_utf8(s, buf, cap) >= cap) cond_error_of_type(tc, S(FILE_ERROR), "%s: path too long", op);
}

static LispObj truename_of(ThContext *tc, const char *path) {
    char real[4096];
    return str_from_cstr(tc, realpath(path, real) ? real : path);
}

static LispObj kw(ThContext *tc, const char *name) { return pkg_intern_cstr(tc, name, pkg_keyword); }

static LispObj cl_compile_file_pathname(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj keys[] = {kw(tc, "OUTPUT-FILE")}, vals[1];
    bi_parse_keys(tc, "COMPILE-FILE-PATHNAME", nargs, args, 1, keys, 1, vals);
    LispObj input = arg_string_designator(tc, args[0]);
    if (bi_supplied_p(vals[0]) && vals[0] != NIL) return arg_string_designator(tc, vals[0]);
    return fasl_pathname(tc, input);
}

static LispObj cl_compile_file(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj keys[] = {kw(tc, "OUTPUT-FILE"), kw(tc, "VERBOSE"), kw(tc, "PRINT"), kw(tc, "EXTERNAL-FORMAT")};
    LispObj vals[4];
    bi_parse_keys(tc, "COMPILE-FILE", nargs, args, 1, keys, 4, vals);
    LispObj input = arg_string_designator(tc, args[0]);
    LispObj output = bi_supplied_p(vals[0]) && vals[0] != NIL ? arg_string_designator(tc, vals[0])
                                                              : fasl_pathname(tc, input);
    char in_path[4096], out_path[4096];
    path_arg(tc, input, in_path, sizeof in_path, "COMPILE-FILE");
    path_arg(tc, output, out_path, sizeof out_path, "COMPILE-FILE");
    CompileFile cf = {.input = in_path, .output = out_path, .file = fopen(in_path, "r")};
    if (!cf.file) {
        LispObj msg = str_from_cstr(tc, strerror(errno));
        cond_error_of_type(tc, S(FILE_ERROR), "COMPILE-FILE: cannot open %s: %a", in_path, msg);
    }
    size_t bind_top = tc->bind_top;
    sym_bind(tc, S(STAR_PACKAGE), sym_value(tc, S(STAR_PACKAGE)));
    sym_bind(tc, S(STAR_READTABLE), sym_value(tc, S(STAR_READTABLE)));
    sym_bind(tc, S(STAR_COMPILE_FILE_PATHNAME), input);
    sym_bind(tc, S(STAR_COMPILE_FILE_TRUENAME), truename_of(tc, in_path));
    bool verbose = bi_supplied_p(vals[1]) && vals[1] != NIL;
    LispObj out = stm_output_designator(tc, NIL);
    if (verbose) {
        stm_write_cstr(tc, out, "; compiling ");
        stm_write_cstr(tc, out, in_path);
        stm_write_char(tc, out, '\n');
    }
    fasl_out_init(tc, &cf.out, in_path);
    vm_protect_call(tc, compile_forms, &cf, close_input, &cf);
    sym_unbind_to(tc, bind_top);
    if (verbose) {
        stm_write_cstr(tc, out, "; wrote ");
        stm_write_cstr(tc, out, out_path);
        stm_write_char(tc, out, '\n');
    }
    LispObj vals3[3] = {truename_of(tc, out_path), NIL, NIL};
    return vm_values(tc, 3, vals3);
}

/* ---- modules ---- */

static bool module_member(ThContext *tc, LispObj name) {
    for (LispObj l = sym_value(tc, S(STAR_MODULES)); cons_p(l); l = CDR(l))
        if (string_p(CAR(l)) && str_length(CAR(l)) == str_length(name) &&
            !memcmp(STR(CAR(l))->chars, STR(name)->chars, 4 * str_length(name)))
            return true;
    return false;
}

static LispObj cl_provide(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj name = arg_string_designator(tc, args[0]);
    if (!module_member(tc, name))
        sym_set_value(tc, S(STAR_MODULES), lisp_cons(tc, name, sym_value(tc, S(STAR_MODULES))));
    return T;
}

static void load_path(ThContext *tc, LispObj path) {
    vm_funcall1(tc, S(LOAD), path);
}

/* The first existing file among dir/name.fasl and dir/name.lisp, for "."
 * and each directory in ext:*module-paths*; NIL if none. */
static LispObj find_module_file(ThContext *tc, LispObj name) {
    LispObj dirs = lisp_cons(tc, str_from_cstr(tc, "."), sym_value(tc, S(STAR_MODULE_PATHS)));
    char n[1024], d[2048], path[4096];
    path_arg(tc, name, n, sizeof n, "REQUIRE");
    for (LispObj l = dirs; cons_p(l); l = CDR(l)) {
        if (!string_p(CAR(l)) && !symbol_p(CAR(l))) continue;
        path_arg(tc, arg_string_designator(tc, CAR(l)), d, sizeof d, "REQUIRE");
        static const char *const types[] = {".fasl", ".lisp"};
        for (int t = 0; t < 2; t++) {
            snprintf(path, sizeof path, "%s/%s%s", d, n, types[t]);
            if (access(path, R_OK) == 0) return str_from_cstr(tc, path);
            /* module names are often given as symbols: try the lower-case file name too */
            char lower[1024];
            size_t i = 0;
            for (; n[i] && i + 1 < sizeof lower; i++) lower[i] = (char)(n[i] >= 'A' && n[i] <= 'Z' ? n[i] + 32 : n[i]);
            lower[i] = 0;
            snprintf(path, sizeof path, "%s/%s%s", d, lower, types[t]);
            if (access(path, R_OK) == 0) return str_from_cstr(tc, path);
        }
    }
    return NIL;
}

static LispObj cl_require(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj name = arg_string_designator(tc, args[0]);
    if (module_member(tc, name)) return NIL;
    LispObj paths = nargs > 1 ? args[1] : NIL;
    if (paths != NIL) {
        if (!cons_p(paths)) paths = lisp_cons(tc, paths, NIL);
        for (LispObj l = paths; cons_p(l); l = CDR(l)) load_path(tc, CAR(l));
        return T;
    }
    LispObj file = find_module_file(tc, name);
    if (file == NIL)
        cond_error(tc, "REQUIRE: don't know how to load the module %v (no %a.fasl or %a.lisp in the current "
                       "directory or PETREL-EXT:*MODULE-PATHS*)",
                   name, name, name);
    load_path(tc, file);
    return T;
}

const BuiltinSpec builtins_fasl[] = {
    {"%COMPILE-FILE", "SYS", cl_compile_file, 1, BUILTIN_REST,
     "input-file &key output-file verbose print external-format",
     "Compiles INPUT-FILE into a FASL file; returns its truename (COMPILE-FILE adds the warning flags)."},
    {"COMPILE-FILE-PATHNAME", "CL", cl_compile_file_pathname, 1, BUILTIN_REST, "input-file &key output-file",
     "The file COMPILE-FILE would write."},
    {"PROVIDE", "CL", cl_provide, 1, 1, "module-name", "Adds MODULE-NAME to *MODULES*."},
    {"REQUIRE", "CL", cl_require, 1, 2, "module-name &optional pathname-list",
     "Loads MODULE-NAME unless it is in *MODULES*."},
    {0},
};
