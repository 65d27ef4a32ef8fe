/* lisp/main.c — the petrel command line (flags spelled as SBCL's, DESIGN
 * "Who uses it").  Parses options, starts the Lisp, runs --eval/--load in
 * order, then a script or the REPL. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lisp/vm_impl.h"

#include "ffi/ffi.h"

void lisp_repl(ThContext *tc);
void lisp_report_error(ThContext *tc, LispObj condition, bool backtrace);

static const char usage[] =
    "Usage: petrel [options] [--script FILE]\n"
    "  --script FILE             load FILE non-interactively; exit 1 on an unhandled error\n"
    "  --eval FORM               evaluate FORM (repeatable, in order with --load)\n"
    "  --load FILE               load FILE (repeatable)\n"
    "  --non-interactive         exit after --eval/--load instead of starting the REPL;\n"
    "                            an unhandled error prints a backtrace and exits 1\n"
    "  --quit                    same as --non-interactive\n"
    "  --dynamic-space-size MB   heap limit (default 2048; suffixes KB MB GB accepted)\n"
    "  --control-stack-size MB   Lisp stack size (default 16)\n"
    "  --noinform, --no-userinit accepted for SBCL compatibility\n"
    "  --core FILE               start from the core image FILE (default: $PETREL_CORE,\n"
    "                            else petrel.core beside the binary, else the built-in library)\n"
    "  --no-core                 load the built-in library from source, ignoring any core\n"
    "  --save-core FILE          load the library from source, save it as a core image, exit\n"
    "  --version                 print the version and exit\n"
    "  --help                    print this help and exit\n"
    "Environment: PETREL_GC_TORTURE=N collects every N allocations; PETREL_GC_VERIFY=1 checks\n"
    "the heap after each collection; PETREL_GC_LOG=1 logs one line per collection;\n"
    "PETREL_CORE=FILE names the core to start from (empty: none).\n";

typedef struct Action { bool is_load; const char *arg; } Action;

static _Noreturn void bad_usage(const char *fmt, const char *arg) {
    fprintf(stderr, "petrel: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'petrel --help'.\n");
    exit(2);
}

static size_t parse_megabytes(const char *flag, const char *s) {
    if (!s) bad_usage("%s needs a size in megabytes", flag);
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    double scale = 1;
    if (!strcasecmp(end, "KB")) scale = 1.0 / 1024;
    else if (!strcasecmp(end, "GB")) scale = 1024;
    else if (*end && strcasecmp(end, "MB")) bad_usage("bad size '%s' (want megabytes, e.g. 512 or 2GB)", s);
    v *= scale;
    if (errno || end == s || v < 1 || v > 1 << 22) bad_usage("size '%s' out of range (1 MB to 4 TB)", s);
    return (size_t)v;
}

typedef struct Options {
    LispOptions lisp;
    Action actions[256];
    size_t nactions;
    const char *script;
    bool non_interactive;
    const char *core;       /* --core */
    const char *save_core;  /* --save-core */
    bool no_core;           /* --no-core */
} Options;

static void parse_args(int argc, char **argv, Options *o) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--version")) { printf("Petrel %s\n", PETREL_VERSION); exit(0); }
        if (!strcmp(a, "--help")) { fputs(usage, stdout); exit(0); }
        if (!strcmp(a, "--eval") || !strcmp(a, "--load")) {
            if (!next) bad_usage("%s needs an argument", a);
            if (o->nactions == 256) bad_usage("too many --eval/--load options (%s)", a);
            o->actions[o->nactions++] = (Action){a[2] == 'l', next};
            i++;
        } else if (!strcmp(a, "--script")) {
            if (!next) bad_usage("%s needs a file name", a);
            o->script = next;
            o->non_interactive = true;
            i++;
            break;  /* the rest of the line belongs to the script (posix-argv) */
        } else if (!strcmp(a, "--non-interactive") || !strcmp(a, "--quit") || !strcmp(a, "--disable-debugger")) {
            o->non_interactive = true;
        } else if (!strcmp(a, "--dynamic-space-size")) {
            o->lisp.dynamic_space_mb = parse_megabytes(a, next);
            i++;
        } else if (!strcmp(a, "--control-stack-size")) {
            o->lisp.control_stack_mb = parse_megabytes(a, next);
            i++;
        } else if (!strcmp(a, "--core") || !strcmp(a, "--save-core")) {
            if (!next) bad_usage("%s needs a file name", a);
            if (a[2] == 'c') o->core = next;
            else o->save_core = next;
            i++;
        } else if (!strcmp(a, "--no-core")) {
            o->no_core = true;
        } else if (!strcmp(a, "--noinform") || !strcmp(a, "--no-userinit") || !strcmp(a, "--no-sysinit")) {
            /* accepted for SBCL compatibility: Petrel has no banner or init files yet */
        } else if (!strcmp(a, "--end-toplevel-options")) {
            break;
        } else {
            bad_usage("unknown option '%s'", a);
        }
    }
}

/* A program (an executable saved with a :toplevel) owns its command line,
 * except leading runtime options, as in SBCL: --dynamic-space-size MB,
 * --control-stack-size MB, and --end-runtime-options to stop.  Returns the
 * index of the first argument left for the program. */
static int parse_runtime_args(int argc, char **argv, Options *o) {
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--dynamic-space-size")) o->lisp.dynamic_space_mb = parse_megabytes(a, next), i++;
        else if (!strcmp(a, "--control-stack-size")) o->lisp.control_stack_mb = parse_megabytes(a, next), i++;
        else if (!strcmp(a, "--end-runtime-options")) return i + 1;
        else break;
    }
    return i;
}

typedef struct Step { const Action *action; } Step;

static LispObj run_action(ThContext *tc, void *data) {
    const Action *a = data;
    if (a->is_load) {
        vm_load_file(tc, a->arg, false);
        return NIL;
    }
    LispObj text = str_from_cstr(tc, a->arg);
    LispObj stream = stm_make_string_input(tc, text, 0, str_length(text));
    LispObj eof = lisp_cons(tc, NIL, NIL);
    LispObj result = NIL;
    for (;;) {
        LispObj form = rd_read(tc, stream, false, eof, false);
        if (form == eof) return result;
        result = vm_eval(tc, form);
    }
}

static LispObj run_script(ThContext *tc, void *data) {
    vm_load_file(tc, data, false);
    return NIL;
}

static LispObj run_image_toplevel(ThContext *tc, void *data) {
    (void)data;
    return vm_funcall0(tc, lisp_image_toplevel);
}

typedef struct Main { Options *opts; int status; } Main;

static LispObj run_toplevel(ThContext *tc, void *data) {
    Main *m = data;
    Options *o = m->opts;
    for (size_t i = 0; i < o->nactions; i++) {
        LispObj condition;
        if (!vm_call_protected(tc, run_action, &o->actions[i], NULL, &condition)) {
            lisp_report_error(tc, condition, true);
            if (o->non_interactive) { m->status = 1; return NIL; }
        }
    }
    if (o->script) {
        LispObj condition;
        if (!vm_call_protected(tc, run_script, (void *)o->script, NULL, &condition)) {
            lisp_report_error(tc, condition, true);
            m->status = 1;
        }
        return NIL;
    }
    if (lisp_image_toplevel != NIL) {
        LispObj condition, result;
        if (!vm_call_protected(tc, run_image_toplevel, NULL, &result, &condition)) {
            lisp_report_error(tc, condition, true);
            m->status = 1;
        } else if (fx_p(result)) {
            m->status = (int)fx_value(result);
        }
        return NIL;
    }
    if (!o->non_interactive) lisp_repl(tc);
    return NIL;
}

/* petrel.core in the directory of the running binary, if there is one. */
static bool core_beside_binary(char *buf, size_t cap) {
    ssize_t n = readlink("/proc/self/exe", buf, cap - 16);
    if (n <= 0 || (size_t)n >= cap - 16) return false;
    buf[n] = 0;
    char *slash = strrchr(buf, '/');
    if (!slash) return false;
    strcpy(slash + 1, "petrel.core");
    return access(buf, R_OK) == 0;
}

/* A heap too small for the core is a usage error, not a crash later. */
static void check_heap_fits(const Options *o, const ImgCore *core, const char *path) {
    size_t need_mb = (size_t)((core->hwm * 33 / 32 + 8) >> 4) + 1;  /* 16 pages per MB, + reserve */
    if (o->lisp.dynamic_space_mb && o->lisp.dynamic_space_mb < need_mb) {
        fprintf(stderr, "petrel: the core %s needs --dynamic-space-size of at least %zu MB\n", path, need_mb);
        exit(2);
    }
}

/* The core to start from, in order: --core (must work: else exit 2),
 * the image inside this binary (an executable save-lisp-and-die wrote),
 * $PETREL_CORE, petrel.core beside the binary; none: the built-in library.
 * A missing $PETREL_CORE file is silent; an unusable core found by the
 * last two ways is a one-line warning. */
static ImgCore *choose_core(const Options *o, ImgCore *core, bool embedded) {
    static char beside[4096];
    char err[1024];
    if (o->save_core || o->no_core) return NULL;
    if (!o->core && embedded) {
        check_heap_fits(o, core, "inside this executable");
        return core;
    }
    if (o->core) {
        if (img_open(o->core, core, err, sizeof err)) {
            check_heap_fits(o, core, o->core);
            return core;
        }
        fprintf(stderr, "petrel: %s\n", err);
        exit(2);
    }
    const char *env = getenv("PETREL_CORE");
    const char *path = env ? (*env ? env : NULL) : core_beside_binary(beside, sizeof beside) ? beside : NULL;
    if (!path) return NULL;
    if (img_open(path, core, err, sizeof err)) {
        check_heap_fits(o, core, path);
        return core;
    }
    if (errno != ENOENT) fprintf(stderr, "petrel: warning: %s; loading the library from source\n", err);
    return NULL;
}

static int save_core(ThContext *tc, const char *path) {
    char err[1024];
    if (img_save(tc, path, NIL, false, err, sizeof err)) return 0;
    fprintf(stderr, "petrel: %s\n", err);
    return 1;
}

int main(int argc, char **argv) {
    int stack_marker;
    static Options opts;
    static ImgCore core;
    char err[1024];
    bool embedded = img_open_embedded("/proc/self/exe", &core, err, sizeof err);
    if (!embedded && errno != ENOENT) {
        fprintf(stderr, "petrel: %s\n", err);
        return 2;
    }
    int first_program_arg = 1;
    if (embedded && core.program) {
        first_program_arg = parse_runtime_args(argc, argv, &opts);
        opts.non_interactive = true;
    } else {
        parse_args(argc, argv, &opts);
    }
    opts.lisp.core = choose_core(&opts, &core, embedded);
    if (embedded && opts.lisp.core != &core) img_close(&core);
    lisp_add_module(ffi_init_module);  /* PETREL-FFI's builtins, when the library is built from source */
    ThContext *tc = lisp_init(&opts.lisp, &stack_marker);
    if (opts.save_core) return save_core(tc, opts.save_core);
    LispObj argl = NIL;
    for (int i = argc; i-- > first_program_arg;) argl = lisp_cons(tc, str_from_cstr(tc, argv[i]), argl);
    argl = lisp_cons(tc, str_from_cstr(tc, argv[0]), argl);
    sym_set_value(tc, S(STAR_POSIX_ARGV), argl);
    Main m = {&opts, 0};
    bool thrown;
    LispObj code = vm_catch_call(tc, S(QUIT_TAG), run_toplevel, &m, &thrown);
    int status = thrown ? (int)fx_value(code) : m.status;
    /* Output that could not be written (a full disk, /dev/full, a closed
     * pipe) is an error the exit status must show, as in SBCL. */
    if ((fflush(stdout) != 0 || ferror(stdout)) && status == 0) {
        fprintf(stderr, "petrel: error writing standard output: %s\n", strerror(errno));
        status = 1;
    }
    fflush(stderr);
    return status;
}
