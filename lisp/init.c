/* lisp/init.c — startup: heap, main thread, NIL and T, the standard packages,
 * the symbols C knows (symbols.def), special variables and constants, the
 * builtins, and the Lisp part of the library (lisp/src/boot.lisp, compiled
 * into the binary as text and loaded at startup).
 *
 * Runs once on the main thread before any other thread exists; the globals
 * it writes (lisp_nil, lisp_t, lisp_syms, pkg_*) are read-only afterwards. */
#include "lisp/vm_impl.h"
#include "lisp/hashtable_impl.h"
#include "lisp/reader_impl.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

LispObj lisp_nil, lisp_t;
LispObj lisp_syms[SYM__COUNT];

extern const char petrel_boot_lisp[];  /* generated from lisp/src/boot.lisp */
void cc_mark_special_operators(void);
void lisp_register_all_builtins(ThContext *tc);

static const struct { int id; const char *name; const char *pkg; } symbol_table[] = {
#define X(id, name, pkg) {SYM_##id, name, #pkg},
#include "lisp/symbols.def"
#undef X
};

/* Modules above lisp/ (lisp_add_module): written by main before lisp_init. */
static LispModuleInit modules[4];
static size_t n_modules;

void lisp_add_module(LispModuleInit init) {
    PT_CHECK(n_modules < sizeof modules / sizeof modules[0], "too many modules");
    modules[n_modules++] = init;
}

static void make_nil_and_t(ThContext *tc) {
    lisp_nil = sym_make(tc, str_from_cstr(tc, "NIL"));
    LispSymbol *n = SYM(lisp_nil);
    n->plist = NIL;     /* fresh object: nobody else can see it yet */
    n->package = NIL;
    n->value = NIL;
    n->flags = fx_make(SYMF_CONSTANT);
    pkg_set_registry_nil();
    lisp_t = sym_make(tc, str_from_cstr(tc, "T"));
    SYM(lisp_t)->value = lisp_t;
    SYM(lisp_t)->flags = fx_make(SYMF_CONSTANT);
}

static void make_packages(ThContext *tc) {
    static const char *const cl_nicks[] = {"CL", NULL}, *const user_nicks[] = {"CL-USER", NULL},
                             *const ext_nicks[] = {"EXT", NULL}, *const sys_nicks[] = {"SYS", "PETREL", NULL};
    pkg_common_lisp = pkg_make(tc, "COMMON-LISP", cl_nicks);
    pkg_keyword = pkg_make(tc, "KEYWORD", NULL);
    pkg_ext = pkg_make(tc, "PETREL-EXT", ext_nicks);
    pkg_system = pkg_make(tc, "PETREL-SYSTEM", sys_nicks);
    pkg_cl_user = pkg_make(tc, "COMMON-LISP-USER", user_nicks);
    LispObj threads = pkg_make(tc, "PETREL-THREADS", NULL);
    pkg_use(tc, threads, pkg_common_lisp);
    pkg_use(tc, pkg_make(tc, LISP_FFI_PACKAGE, NULL), pkg_common_lisp);
    pkg_use(tc, pkg_ext, pkg_common_lisp);
    pkg_use(tc, pkg_system, pkg_common_lisp);
    pkg_use(tc, pkg_system, pkg_ext);
    pkg_use(tc, pkg_cl_user, pkg_common_lisp);
    pkg_use(tc, pkg_cl_user, pkg_ext);
    pkg_add_symbol(tc, lisp_nil, pkg_common_lisp, true);
    pkg_add_symbol(tc, lisp_t, pkg_common_lisp, true);
}

static LispObj package_named(ThContext *tc, const char *code) {
    if (!strcmp(code, "CL")) return pkg_common_lisp;
    if (!strcmp(code, "KW")) return pkg_keyword;
    if (!strcmp(code, "EXT")) return pkg_ext;
    if (!strcmp(code, "THR")) return pkg_find_cstr(tc, "PETREL-THREADS");
    if (!strcmp(code, "FFI")) return pkg_find_cstr(tc, LISP_FFI_PACKAGE);
    return pkg_system;
}

static const char *const cl_symbol_names[] = {
#define CL_SYMBOL(name) name,
#include "lisp/cl_symbols.def"
#undef CL_SYMBOL
};

/* Keywords such as :EXTERNAL must exist before pkg_export can report
 * statuses, so every symbol is interned first and exported afterwards. */
static void intern_known_symbols(ThContext *tc) {
    for (size_t i = 0; i < sizeof symbol_table / sizeof symbol_table[0]; i++)
        lisp_syms[symbol_table[i].id] =
            pkg_intern_cstr(tc, symbol_table[i].name, package_named(tc, symbol_table[i].pkg));
    for (size_t i = 0; i < sizeof cl_symbol_names / sizeof cl_symbol_names[0]; i++)
        pkg_export(tc, pkg_intern_cstr(tc, cl_symbol_names[i], pkg_common_lisp), pkg_common_lisp);
    for (size_t i = 0; i < sizeof symbol_table / sizeof symbol_table[0]; i++) {
        LispObj pkg = package_named(tc, symbol_table[i].pkg);
        if (pkg != pkg_system && pkg != pkg_keyword) pkg_export(tc, lisp_syms[symbol_table[i].id], pkg);
    }
}

static void define_float_constants(ThContext *tc);

static void defvar(ThContext *tc, LispObj sym, LispObj value) {
    sym_set_flag(sym, SYMF_SPECIAL);
    obj_set(&SYM(sym)->value, value);
}

static void defconstant(ThContext *tc, LispObj sym, LispObj value) {
    sym_set_flag(sym, SYMF_CONSTANT | SYMF_SPECIAL);
    obj_set(&SYM(sym)->value, value);
}

static LispObj features(ThContext *tc) {
    static const char *const names[] = {"PETREL", "COMMON-LISP", "ANSI-CL", "64-BIT", "LINUX", "UNIX",
#if defined(__x86_64__)
                                        "X86-64",
#elif defined(__aarch64__)
                                        "ARM64",
#endif
                                        "LITTLE-ENDIAN", "THREADS"};
    LispObj l = NIL;
    for (size_t i = sizeof names / sizeof names[0]; i-- > 0;)
        l = lisp_cons(tc, pkg_intern_cstr(tc, names[i], pkg_keyword), l);
    return l;
}

static void define_variables(ThContext *tc) {
    LispObj out = stm_make_file(tc, stdout, true, "standard output");
    LispObj err = stm_make_file(tc, stderr, true, "standard error");
    LispObj in = stm_make_file(tc, stdin, false, "standard input");
    struct { int id; LispObj value; } vars[] = {
        {SYM_STAR_PACKAGE, pkg_cl_user}, {SYM_STAR_READTABLE, NIL}, {SYM_STAR_READ_BASE, fx_make(10)},
        {SYM_STAR_READ_EVAL, T}, {SYM_STAR_READ_SUPPRESS, NIL},
        {SYM_STAR_READ_DEFAULT_FLOAT_FORMAT, S(SINGLE_FLOAT)}, {SYM_STAR_FEATURES, features(tc)},
        {SYM_STAR_PRINT_ESCAPE, T}, {SYM_STAR_PRINT_READABLY, NIL}, {SYM_STAR_PRINT_CASE, S(UPCASE_KW)},
        {SYM_STAR_PRINT_BASE, fx_make(10)}, {SYM_STAR_PRINT_RADIX, NIL}, {SYM_STAR_PRINT_CIRCLE, NIL},
        {SYM_STAR_PRINT_PRETTY, NIL}, {SYM_STAR_PRINT_LEVEL, NIL}, {SYM_STAR_PRINT_LENGTH, NIL},
        {SYM_STAR_PRINT_GENSYM, T}, {SYM_STAR_PRINT_ARRAY, T}, {SYM_STAR_STANDARD_OUTPUT, out},
        {SYM_STAR_STANDARD_INPUT, in}, {SYM_STAR_ERROR_OUTPUT, err}, {SYM_STAR_TERMINAL_IO, out},
        {SYM_STAR_TRACE_OUTPUT, out}, {SYM_STAR_QUERY_IO, out}, {SYM_STAR_DEBUG_IO, out},
        {SYM_STAR_GENSYM_COUNTER, fx_make(1)}, {SYM_STAR_LOAD_PATHNAME, NIL}, {SYM_STAR_LOAD_TRUENAME, NIL},
        {SYM_STAR_MACROEXPAND_HOOK, S(FUNCALL)}, {SYM_STAR_BREAK_ON_SIGNALS, NIL},
        {SYM_STAR_DEBUGGER_HOOK, NIL}, {SYM_STAR_HANDLER_CLUSTERS, NIL}, {SYM_STAR, NIL},
        {SYM_STARSTAR, NIL}, {SYM_STARSTARSTAR, NIL}, {SYM_PLUS_VAR, NIL}, {SYM_PLUSPLUS, NIL},
        {SYM_PLUSPLUSPLUS, NIL}, {SYM_SLASH_VAR, NIL}, {SYM_SLASHSLASH, NIL}, {SYM_SLASHSLASHSLASH, NIL},
        {SYM_MINUS_VAR, NIL}, {SYM_STAR_POSIX_ARGV, NIL}, {SYM_STAR_TOPLEVEL_FORM_NUMBER, fx_make(0)},
        {SYM_STAR_COMPILE_FILE_PATHNAME, NIL}, {SYM_STAR_COMPILE_FILE_TRUENAME, NIL}, {SYM_STAR_MODULES, NIL},
        {SYM_STAR_MODULE_PATHS, NIL},
    };
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) defvar(tc, lisp_syms[vars[i].id], vars[i].value);
    LispObj llk = lisp_list(tc, 8, S(AND_OPTIONAL), S(AND_REST), S(AND_KEY), S(AND_ALLOW_OTHER_KEYS),
                            S(AND_AUX), S(AND_BODY), S(AND_WHOLE), S(AND_ENVIRONMENT));
    struct { int id; LispObj value; } consts[] = {
        {SYM_MOST_POSITIVE_FIXNUM, fx_make(FIXNUM_MAX)}, {SYM_MOST_NEGATIVE_FIXNUM, fx_make(FIXNUM_MIN)},
        {SYM_LAMBDA_LIST_KEYWORDS, llk}, {SYM_CALL_ARGUMENTS_LIMIT, fx_make(65536)},
        {SYM_LAMBDA_PARAMETERS_LIMIT, fx_make(65536)}, {SYM_MULTIPLE_VALUES_LIMIT, fx_make(VM_MV_LIMIT)},
        {SYM_CHAR_CODE_LIMIT, fx_make(CHAR_CODE_LIMIT)}, {SYM_ARRAY_DIMENSION_LIMIT, fx_make(FIXNUM_MAX)},
        {SYM_ARRAY_TOTAL_SIZE_LIMIT, fx_make(FIXNUM_MAX)},
    };
    for (size_t i = 0; i < sizeof consts / sizeof consts[0]; i++)
        defconstant(tc, lisp_syms[consts[i].id], consts[i].value);
    define_float_constants(tc);
}

static void defconstant_named(ThContext *tc, const char *name, LispObj value) {
    defconstant(tc, pkg_intern_cstr(tc, name, pkg_common_lisp), value);
}

/* CLHS 12.2 float constants (short = single, long = double here) and the
 * BOOLE-* operation codes.  An epsilon is the smallest e with
 * (/= (+ 1 e) 1): half an ulp of 1 plus the least bit that rounds up. */
static void define_float_constants(ThContext *tc) {
    static const char *const single_prefixes[] = {"SHORT", "SINGLE"}, *const double_prefixes[] = {"DOUBLE", "LONG"};
    char name[64];
    for (int i = 0; i < 2; i++) {
        struct { const char *fmt; float f; } singles[] = {
            {"MOST-POSITIVE-%s-FLOAT", FLT_MAX}, {"MOST-NEGATIVE-%s-FLOAT", -FLT_MAX},
            {"LEAST-POSITIVE-%s-FLOAT", FLT_TRUE_MIN}, {"LEAST-NEGATIVE-%s-FLOAT", -FLT_TRUE_MIN},
            {"LEAST-POSITIVE-NORMALIZED-%s-FLOAT", FLT_MIN}, {"LEAST-NEGATIVE-NORMALIZED-%s-FLOAT", -FLT_MIN},
            {"%s-FLOAT-EPSILON", ldexpf(1.0f, -24) + ldexpf(1.0f, -47)},
            {"%s-FLOAT-NEGATIVE-EPSILON", ldexpf(1.0f, -25) + ldexpf(1.0f, -48)},
        };
        for (size_t k = 0; k < sizeof singles / sizeof singles[0]; k++) {
            snprintf(name, sizeof name, singles[k].fmt, single_prefixes[i]);
            defconstant_named(tc, name, single_float_make(singles[k].f));
        }
        struct { const char *fmt; double d; } doubles[] = {
            {"MOST-POSITIVE-%s-FLOAT", DBL_MAX}, {"MOST-NEGATIVE-%s-FLOAT", -DBL_MAX},
            {"LEAST-POSITIVE-%s-FLOAT", DBL_TRUE_MIN}, {"LEAST-NEGATIVE-%s-FLOAT", -DBL_TRUE_MIN},
            {"LEAST-POSITIVE-NORMALIZED-%s-FLOAT", DBL_MIN}, {"LEAST-NEGATIVE-NORMALIZED-%s-FLOAT", -DBL_MIN},
            {"%s-FLOAT-EPSILON", ldexp(1.0, -53) + ldexp(1.0, -105)},
            {"%s-FLOAT-NEGATIVE-EPSILON", ldexp(1.0, -54) + ldexp(1.0, -106)},
        };
        for (size_t k = 0; k < sizeof doubles / sizeof doubles[0]; k++) {
            snprintf(name, sizeof name, doubles[k].fmt, double_prefixes[i]);
            defconstant_named(tc, name, double_float_make(tc, doubles[k].d));
        }
    }
    static const char *const booles[] = {"BOOLE-CLR", "BOOLE-SET", "BOOLE-1", "BOOLE-2", "BOOLE-C1", "BOOLE-C2",
                                          "BOOLE-AND", "BOOLE-IOR", "BOOLE-XOR", "BOOLE-EQV", "BOOLE-NAND",
                                          "BOOLE-NOR", "BOOLE-ANDC1", "BOOLE-ANDC2", "BOOLE-ORC1", "BOOLE-ORC2"};
    for (size_t k = 0; k < sizeof booles / sizeof booles[0]; k++) defconstant_named(tc, booles[k], fx_make((int64_t)k));
}

static size_t c_stack_bytes(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_STACK, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return 8u << 20;
    return rl.rlim_cur;
}

static LispObj load_boot(ThContext *tc, void *data) {
    (void)data;
    LispObj text = str_from_cstr(tc, petrel_boot_lisp);
    LispObj stream = stm_make_string_input(tc, text, 0, str_length(text));
    LispObj eof = lisp_cons(tc, NIL, NIL);
    for (;;) {
        LispObj form = rd_read(tc, stream, false, eof, false);
        if (form == eof) break;
        vm_eval(tc, form);
    }
    /* Whatever package the last library file was in, users start in CL-USER. */
    sym_set_value(tc, S(STAR_PACKAGE), pkg_cl_user);
    return T;
}

/* The library from the embedded source: symbols, builtins, then boot.lisp. */
static void build_from_source(ThContext *tc) {
    make_nil_and_t(tc);
    make_packages(tc);
    intern_known_symbols(tc);
    cc_mark_special_operators();
    define_variables(tc);
    cond_init_hierarchy(tc);
    lisp_register_all_builtins(tc);
    for (size_t i = 0; i < n_modules; i++) modules[i](tc);
    rd_init_standard_readtable(tc);
    lisp_image_toplevel = NIL;
    LispObj result, condition;
    if (!vm_call_protected(tc, load_boot, NULL, &result, &condition)) {
        LispObj msg = cond_report_string(tc, condition);
        char buf[2048];
        str_to_utf8(msg, buf, sizeof buf);
        pt_fatal("loading the boot library failed: %s", buf);
    }
}

/* Test hook: takes the core's heap address, as another mapping might. */
static void occupy(void *base) {
    void *p = mmap(base, 1 << 16, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != base && p != MAP_FAILED) munmap(p, 1 << 16);
}

/* A core is used only if the heap got its base address; otherwise the
 * library is loaded from source, with a one-line warning. */
ThContext *lisp_init(const LispOptions *opts, void *stack_base) {
    GcConfig cfg = {0};
    cfg.heap_limit_bytes = (opts && opts->dynamic_space_mb ? opts->dynamic_space_mb : 2048) << 20;
    cfg.concurrent = true;  /* PETREL_GC_CONCURRENT=0: the stop-the-world collector */
    gc_config_from_env(&cfg);
    ImgCore *core = opts ? opts->core : NULL;
    if (core) cfg.base_hint = core->heap_base;
    if (core && getenv("PETREL_TEST_OCCUPY_HEAP_BASE")) occupy(core->heap_base);
    gc_init(&cfg);
    if (core && gc_heap_base() != core->heap_base) {
        fprintf(stderr, "petrel: warning: address %p for the core's heap is busy; loading the library from source\n",
                core->heap_base);
        img_close(core);
        core = NULL;
    }
    th_init();
    ht_weak_init();
    finalize_init();
    vm_register_root_scanner();
    ThContext *tc = th_attach_current(stack_base, "main");
    gc_add_root_range(lisp_syms, SYM__COUNT);
    gc_add_root_range(&lisp_nil, 1);
    gc_add_root_range(&lisp_t, 1);
    gc_add_root_range(&lisp_image_toplevel, 1);
    static LispObj *const pkgs[] = {&pkg_common_lisp, &pkg_cl_user, &pkg_keyword, &pkg_ext, &pkg_system};
    for (size_t i = 0; i < 5; i++) gc_add_root_range(pkgs[i], 1);
    pkg_init_registry();
    size_t control = (opts && opts->control_stack_mb ? opts->control_stack_mb : 16) << 20;
    vm_init_thread(tc, control);
    size_t cstack = c_stack_bytes();
    size_t usable = cstack > (1u << 20) ? cstack - (cstack / 8 > (512u << 10) ? cstack / 8 : (512u << 10)) : cstack / 2;
    tc->vm->c_stack_limit = (char *)stack_base - usable;
    if (core) {
        char err[512];
        /* now: nothing is allocated, so the core's pages can take the heap */
        if (!img_load(tc, core, err, sizeof err)) pt_fatal("cannot load the core image: %s", err);
    } else {
        build_from_source(tc);
    }
    mt_init();
    mt_init_main_thread(tc);
    return tc;
}
